/** The snapshotter's settings (defaults < JSON file < MITHRIL_SNAPSHOTTER_* environment < --options). */
import { z } from 'zod';
import {
  TLS_SETTING_DESCRIPTIONS,
  allowedClientsSetting,
  loadConfig,
  requireTlsFiles,
  tlsSettings,
  METRICS_SETTING_DESCRIPTIONS,
  metricsSettings,
  HEALTH_SETTING_DESCRIPTIONS,
  healthSettings,
} from '@mithril-ts/service-kit';

const flag = z.preprocess((value) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value), z.boolean());

/**
 * TLS: the snapshotter's gRPC port is internal. Every caller must present a client certificate
 * issued by tlsCaFile, naming one of allowedClients (by default the aggregator). The download server
 * (HTTP) is not covered: archives are public and checked by their certified digests.
 */
export const snapshotterConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    grpcPort: z.coerce.number().int().min(0).max(65535).default(50054),
    /** Address of the download server (local storage only). */
    httpHost: z.string().default('127.0.0.1'),
    httpPort: z.coerce.number().int().min(0).max(65535).default(8082),
    /** Cardano network name: beacons of another network are refused; it names the stored files. */
    network: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" or "-" (at most 64)'),
    /** The Cardano node's `immutable/` directory. */
    immutableDirectory: z.string().min(1),
    /** The node's `ledger/` directory (ledger-state snapshots); default: `ledger` beside the immutable directory. */
    ledgerDirectory: z.string().min(1).optional(),
    /**
     * The ancillary secret key (Ed25519, json-hex or hex, a file readable by its owner only unless allowInsecureKeyPermissions): with it
     * every snapshot also gets an ancillary archive (latest ledger snapshot + last trio) with a
     * manifest signed by this key; without it there is none.
     */
    ancillarySigningKeyFile: z.string().min(1).optional(),
    /** Version of the Cardano node whose database is archived (reported in the artifacts). */
    cardanoNodeVersion: z.string().min(1).max(64).default('10.1.4'),
    storage: z.enum(['local', 's3']).default('local'),
    /** Local storage: the directory archives are written to and served from. */
    storageDirectory: z.string().min(1).optional(),
    /** Base of the download URLs put in artifacts (local storage: the download server's own `http://host:port/artifacts` when absent). */
    publicUrl: z.url().optional(),
    s3Endpoint: z.url().optional(),
    s3Region: z.string().min(1).default('us-east-1'),
    s3Bucket: z.string().min(1).optional(),
    s3AccessKeyId: z.string().min(1).optional(),
    s3SecretAccessKey: z.string().min(1).optional(),
    s3ForcePathStyle: flag.default(true),
    s3KeyPrefix: z.string().default(''),
    s3PartSizeBytes: z.coerce
      .number()
      .int()
      .min(5 * 1024 * 1024)
      .max(5 * 1024 * 1024 * 1024)
      .default(64 * 1024 * 1024),
    /** SQLite file of the snapshot records (and of the digest cache when it is "sqlite"). */
    storePath: z.string().min(1),
    digestCache: z.enum(['sqlite', 'json', 'memory']).default('sqlite'),
    /** JSON file of the "json" digest cache. */
    digestCachePath: z.string().min(1).optional(),
    /** Compression of the archives written: gzip (readable by any tar) or zstd (smaller; clients need zstd). */
    compression: z.enum(['gzip', 'zstd']).default('gzip'),
    /** How many snapshots (with their full archives) are kept; per-immutable archives are kept while one of them needs them. */
    keepSnapshots: z.coerce.number().int().min(1).default(3),
    /** The aggregator (host:port) asked for the certificate a CreateSnapshot names: only a certificate of those files makes a snapshot. */
    aggregatorAddress: z.string().min(1),
    /** Deadline of that question, in milliseconds. */
    aggregatorDeadlineMs: z.coerce.number().int().min(100).max(600_000).default(10_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    ...metricsSettings,
    ...healthSettings,
    ...tlsSettings,
    ...allowedClientsSetting(['aggregator']),
  })
  .superRefine(requireTlsFiles(['tlsCertFile', 'tlsKeyFile', 'tlsCaFile']))
  .superRefine((config, context) => {
    if (config.storage === 'local' && config.storageDirectory === undefined) {
      context.addIssue({ code: 'custom', path: ['storageDirectory'], message: 'required with local storage' });
    }
    if (config.storage === 's3' && config.s3Bucket === undefined) context.addIssue({ code: 'custom', path: ['s3Bucket'], message: 'required with s3 storage' });
    if ((config.s3AccessKeyId === undefined) !== (config.s3SecretAccessKey === undefined)) {
      context.addIssue({ code: 'custom', path: ['s3SecretAccessKey'], message: 's3AccessKeyId and s3SecretAccessKey go together' });
    }
    if (config.digestCache === 'json' && config.digestCachePath === undefined) {
      context.addIssue({ code: 'custom', path: ['digestCachePath'], message: 'required with the json digest cache' });
    }
  });

/** Settings with their defaults applied. */
export type SnapshotterConfig = z.infer<typeof snapshotterConfigSchema>;
/** Settings as given (defaults may be left out). */
export type SnapshotterConfigInput = z.input<typeof snapshotterConfigSchema>;

export function loadSnapshotterConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): SnapshotterConfig {
  return loadConfig(snapshotterConfigSchema, {
    envPrefix: 'MITHRIL_SNAPSHOTTER',
    programName: 'mithril-snapshotter',
    ...(argv ? { argv } : {}),
    ...(env ? { env } : {}),
    descriptions: {
      host: 'address of the gRPC server',
      grpcPort: 'port of the gRPC server (0 picks a free one)',
      httpHost: 'address of the download server (local storage)',
      httpPort: 'port of the download server (0 picks a free one)',
      network: 'Cardano network name (e.g. mainnet, preprod, devnet)',
      immutableDirectory: "the Cardano node's immutable/ directory",
      ledgerDirectory: "the Cardano node's ledger/ directory (default: ledger beside the immutable directory)",
      ancillarySigningKeyFile: "ancillary secret key file (Ed25519, json-hex): signs the manifest of each snapshot's ancillary archive; none without it",
      cardanoNodeVersion: 'version of the Cardano node whose database is archived',
      storage: 'artifact storage: local or s3',
      storageDirectory: 'local storage directory',
      publicUrl: 'base URL of downloads in artifacts',
      s3Endpoint: 'S3-compatible endpoint URL (AWS when absent)',
      s3Region: 'S3 region',
      s3Bucket: 'S3 bucket',
      s3AccessKeyId: 'S3 access key id (default provider chain when absent)',
      s3SecretAccessKey: 'S3 secret access key',
      s3ForcePathStyle: 'path-style S3 URLs (true/false)',
      s3KeyPrefix: 'prefix of every S3 object key',
      s3PartSizeBytes: 'S3 multipart upload part size in bytes',
      storePath: 'SQLite file of snapshot records',
      digestCache: 'digest cache: sqlite, json or memory',
      digestCachePath: 'JSON file of the json digest cache',
      compression: 'archive compression (gzip or zstd)',
      keepSnapshots: 'number of snapshots kept',
      aggregatorAddress: 'aggregator host:port asked for the certificate of each CreateSnapshot',
      aggregatorDeadlineMs: 'deadline of the certificate request to the aggregator (ms)',
      logLevel: 'log level',
      ...METRICS_SETTING_DESCRIPTIONS,
      ...HEALTH_SETTING_DESCRIPTIONS,
      ...TLS_SETTING_DESCRIPTIONS,
    },
  });
}
