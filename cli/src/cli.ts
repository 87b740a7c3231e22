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
import { AGGREGATOR_ENV, CA_FILE_ENV, GENESIS_KEY_ENV, hashOrLatest, positiveInteger, type GlobalOptions } from './commands/options.js';

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
  ${EXIT_CODES.internal}   internal error
  ${EXIT_CODES.interrupted}  interrupted

Environment:
  ${AGGREGATOR_ENV}        default for --aggregator
  ${GENESIS_KEY_ENV}   default genesis verification key
  ${CA_FILE_ENV}                    default for --ca-file
  ${BLS_BACKEND_ENV}            default for --bls-backend`;

const BLS_BACKENDS: readonly BlsBackendChoice[] = ['auto', 'blst', 'noble'];

/** The verifier's BLS backend: 'auto' is native blst where its binary loads, else the pure-JS reference (noble). */
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
    .option('--bls-backend <backend>', `BLS backend of verification: auto (native blst when it loads, else noble), blst or noble [${BLS_BACKEND_ENV}]`)
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
      .option('--full-archive', 'download the single full archive when the aggregator offers one (gRPC)');
  const TARGET = 'database directory to restore into (immutable files go to <dir>/immutable)';
  downloadOptions(
    snapshot
      .command('download')
      .description('download a snapshot into a new directory, verifying the certificate chain, the Merkle root and every file')
      .argument('<hash>', 'snapshot hash, or "latest"')
      .option('--target <dir>', TARGET, 'db'),
  ).action(
    run(async (ctx, hash, options) => {
      const o = options as { target: string; parallel: string; fullArchive?: boolean };
      return (await commands.snapshot()).snapshotRestore(ctx, 'snapshot download', hashOrLatest(hash as string, 'the snapshot'), {
        target: o.target,
        fromExisting: false,
        fullArchive: o.fullArchive === true,
        parallel: positiveInteger(o.parallel, '--parallel', MAX_PARALLEL),
      });
    }),
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
      const o = options as { target: string; parallel: string; fullArchive?: boolean; fromExisting?: boolean };
      return (await commands.snapshot()).snapshotRestore(ctx, 'snapshot restore', hashOrLatest(hash as string, 'the snapshot'), {
        target: o.target,
        fromExisting: o.fromExisting === true,
        fullArchive: o.fullArchive === true,
        parallel: positiveInteger(o.parallel, '--parallel', MAX_PARALLEL),
      });
    }),
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
    return EXIT_CODES.ok;
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
