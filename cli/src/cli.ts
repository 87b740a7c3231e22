/**
 * The command line: commander parses, each command runs against a CommandContext, and every
 * outcome becomes an exit code (see EXIT_CODES). `runCli` runs in-process, so tests and
 * embedders drive exactly what the `mithril-client` bin runs.
 */
import { Command, CommanderError } from 'commander';
import { configureBls, type BlsBackendChoice } from '@mithril-ts/stm/native';
import { CliError, EXIT_CODES, toCliError } from './errors.js';
import { Output, type CliIo } from './output.js';
import { CLIENT_VERSION } from './version.js';
import type { CommandContext } from './commands/context.js';
import type { RestoreCommandOptions } from './commands/snapshot.js';
import { AGGREGATOR_ENV, ANCILLARY_KEY_ENV, CA_FILE_ENV, GENESIS_KEY_ENV, hashOrLatest, positiveInteger, type GlobalOptions } from './commands/options.js';

// The commands and what they use (transports, verification, restore) load when one runs, not for
// --help or a usage error: the bin starts in a fraction of the time.
const commands = {
  snapshot: () => import('./commands/snapshot.js'),
  certificate: () => import('./commands/certificate.js'),
  stakeDistribution: () => import('./commands/stake-distribution.js'),
};

const MAX_LIST = 1000;
const BLS_BACKEND_ENV = 'MITHRIL_BLS_BACKEND';
const MAX_PARALLEL = 64;
const EXIT_CODES_HELP = `
Exit codes:
  ${EXIT_CODES.ok}    success
  ${EXIT_CODES.verification}    verification failed (certificate chain, multi-signature, Merkle root, file digest, archive)
  ${EXIT_CODES.usage}    usage error (arguments, missing or invalid genesis key, target in the way)
  ${EXIT_CODES.network}    aggregator or download location unreachable, refusing or answering garbage
  ${EXIT_CODES.notFound}    snapshot, certificate or stake distribution not found
  ${EXIT_CODES.localIo}    local file system error
  ${EXIT_CODES.dbFilesMissing}    snapshot verify: certified files missing (none modified; a modified file is ${EXIT_CODES.verification})
  ${EXIT_CODES.dbFilesExtra}    snapshot verify: files the snapshot does not list (none missing or modified)
  ${EXIT_CODES.internal}   internal error
  ${EXIT_CODES.interrupted}  interrupted

Environment:
  ${AGGREGATOR_ENV}        default for --aggregator
  ${GENESIS_KEY_ENV}   default genesis verification key
  ${CA_FILE_ENV}                    default for --ca-file
  ${BLS_BACKEND_ENV}            default for --bls-backend
  ${ANCILLARY_KEY_ENV} default for --ancillary-verification-key`;

const BLS_BACKENDS: readonly BlsBackendChoice[] = ['auto', 'blst', 'noble'];

/**
 * The verifier's BLS backend: 'auto' is native blst where its binary loads (else mcl in WebAssembly,
 * else noble) with mcl's pairings; 'noble' the pure-JS reference throughout.
 */
async function applyBlsBackend(setting: string | undefined): Promise<void> {
  const choice = (setting ?? 'auto') as BlsBackendChoice;
  if (!BLS_BACKENDS.includes(choice)) {
    throw new CliError('usage', `--bls-backend: expected one of ${BLS_BACKENDS.join(', ')}, got ${JSON.stringify(setting)}`, { reason: 'INVALID_BLS_BACKEND' });
  }
  try {
    await configureBls(choice);
  } catch (cause) {
    throw new CliError('usage', `--bls-backend ${choice}: ${(cause as Error).message}`, { reason: 'INVALID_BLS_BACKEND', cause });
  }
}

type Action = (context: CommandContext, ...args: unknown[]) => Promise<void>;

/** A non-negative integer option (immutable file numbers, network magic). */
function u64Option(text: string, option: string, max = (1n << 64n) - 1n): bigint {
  if (!/^\d{1,20}$/.test(text.trim()) || BigInt(text.trim()) > max) {
    throw new CliError('usage', `${option} must be an integer from 0 to ${max}, got ${JSON.stringify(text)}`, { reason: 'INVALID_ARGUMENT' });
  }
  return BigInt(text.trim());
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const output = new Output(io, json);
  let context: CommandContext | undefined;

  const run =
    (action: Action) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const { CommandContext } = await import('./commands/context.js');
      const options = command.optsWithGlobals<GlobalOptions & { blsBackend?: string }>();
      await applyBlsBackend(options.blsBackend ?? io.env[BLS_BACKEND_ENV]);
      context = new CommandContext(io, output, options);
      await action(context, ...args.slice(0, -1));
    };

  const program = new Command('mithril-client')
    .description('Download, verify and restore Mithril-certified Cardano database snapshots and stake distributions, over REST or gRPC.')
    .version(CLIENT_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => (json ? undefined : io.stderr.write(text)) })
    .option(
      '--aggregator <endpoint>',
      `aggregator: http(s)://host[:port]/aggregator (REST), grpc://host:port, grpcs://host:port or host:port (gRPC) [${AGGREGATOR_ENV}]`,
    )
    .option('--genesis-verification-key <key>', `genesis verification key (json-hex or hex) [${GENESIS_KEY_ENV}]`)
    .option('--genesis-verification-key-file <path>', 'file holding the genesis verification key')
    .option(
      '--ca-file <pem>',
      `CA certificate(s) (PEM) the aggregator's TLS certificate must chain to (https://, grpcs://), instead of the system's [${CA_FILE_ENV}]`,
    )
    .option('--json', 'machine-readable output: one JSON event per line on stdout')
    .option('--timeout <seconds>', 'deadline of each call to the aggregator API', '30')
    .option(
      '--bls-backend <backend>',
      `BLS backend of verification: auto (native blst when it loads, else WebAssembly mcl, else noble; mcl pairings), blst or noble (the pure-JS reference) [${BLS_BACKEND_ENV}]`,
    )
    .addHelpText('after', EXIT_CODES_HELP);

  const snapshot = program.command('snapshot').description('Cardano database snapshots');
  snapshot
    .command('list')
    .description('list the most recent snapshots')
    .option('--limit <n>', 'how many', '20')
    .action(
      run(async (ctx, options) => (await commands.snapshot()).snapshotList(ctx, positiveInteger((options as { limit: string }).limit, '--limit', MAX_LIST))),
    );
  snapshot
    .command('show')
    .description("show a snapshot, its certificate's signers' stake share and security level (verified when a genesis key is given)")
    .argument('<hash>', 'snapshot hash, or "latest"')
    .action(run(async (ctx, hash) => (await commands.snapshot()).snapshotShow(ctx, hashOrLatest(hash as string, 'the snapshot'))));
  const downloadOptions = (command: Command) =>
    command
      .option('--parallel <n>', 'archives downloaded at once', '4')
      .option('--full-archive', 'download the single full archive when the aggregator offers one (gRPC)')
      .option('--start <n>', 'first immutable file number to restore (default: the first)')
      .option('--end <n>', "last immutable file number to restore (default: the snapshot's)")
      .option(
        '--include-ancillary',
        'also restore the ancillary files (latest ledger state, last trio) so that a node starts without replaying the chain; their signed manifest is checked with the ancillary verification key',
      )
      .option('--ancillary-verification-key <key>', `the aggregator's ancillary verification key (json-hex or hex) [${ANCILLARY_KEY_ENV}]`)
      .option('--ancillary-verification-key-file <path>', 'file holding that key (a devnet: .devnet/ancillary/ancillary.vkey)')
      .option('--network-magic <n>', 'magic written to <dir>/protocolMagicId (default: the known magic of the certified network; none for mainnet)');
  interface DownloadFlags {
    target: string;
    parallel: string;
    fullArchive?: boolean;
    fromExisting?: boolean;
    start?: string;
    end?: string;
    includeAncillary?: boolean;
    ancillaryVerificationKey?: string;
    ancillaryVerificationKeyFile?: string;
    networkMagic?: string;
  }
  const restoreOptions = (o: DownloadFlags, fromExisting: boolean): RestoreCommandOptions => ({
    target: o.target,
    fromExisting,
    fullArchive: o.fullArchive === true,
    parallel: positiveInteger(o.parallel, '--parallel', MAX_PARALLEL),
    includeAncillary: o.includeAncillary === true,
    ...(o.ancillaryVerificationKey === undefined ? {} : { ancillaryVerificationKey: o.ancillaryVerificationKey }),
    ...(o.ancillaryVerificationKeyFile === undefined ? {} : { ancillaryVerificationKeyFile: o.ancillaryVerificationKeyFile }),
    ...(o.start === undefined ? {} : { start: u64Option(o.start, '--start') }),
    ...(o.end === undefined ? {} : { end: u64Option(o.end, '--end') }),
    ...(o.networkMagic === undefined ? {} : { networkMagic: Number(u64Option(o.networkMagic, '--network-magic', 0xffffffffn)) }),
  });
  const TARGET = 'database directory to restore into (immutable files go to <dir>/immutable)';
  downloadOptions(
    snapshot
      .command('download')
      .description('download a snapshot into a new directory, verifying the certificate chain, the Merkle root and every file')
      .argument('<hash>', 'snapshot hash, or "latest"')
      .option('--target <dir>', TARGET, 'db'),
  ).action(
    run(async (ctx, hash, options) =>
      (await commands.snapshot()).snapshotRestore(
        ctx,
        'snapshot download',
        hashOrLatest(hash as string, 'the snapshot'),
        restoreOptions(options as DownloadFlags, false),
      ),
    ),
  );
  downloadOptions(
    snapshot
      .command('restore')
      .description('restore a snapshot into a database directory; with --from-existing only missing or damaged immutable files are downloaded')
      .argument('[hash]', 'snapshot hash, or "latest"', 'latest')
      .requiredOption('--target <dir>', TARGET)
      .option('--from-existing', "reuse the target's immutable files that match the certified digests"),
  ).action(
    run(async (ctx, hash, options) => {
      const o = options as DownloadFlags;
      return (await commands.snapshot()).snapshotRestore(
        ctx,
        'snapshot restore',
        hashOrLatest(hash as string, 'the snapshot'),
        restoreOptions(o, o.fromExisting === true),
      );
    }),
  );
  snapshot
    .command('verify')
    .description(
      'check an existing database directory against a certified snapshot: report per file what is missing, extra or tampered (exit 0 intact, 1 tampered, 6 missing, 7 extra)',
    )
    .argument('[hash]', 'snapshot hash, or "latest"', 'latest')
    .requiredOption('--db-dir <dir>', 'the database directory (holding immutable/)')
    .action(
      run(async (ctx, hash, options) =>
        (await commands.snapshot()).snapshotVerify(ctx, hashOrLatest(hash as string, 'the snapshot'), (options as { dbDir: string }).dbDir),
      ),
    );

  const certificate = program.command('certificate').description('certificates');
  certificate
    .command('list')
    .description('list the most recent certificates')
    .option('--limit <n>', 'how many', '20')
    .action(
      run(async (ctx, options) =>
        (await commands.certificate()).certificateList(ctx, positiveInteger((options as { limit: string }).limit, '--limit', MAX_LIST)),
      ),
    );
  certificate
    .command('verify')
    .description('verify a certificate and its chain back to the genesis key')
    .argument('<hash>', 'certificate hash, "latest" or "genesis"')
    .action(
      run(async (ctx, hash) =>
        (await commands.certificate()).certificateVerify(ctx, hash === 'genesis' ? 'genesis' : hashOrLatest(hash as string, 'the certificate')),
      ),
    );

  const stakeDistribution = program.command('stake-distribution').description('Mithril stake distributions');
  stakeDistribution
    .command('list')
    .description('list the most recent stake distributions')
    .option('--limit <n>', 'how many', '20')
    .action(
      run(async (ctx, options) =>
        (await commands.stakeDistribution()).stakeDistributionList(ctx, positiveInteger((options as { limit: string }).limit, '--limit', MAX_LIST)),
      ),
    );
  stakeDistribution
    .command('show')
    .description('show a stake distribution, verified against its certificate and the chain back to genesis')
    .argument('<hash>', 'stake distribution hash, or "latest"')
    .action(run(async (ctx, hash) => (await commands.stakeDistribution()).stakeDistributionShow(ctx, hashOrLatest(hash as string, 'the stake distribution'))));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context?.exitCode ?? EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_CODES.ok;
      const usage = new CliError('usage', error.message.replace(/^error: /, ''), { reason: 'INVALID_USAGE' });
      if (json) output.error(usage); // in human mode commander has already explained
      return usage.exitCode;
    }
    const failure = toCliError(error);
    output.error(failure);
    return failure.exitCode;
  } finally {
    await context?.close();
  }
}
