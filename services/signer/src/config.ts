/** The signer's settings (defaults < JSON file < MITHRIL_SIGNER_* environment < --options). */
import { z } from 'zod';
import {
  ALLOW_INSECURE_KEY_PERMISSIONS_DESCRIPTION,
  TLS_SETTING_DESCRIPTIONS,
  loadConfig,
  requireTlsFiles,
  tlsSettings,
  METRICS_SETTING_DESCRIPTIONS,
  metricsSettings,
  CHAIN_OBSERVER_SETTING_DESCRIPTIONS,
  chainObserverSettings,
  requireChainObserverSettings,
  ERA_SETTING_DESCRIPTIONS,
  eraSettings,
  requireEraSettings,
} from '@mithril-ts/service-kit';

/** SHA-256 of a DER certificate, hex, with or without colons. */
const fingerprint = z
  .string()
  .regex(/^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/, 'a SHA-256 fingerprint: 64 hex digits, colons allowed')
  .optional();

/**
 * TLS: the signer is a client of the signer gateway and of the aggregator's public reads. Their
 * certificates are verified against the system CA store, or against tlsCaFile when given (a
 * network's own CA); a fingerprint setting additionally pins the exact certificate a peer must
 * present. No client certificate is needed (tlsCertFile/tlsKeyFile, if given, are presented).
 */
export const signerConfigSchema = z
  .object({
    /** The pool's key files: kes.skey and opcert.cert (cold keys are not needed). */
    keysDirectory: z.string().min(1),
    ...chainObserverSettings,
    /** The node's `immutable/` directory. */
    immutableDirectory: z.string().min(1),
    /** host:port of the aggregator's gRPC API (epoch settings). */
    aggregatorAddress: z.string().min(1),
    /** host:port of the signer gateway (registrations and signatures). */
    signerGatewayAddress: z.string().min(1),
    /** SQLite file of the signer's store (a path, file:PATH or sqlite:PATH); it holds secret keys. */
    storeUrl: z.string().min(1),
    /** Slots per KES period of the network (Shelley genesis `slotsPerKESPeriod`; 129600 on mainnet). */
    slotsPerKesPeriod: z.coerce.bigint().positive().default(129600n),
    /** Time between the end of one cycle and the start of the next. */
    runIntervalMs: z.coerce.number().int().min(1).default(60_000),
    /** The node counts as synced from this sync progress (percent) on. */
    minSyncProgress: z.coerce.number().min(0).max(100).default(100),
    /** Deadline of each call to the aggregator. */
    aggregatorDeadlineMs: z.coerce.number().int().positive().default(10_000),
    /** Deadline of each call to the signer gateway. */
    gatewayDeadlineMs: z.coerce.number().int().positive().default(10_000),
    /** How many epochs the record of what was signed is kept. */
    handledRetentionEpochs: z.coerce.number().int().min(1).max(1000).default(5),
    otlpEndpoint: z.string().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ...metricsSettings,
    ...eraSettings,
    ...tlsSettings,
    /** SHA-256 fingerprint the signer gateway's certificate must have (on top of the chain and name checks). */
    gatewayCertificateFingerprint: fingerprint,
    /** SHA-256 fingerprint the aggregator's certificate must have (on top of the chain and name checks). */
    aggregatorCertificateFingerprint: fingerprint,
  })
  .superRefine(requireTlsFiles([]))
  .superRefine(requireChainObserverSettings)
  .superRefine(requireEraSettings);

export type SignerConfig = z.infer<typeof signerConfigSchema>;

export function loadSignerConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): SignerConfig {
  return loadConfig(signerConfigSchema, {
    envPrefix: 'MITHRIL_SIGNER',
    programName: 'mithril-signer',
    ...(argv ? { argv } : {}),
    ...(env ? { env } : {}),
    descriptions: {
      keysDirectory: "directory of the pool's kes.skey and opcert.cert",
      allowInsecureKeyPermissions: ALLOW_INSECURE_KEY_PERMISSIONS_DESCRIPTION,
      ...CHAIN_OBSERVER_SETTING_DESCRIPTIONS,
      immutableDirectory: "the Cardano node's immutable/ directory",
      aggregatorAddress: 'host:port of the aggregator gRPC API',
      signerGatewayAddress: 'host:port of the signer gateway',
      storeUrl: 'SQLite file of the signer store (holds secret keys)',
      slotsPerKesPeriod: 'slots per KES period of the network',
      runIntervalMs: 'milliseconds between two cycles',
      minSyncProgress: 'sync progress (percent) from which the node counts as synced',
      aggregatorDeadlineMs: 'deadline of a call to the aggregator (ms)',
      gatewayDeadlineMs: 'deadline of a call to the signer gateway (ms)',
      handledRetentionEpochs: 'epochs during which what was signed is remembered',
      otlpEndpoint: 'OTLP/gRPC endpoint for traces and metrics',
      logLevel: 'log level',
      ...METRICS_SETTING_DESCRIPTIONS,
      ...ERA_SETTING_DESCRIPTIONS,
      insecure: TLS_SETTING_DESCRIPTIONS.insecure,
      tlsCertFile: 'PEM client certificate presented to the gateway and the aggregator (optional)',
      tlsKeyFile: TLS_SETTING_DESCRIPTIONS.tlsKeyFile,
      tlsCaFile: "PEM CA bundle the gateway's and the aggregator's certificates are verified against (the system store without it)",
      gatewayCertificateFingerprint: "SHA-256 fingerprint the signer gateway's certificate must have (hex, colons allowed)",
      aggregatorCertificateFingerprint: "SHA-256 fingerprint the aggregator's certificate must have (hex, colons allowed)",
    },
  });
}
