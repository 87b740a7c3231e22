/** The certifier's settings (defaults < JSON file < MITHRIL_CERTIFIER_* environment < --options). */
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
  CHAIN_OBSERVER_SETTING_DESCRIPTIONS,
  chainObserverSettings,
  requireChainObserverSettings,
} from '@mithril-ts/service-kit';

/**
 * TLS: the certifier is internal. Every caller must present a client certificate issued by
 * tlsCaFile, naming one of allowedClients (by default the signer gateway).
 */
export const certifierConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(50051),
    ...chainObserverSettings,
    /** Slots per KES period of the network (Shelley genesis `slotsPerKESPeriod`; 129600 on mainnet). */
    slotsPerKesPeriod: z.coerce.bigint().positive().default(129600n),
    /**
     * The store of the opcert counters (the highest operational certificate issue number seen per
     * pool): `file:PATH` (SQLite, one certifier) or `postgresql://…` (replicas sharing it).
     */
    storeUrl: z.string().min(1).default('file:./mithril-certifier.sqlite'),
    /** The former JSON-lines counter file: imported into the store at start-up if it exists, then renamed `<file>.imported`. */
    counterStorePath: z.string().min(1).optional(),
    otlpEndpoint: z.string().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    ...metricsSettings,
    ...healthSettings,
    ...tlsSettings,
    ...allowedClientsSetting(['signer-gateway']),
  })
  .superRefine(requireTlsFiles(['tlsCertFile', 'tlsKeyFile', 'tlsCaFile']))
  .superRefine(requireChainObserverSettings);

export type CertifierConfig = z.infer<typeof certifierConfigSchema>;

export function loadCertifierConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): CertifierConfig {
  return loadConfig(certifierConfigSchema, {
    envPrefix: 'MITHRIL_CERTIFIER',
    programName: 'mithril-certifier',
    ...(argv ? { argv } : {}),
    ...(env ? { env } : {}),
    descriptions: {
      host: 'address to listen on',
      port: 'port to listen on (0 picks a free one)',
      ...CHAIN_OBSERVER_SETTING_DESCRIPTIONS,
      slotsPerKesPeriod: 'slots per KES period of the network',
      storeUrl: 'opcert counter store: file:<path> (SQLite) or postgresql://… (shared by replicas)',
      counterStorePath: 'former JSON-lines counter file, imported into the store once if it exists',
      otlpEndpoint: 'OTLP/gRPC endpoint for traces and metrics',
      logLevel: 'log level',
      ...METRICS_SETTING_DESCRIPTIONS,
      ...HEALTH_SETTING_DESCRIPTIONS,
      ...TLS_SETTING_DESCRIPTIONS,
    },
  });
}
