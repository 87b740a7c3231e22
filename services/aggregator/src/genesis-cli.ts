#!/usr/bin/env -S npx tsx
/**
 * `mithril-genesis`: the genesis ceremony. `export` (on the aggregator's machine) writes the
 * payload; `sign` (offline, where the secret key lives) signs it; `import` (on the aggregator's
 * machine) checks the signature and stores the genesis certificate. `keys` makes a key pair.
 */
import { Command } from 'commander';
import { encodeGenesisVerificationKey } from '@mithril-ts/protocol';
import { exportGenesisPayload, generateGenesisKeys, importGenesisCertificate, signGenesisPayload } from './genesis-commands.js';
import { scheduleSchema } from './runtime/parameters.js';

const program = new Command('mithril-genesis').description('Mithril genesis ceremony: export the payload, sign it offline, import the signature');

program
  .command('keys')
  .description('generate a genesis key pair (refuses to overwrite)')
  .requiredOption('--secret-key <file>', 'where to write the secret key (keep it offline)')
  .requiredOption('--verification-key <file>', 'where to write the verification key (published)')
  .action(async (options: { secretKey: string; verificationKey: string }) => {
    const key = await generateGenesisKeys(options.secretKey, options.verificationKey);
    console.log(`genesis verification key: ${encodeGenesisVerificationKey(key)}`);
  });

program
  .command('export')
  .description("write the genesis payload of the chain's current epoch")
  .requiredOption('--store-url <url>', 'aggregator database (file:<path> or postgresql://…)')
  .requiredOption('--chain-directory <dir>', 'cardano-cli JSON outputs directory')
  .requiredOption('--out <file>', 'payload file to write')
  .option('--network <name>', 'Cardano network name', 'devnet')
  .option('--protocol-parameters <json>', 'JSON list of {fromEpoch, k, m, phiF}', '[{"fromEpoch":0,"k":5,"m":100,"phiF":0.65}]')
  .action(async (options: { storeUrl: string; chainDirectory: string; out: string; network: string; protocolParameters: string }) => {
    const { epoch, signedMessage } = await exportGenesisPayload({ ...options, protocolParameters: scheduleSchema.parse(options.protocolParameters) });
    console.log(`exported the genesis payload of epoch ${epoch} (signed message ${signedMessage}) to ${options.out}`);
  });

program
  .command('sign')
  .description('sign a genesis payload (offline)')
  .requiredOption('--payload <file>', 'payload file')
  .requiredOption('--secret-key <file>', 'genesis secret key file')
  .requiredOption('--out <file>', 'signature file to write')
  .option('--allow-insecure-key-permissions', 'accept a secret key file that group or others may read', false)
  .action(async (options: { payload: string; secretKey: string; out: string; allowInsecureKeyPermissions: boolean }) => {
    await signGenesisPayload(options.payload, options.secretKey, options.out, { allowInsecureKeyPermissions: options.allowInsecureKeyPermissions });
    console.log(`signed; signature written to ${options.out}`);
  });

program
  .command('import')
  .description('verify the signature and store the genesis certificate')
  .requiredOption('--store-url <url>', 'aggregator database')
  .requiredOption('--payload <file>', 'payload file')
  .requiredOption('--signature <file>', 'signature file')
  .requiredOption('--verification-key <file>', 'genesis verification key file')
  .action(async (options: { storeUrl: string; payload: string; signature: string; verificationKey: string }) => {
    const certificate = await importGenesisCertificate({
      storeUrl: options.storeUrl,
      payloadPath: options.payload,
      signaturePath: options.signature,
      verificationKeyPath: options.verificationKey,
    });
    console.log(`imported the genesis certificate ${certificate.hash} of epoch ${certificate.epoch}`);
  });

try {
  await program.parseAsync();
} catch (error) {
  console.error(`mithril-genesis: ${(error as Error).message}`);
  process.exit(1);
}
