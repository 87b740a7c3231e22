/** The genesis ceremony's steps as functions (the `mithril-genesis` CLI is a thin shell over them). */
import { readFile, writeFile } from 'node:fs/promises';
import { fromHex, toHex } from '@mithril-ts/codec';
import { GenesisSigner, createGenesisPayload, genesisPayloadBytes, importGenesisSignature, timestampFromDate, type Certificate } from '@mithril-ts/protocol';
import { CardanoCliFilesChainObserver } from '@mithril-ts/service-kit';
import { readGenesisPayload, readGenesisSigner, readGenesisVerificationKey, writeGenesisKeys, writeGenesisPayload } from './genesis.js';
import { loadEpochContext } from './runtime/epoch-context.js';
import { AggregatorError } from './runtime/errors.js';
import { parametersSchedule, type ScheduleEntry } from './runtime/parameters.js';
import { certificateRecordOf, openAggregatorStore } from './store/index.js';

/** Writes a new genesis key pair (json-hex files, as the reference distributes the verification key). */
export async function generateGenesisKeys(secretKeyPath: string, verificationKeyPath: string): Promise<Uint8Array> {
  const signer = GenesisSigner.generate();
  await writeGenesisKeys(signer, secretKeyPath, verificationKeyPath);
  return signer.verificationKey();
}

/** Exports the payload of the chain's current epoch: the AVK of the signers recorded for it. */
export async function exportGenesisPayload(options: {
  readonly storeUrl: string;
  readonly chainDirectory: string;
  readonly network: string;
  readonly protocolParameters: readonly ScheduleEntry[];
  readonly out: string;
}): Promise<{ epoch: bigint; signedMessage: string }> {
  const opened = await openAggregatorStore({ url: options.storeUrl });
  try {
    const chain = new CardanoCliFilesChainObserver(options.chainDirectory);
    const { epoch } = await chain.currentTip();
    const context = await loadEpochContext(opened.store, chain, parametersSchedule(options.protocolParameters), epoch);
    const next = context.settings.nextSigners;
    if (next === undefined) throw new AggregatorError('GENESIS', `no signer is recorded for epoch ${epoch}: wait for registrations, then export again`);
    const payload = createGenesisPayload({
      network: options.network,
      epoch,
      parameters: context.settings.currentParameters,
      nextParameters: context.settings.nextParameters,
      avk: next.avk,
      timestamp: timestampFromDate(new Date()),
    });
    await writeGenesisPayload(options.out, payload);
    return { epoch, signedMessage: payload.signedMessage };
  } finally {
    await opened.close();
  }
}

/**
 * The offline step: signs the message recomputed from the payload file's content; writes the
 * signature as hex. The secret key file must be readable by its owner only unless told otherwise.
 */
export async function signGenesisPayload(
  payloadPath: string,
  secretKeyPath: string,
  out: string,
  options: { readonly allowInsecureKeyPermissions?: boolean } = {},
): Promise<string> {
  const payload = await readGenesisPayload(payloadPath);
  const signer = readGenesisSigner(secretKeyPath, {
    allowInsecurePermissions: options.allowInsecureKeyPermissions === true,
    overrideHint: 'pass --allow-insecure-key-permissions to accept it',
  });
  const signature = toHex(signer.sign(genesisPayloadBytes(payload)));
  await writeFile(out, `${signature}\n`);
  return signature;
}

/** Verifies the signature under the genesis verification key and stores the genesis certificate. */
export async function importGenesisCertificate(options: {
  readonly storeUrl: string;
  readonly payloadPath: string;
  readonly signaturePath: string;
  readonly verificationKeyPath: string;
}): Promise<Certificate> {
  const payload = await readGenesisPayload(options.payloadPath);
  const signatureText = (await readFile(options.signaturePath, 'utf8')).trim();
  if (!/^[0-9a-f]{128}$/.test(signatureText))
    throw new AggregatorError('GENESIS', `${options.signaturePath}: a genesis signature is 128 lowercase hex characters`);
  const verificationKey = await readGenesisVerificationKey(options.verificationKeyPath);
  let certificate: Certificate;
  try {
    certificate = importGenesisSignature(payload, fromHex(signatureText), verificationKey);
  } catch (cause) {
    throw new AggregatorError('GENESIS', (cause as Error).message, { cause });
  }
  const opened = await openAggregatorStore({ url: options.storeUrl });
  try {
    await opened.store.certificates.save(certificateRecordOf(certificate));
  } finally {
    await opened.close();
  }
  return certificate;
}
