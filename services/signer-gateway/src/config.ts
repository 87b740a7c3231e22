/** The signer gateway's settings (defaults < JSON file < MITHRIL_SIGNER_GATEWAY_* environment < --options). */
import { z } from 'zod';
import {
  TLS_SETTING_DESCRIPTIONS,
  loadConfig,
  requireTlsFiles,
  tlsSettings,
  METRICS_SETTING_DESCRIPTIONS,
  metricsSettings,
  HEALTH_SETTING_DESCRIPTIONS,
  healthSettings,
} from '@mithril-ts/service-kit';

const milliseconds = (fallback: number) => z.coerce.number().int().positive().max(3_600_000).default(fallback);
const perSecond = (fallback: number) => z.coerce.number().positive().finite().default(fallback);
const burst = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/**
 * TLS: the gateway's port is public (signers of any pool call it, no client certificate asked);
 * its certificate and key are also its client certificate towards the certifier and the aggregator,
 * whose certificates are verified against tlsCaFile.
 */
export const signerGatewayConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(50052),
    /** host:port of the certifier (CertifierService). */
    certifierAddress: z.string().min(1),
    /** host:port of the aggregator (AggregatorService). */
    aggregatorAddress: z.string().min(1),
    certifierDeadlineMs: milliseconds(5_000),
    aggregatorDeadlineMs: milliseconds(5_000),
    /**
     * Per pool. A pool registers once per epoch (a few retries at most), and sends one signature per
     * open message; the limits only stop a pool from flooding the gateway.
     */
    registrationRatePerSecond: perSecond(0.2),
    registrationBurst: burst(5),
    signatureRatePerSecond: perSecond(5),
    signatureBurst: burst(50),
    /** Pools with a rate-limit bucket at once; the least recently seen are forgotten beyond it. */
    rateLimitMaxPools: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
    /** Signatures wait at most this long to be verified together (one pairing product per group). */
    batchWindowMs: milliseconds(5),
    /** A batch is verified at once when this many signatures are waiting. */
    batchMaxSignatures: z.coerce.number().int().min(1).max(100_000).default(512),
    /** The aggregator's epoch settings are reused this long (and refetched sooner for a newer epoch). */
    epochSettingsTtlMs: milliseconds(1_000),
    /**
     * The settings are also refreshed this often without any request, so that a new epoch's signer
     * set is closed before that epoch's signatures come (signers close it too before they can sign).
     */
    epochSettingsRefreshMs: milliseconds(5_000),
    otlpEndpoint: z.string().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ...metricsSettings,
    ...healthSettings,
    ...tlsSettings,
  })
  .superRefine(requireTlsFiles(['tlsCertFile', 'tlsKeyFile', 'tlsCaFile']));

export type SignerGatewayConfig = z.infer<typeof signerGatewayConfigSchema>;
/** What a caller must give; everything else has a default. */
export type SignerGatewayConfigInput = z.input<typeof signerGatewayConfigSchema>;

export function loadSignerGatewayConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): SignerGatewayConfig {
  return loadConfig(signerGatewayConfigSchema, {
    envPrefix: 'MITHRIL_SIGNER_GATEWAY',
    programName: 'mithril-signer-gateway',
    ...(argv ? { argv } : {}),
    ...(env ? { env } : {}),
    descriptions: {
      host: 'address to listen on',
      port: 'port to listen on (0 picks a free one)',
      certifierAddress: 'host:port of the certifier',
      aggregatorAddress: 'host:port of the aggregator',
      certifierDeadlineMs: 'deadline of a call to the certifier, in milliseconds',
      aggregatorDeadlineMs: 'deadline of a call to the aggregator, in milliseconds',
      registrationRatePerSecond: 'registrations per second allowed per pool (token refill rate)',
      registrationBurst: 'registrations a pool may send at once (bucket size)',
      signatureRatePerSecond: 'signatures per second allowed per pool (token refill rate)',
      signatureBurst: 'signatures a pool may send at once (bucket size)',
      rateLimitMaxPools: 'pools tracked by the rate limiter at once',
      batchWindowMs: 'longest wait before pending signatures are verified together, in milliseconds',
      batchMaxSignatures: 'pending signatures that trigger a verification batch at once',
      epochSettingsTtlMs: 'how long the aggregator epoch settings are reused, in milliseconds',
      epochSettingsRefreshMs: 'how often the epoch settings are refreshed in the background, in milliseconds',
      otlpEndpoint: 'OTLP/gRPC endpoint for traces and metrics',
      logLevel: 'log level',
      ...METRICS_SETTING_DESCRIPTIONS,
      ...HEALTH_SETTING_DESCRIPTIONS,
      insecure: TLS_SETTING_DESCRIPTIONS.insecure,
      tlsCertFile: TLS_SETTING_DESCRIPTIONS.tlsCertFile,
      tlsKeyFile: TLS_SETTING_DESCRIPTIONS.tlsKeyFile,
      tlsCaFile: "PEM CA bundle the certifier's and the aggregator's certificates are verified against",
    },
  });
}
