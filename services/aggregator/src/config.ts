/** The aggregator's settings (defaults < JSON file < MITHRIL_AGGREGATOR_* environment < --options). */
import { z } from 'zod';
import { SIGNED_ENTITY_KINDS } from '@mithril-ts/protocol';
import {
  ERA_SETTING_DESCRIPTIONS,
  eraSettings,
  requireEraSettings,
  HEALTH_SETTING_DESCRIPTIONS,
  METRICS_SETTING_DESCRIPTIONS,
  TLS_SETTING_DESCRIPTIONS,
  allowedClientsSetting,
  healthSettings,
  loadConfig,
  metricsSettings,
  requireTlsFiles,
  tlsSettings,
  CHAIN_OBSERVER_SETTING_DESCRIPTIONS,
  chainObserverSettings,
  requireChainObserverSettings,
} from '@mithril-ts/service-kit';
import { MAX_LEASE_CHECK_INTERVAL_MS } from './leadership/lease.js';
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

/**
 * TLS: one port serves public reads (certificates, artifacts, epoch settings read by signers) and the
 * internal intake (RegisterSigner, RegisterSignatures). A client certificate is asked for but not
 * required by the handshake; the intake RPCs need one issued by tlsCaFile naming one of
 * allowedClients (by default the signer gateway). The certificate and key are also the
 * aggregator's client certificate towards the snapshotter.
 */
export const aggregatorConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(50052),
    /** Cardano network name certificates carry. */
    network: z.string().min(1).max(64).default('devnet'),
    /**
     * The cardano-node version the aggregator's chain observer talks to; reported in /status
     * (GetAggregatorStatus). Set by the operator (e.g. from `cardano-cli version`): the JSON files
     * the chain observer reads do not carry it.
     */
    cardanoNodeVersion: z
      .string()
      .regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/, 'a version such as 10.1.4')
      .default('10.1.4'),
    /** `file:<path>` (SQLite, the default) or `postgresql://…`; migrations are applied at start. */
    storeUrl: z.string().min(1).default('file:./mithril-aggregator.sqlite'),
    ...chainObserverSettings,
    /** Slots per KES period (Shelley genesis `slotsPerKESPeriod`; 129600 on mainnet): the aggregator checks registrations' KES evidence itself. */
    slotsPerKesPeriod: z.coerce.bigint().positive().default(129600n),
    /** The `immutable/` directory of the aggregator's Cardano node database. */
    immutableDirectory: z.string().min(1),
    /** Protocol parameters by epoch: `[{"fromEpoch":0,"k":…,"m":…,"phiF":…}, …]`. */
    protocolParameters: scheduleSchema.default([{ fromEpoch: 0n, k: 5n, m: 100n, phiF: 0.65 }]),
    signedEntityKinds: kindsSchema.default(['MithrilStakeDistribution', 'CardanoDatabase']),
    runIntervalMs: z.coerce.number().int().min(10).max(3_600_000).default(1000),
    /** Epochs of per-epoch state kept; certificates are never pruned. */
    retentionEpochs: z.coerce.bigint().min(3n).default(10n),
    maxConsecutiveErrors: z.coerce.number().int().min(1).default(30),
    /** How long a single signature for a message not open yet is held (answered BUFFERED) waiting for it to open. */
    signatureBufferTtlMs: z.coerce.number().int().min(0).max(3_600_000).default(120_000),
    /** Signatures held per signer, and in all, while their messages are not open. */
    signatureBufferMaxPerSigner: z.coerce.number().int().min(0).max(1000).default(8),
    signatureBufferMaxTotal: z.coerce.number().int().min(0).max(1_000_000).default(20_000),
    /**
     * `auto`: only the replica holding the runtime lease runs the epoch runtime (PostgreSQL: an
     * advisory lock, any number of replicas; SQLite: an exclusive lock file, a second process is
     * refused). `none`: no lease (the operator guarantees one replica; two would fork the chain).
     */
    leaderElection: z.enum(['auto', 'none']).default('auto'),
    /** How often the leader checks it still holds the PostgreSQL lease (each check bounded by it): at most 4 s, see leadership/lease.ts. */
    leaseCheckIntervalMs: z.coerce.number().int().min(100).max(MAX_LEASE_CHECK_INTERVAL_MS).default(2000),
    /** How often a follower tries to take the lease (and refreshes what it serves). */
    leaseRetryIntervalMs: z.coerce.number().int().min(100).max(60_000).default(2000),
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
    otlpEndpoint: z.string().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ...metricsSettings,
    ...healthSettings,
    ...eraSettings,
    ...tlsSettings,
    ...allowedClientsSetting(['signer-gateway']),
  })
  .superRefine(requireTlsFiles(['tlsCertFile', 'tlsKeyFile', 'tlsCaFile']))
  .superRefine(requireChainObserverSettings)
  .superRefine(requireEraSettings);

/** The RPCs of the internal intake, reserved to allowedClients; every other RPC is a public read. */
export const INTERNAL_RPCS = ['RegisterSigner', 'RegisterSignatures'] as const;

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
      cardanoNodeVersion: 'the cardano-node version the chain observer talks to; reported in /status',
      storeUrl: 'database: file:<path> (SQLite) or postgresql://…',
      ...CHAIN_OBSERVER_SETTING_DESCRIPTIONS,
      slotsPerKesPeriod: 'slots per KES period of the network',
      immutableDirectory: "the node database's immutable/ directory",
      protocolParameters: 'JSON list of {fromEpoch, k, m, phiF}',
      signedEntityKinds: 'comma-separated kinds to certify (MithrilStakeDistribution, CardanoDatabase)',
      runIntervalMs: 'milliseconds between two runtime cycles',
      retentionEpochs: 'epochs of registrations, stake, messages and signatures kept',
      maxConsecutiveErrors: 'consecutive failed cycles before the runtime stops',
      signatureBufferTtlMs: 'how long a signature for a message not open yet is held (ms); it is verified and counted when the message opens',
      signatureBufferMaxPerSigner: 'signatures held per signer while their messages are not open (0: none held, NO_OPEN_MESSAGE as before)',
      signatureBufferMaxTotal: 'signatures held in all while their messages are not open',
      leaderElection: 'auto (one replica runs the runtime: PostgreSQL advisory lock, or the single SQLite replica) or none (unsafe with several replicas)',
      leaseCheckIntervalMs: "milliseconds between the leader's checks of its lease (at most 4000)",
      leaseRetryIntervalMs: "milliseconds between a follower's attempts to take the lease",
      snapshotterAddress: 'host:port of the snapshotter (archives of certified Cardano databases)',
      snapshotDeadlineMs: 'deadline of one snapshot creation (ms)',
      bootstrapGenesisSecretKeyFile: 'DEVNET ONLY: genesis secret key file to sign the genesis certificate automatically',
      otlpEndpoint: 'OTLP/gRPC endpoint for traces and metrics',
      logLevel: 'log level',
      ...METRICS_SETTING_DESCRIPTIONS,
      ...HEALTH_SETTING_DESCRIPTIONS,
      ...ERA_SETTING_DESCRIPTIONS,
      ...TLS_SETTING_DESCRIPTIONS,
      allowedClients: 'comma-separated client identities (certificate DNS name or common name) allowed on RegisterSigner and RegisterSignatures',
    },
  });
}
