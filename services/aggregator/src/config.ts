/** The aggregator's settings (defaults < JSON file < MITHRIL_AGGREGATOR_* environment < --options). */
import { z } from 'zod';
import { SIGNED_ENTITY_KINDS } from '@mithril-ts/protocol';
import { ALLOW_INSECURE_KEY_PERMISSIONS_DESCRIPTION, allowInsecureKeyPermissionsSchema, loadConfig } from '@mithril-ts/service-kit';
import { scheduleSchema } from './runtime/parameters.js';

const kindsSchema = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((kind) => kind.trim())
          .filter((kind) => kind !== '')
      : value,
  z.array(z.enum(SIGNED_ENTITY_KINDS)).min(1),
);

export const aggregatorConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(50052),
  /** Cardano network name certificates carry. */
  network: z.string().min(1).max(64).default('devnet'),
  /** `file:<path>` (SQLite, the default) or `postgresql://…`; migrations are applied at start. */
  storeUrl: z.string().min(1).default('file:./mithril-aggregator.sqlite'),
  /** Directory of the cardano-cli JSON outputs (tip.json, stake-snapshot-<epoch>.json). */
  chainDirectory: z.string().min(1),
  /** The `immutable/` directory of the aggregator's Cardano node database. */
  immutableDirectory: z.string().min(1),
  /** Protocol parameters by epoch: `[{"fromEpoch":0,"k":…,"m":…,"phiF":…}, …]`. */
  protocolParameters: scheduleSchema.default([{ fromEpoch: 0n, k: 5n, m: 100n, phiF: 0.65 }]),
  signedEntityKinds: kindsSchema.default(['MithrilStakeDistribution', 'CardanoDatabase']),
  runIntervalMs: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  /** Epochs of per-epoch state kept; certificates are never pruned. */
  retentionEpochs: z.coerce.bigint().min(3n).default(10n),
  maxConsecutiveErrors: z.coerce.number().int().min(1).default(30),
  /** host:port of the snapshotter; without one, CardanoDatabase certificates are made but no snapshot archives. */
  snapshotterAddress: z.string().min(1).optional(),
  /** Deadline of one snapshot creation (archiving a large database takes minutes). */
  snapshotDeadlineMs: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 60_000),
  /** Devnet only: a genesis secret key file; the aggregator then signs its own genesis certificate. */
  bootstrapGenesisSecretKeyFile: z.string().optional(),
  /** Accept a bootstrap genesis secret key file that group or others may read (refused by default). */
  allowInsecureKeyPermissions: allowInsecureKeyPermissionsSchema,
  otlpEndpoint: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AggregatorConfig = z.infer<typeof aggregatorConfigSchema>;
export type AggregatorConfigInput = z.input<typeof aggregatorConfigSchema>;

export function loadAggregatorConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): AggregatorConfig {
  return loadConfig(aggregatorConfigSchema, {
    envPrefix: 'MITHRIL_AGGREGATOR',
    programName: 'mithril-aggregator',
    ...(argv ? { argv } : {}),
    ...(env ? { env } : {}),
    descriptions: {
      host: 'address to listen on',
      port: 'port to listen on (0 picks a free one)',
      network: 'Cardano network name',
      storeUrl: 'database: file:<path> (SQLite) or postgresql://…',
      chainDirectory: 'directory of cardano-cli JSON outputs (tip.json, stake-snapshot-<epoch>.json)',
      immutableDirectory: "the node database's immutable/ directory",
      protocolParameters: 'JSON list of {fromEpoch, k, m, phiF}',
      signedEntityKinds: 'comma-separated kinds to certify (MithrilStakeDistribution, CardanoDatabase)',
      runIntervalMs: 'milliseconds between two runtime cycles',
      retentionEpochs: 'epochs of registrations, stake, messages and signatures kept',
      maxConsecutiveErrors: 'consecutive failed cycles before the runtime stops',
      snapshotterAddress: 'host:port of the snapshotter (archives of certified Cardano databases)',
      snapshotDeadlineMs: 'deadline of one snapshot creation (ms)',
      bootstrapGenesisSecretKeyFile: 'DEVNET ONLY: genesis secret key file to sign the genesis certificate automatically',
      allowInsecureKeyPermissions: ALLOW_INSECURE_KEY_PERMISSIONS_DESCRIPTION,
      otlpEndpoint: 'OTLP/gRPC endpoint for traces and metrics',
      logLevel: 'log level',
    },
  });
}
