/** The REST gateway's settings (defaults < JSON file < MITHRIL_REST_GATEWAY_* environment < --options). */
import { z } from 'zod';
import { SIGNED_ENTITY_KINDS } from '@mithril-ts/protocol';
import { TLS_SETTING_DESCRIPTIONS, loadConfig, requireTlsFiles, tlsSettings, METRICS_SETTING_DESCRIPTIONS, metricsSettings } from '@mithril-ts/service-kit';

const milliseconds = (fallback: number) => z.coerce.number().int().positive().max(3_600_000).default(fallback);
const seconds = (fallback: number) => z.coerce.number().int().min(0).max(31_536_000).default(fallback);
/** A list from a JSON array (file) or a comma-separated string (environment, command line). */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((entry) => entry.trim())
            .filter((entry) => entry !== '')
        : value,
    z.array(item).min(1),
  );

/**
 * TLS: the REST gateway is a gRPC client only (its HTTP side is served behind the ingress). It
 * verifies the aggregator's and the signer gateway's certificates against tlsCaFile, or the system
 * CA store without it; both RPC sets it calls are public, so no client certificate is needed
 * (tlsCertFile/tlsKeyFile, if given, are presented).
 */
export const restGatewayConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    /** host:port of the aggregator (AggregatorService): every read route. */
    aggregatorAddress: z.string().min(1),
    /** host:port of the signer gateway (SignerGatewayService): POST /register-signer and /register-signatures. */
    signerGatewayAddress: z.string().min(1),
    aggregatorDeadlineMs: milliseconds(5_000),
    /** A registration goes through the certifier and the aggregator behind the signer gateway. */
    signerGatewayDeadlineMs: milliseconds(10_000),
    /** Origins allowed to read the API from a browser (the explorer); "*" for any. */
    corsOrigins: list(z.string().min(1)).default(['*']),
    /** Largest request body; a larger one is refused with 413. Registrations and signatures are a few KiB. */
    bodyLimitBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
    /** Items of the list routes (the reference answers its 20 most recent). */
    listPageSize: z.coerce.number().int().min(1).max(200).default(20),
    /**
     * How long a rendered answer of a changing resource (lists, epoch settings, latest genesis) is
     * reused for every caller: the aggregator is asked at most once per period and per route. 0 keeps
     * only the sharing of concurrent identical requests.
     */
    volatileCacheMs: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /** Cache-Control max-age of changing resources (immutable ones, by hash, are cached for a year). */
    volatileMaxAgeSeconds: seconds(2),
    /** Memory for rendered immutable resources (certificates and artifacts by hash); a mainnet certificate is ~1.5 MB. */
    immutableCacheBytes: z.coerce
      .number()
      .int()
      .min(0)
      .max(16 * 1024 * 1024 * 1024)
      .default(64 * 1024 * 1024),
    /** Signed entity types the aggregator certifies, announced by GET / and /protocol-configuration. */
    signedEntityTypes: list(z.enum(SIGNED_ENTITY_KINDS)).default(['MithrilStakeDistribution', 'CardanoDatabase']),
    /** Rate limits: requests per client IP address and window to each POST route, and to each expensive read route (see hardening.ts). */
    rateLimitWriteMax: z.coerce.number().int().min(1).max(1_000_000).default(600),
    rateLimitExpensiveReadMax: z.coerce.number().int().min(1).max(1_000_000).default(1_200),
    rateLimitWindowMs: milliseconds(60_000),
    /**
     * Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDRs, e.g. the
     * ingress): the rate limits are then per forwarded client, not per proxy. None by default.
     */
    trustProxy: z.string().default(''),
    /** HTTPS served by the gateway itself: PEM certificate chain and key files (both, or neither for plain HTTP behind a TLS-terminating ingress). */
    httpsCertFile: z.string().min(1).optional(),
    httpsKeyFile: z.string().min(1).optional(),
    /**
     * The built explorer served at /explorer/ (static files); unset: the explorer workspace's build
     * output (see explorer.ts), "" to serve no explorer.
     */
    explorerDirectory: z.string().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ...metricsSettings,
    ...tlsSettings,
  })
  .superRefine(requireTlsFiles([]))
  .refine((config) => (config.httpsCertFile === undefined) === (config.httpsKeyFile === undefined), {
    path: ['httpsKeyFile'],
    message: 'httpsCertFile and httpsKeyFile go together',
  });

export type RestGatewayConfig = z.infer<typeof restGatewayConfigSchema>;
/** What a caller must give; everything else has a default. */
export type RestGatewayConfigInput = z.input<typeof restGatewayConfigSchema>;

export function loadRestGatewayConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): RestGatewayConfig {
  return loadConfig(restGatewayConfigSchema, {
    envPrefix: 'MITHRIL_REST_GATEWAY',
    programName: 'mithril-rest-gateway',
    ...(argv ? { argv } : {}),
    ...(env ? { env } : {}),
    descriptions: {
      host: 'address to listen on',
      port: 'port to listen on (0 picks a free one)',
      aggregatorAddress: 'host:port of the aggregator',
      signerGatewayAddress: 'host:port of the signer gateway',
      aggregatorDeadlineMs: 'deadline of a call to the aggregator, in milliseconds',
      signerGatewayDeadlineMs: 'deadline of a call to the signer gateway, in milliseconds',
      corsOrigins: 'comma-separated origins allowed to read the API from a browser ("*" for any)',
      bodyLimitBytes: 'largest accepted request body, in bytes',
      listPageSize: 'items returned by the list routes',
      volatileCacheMs: 'how long an answer of a changing resource is reused, in milliseconds (0: only concurrent requests share one)',
      volatileMaxAgeSeconds: 'Cache-Control max-age of changing resources, in seconds',
      immutableCacheBytes: 'memory for rendered certificates and artifacts by hash, in bytes',
      signedEntityTypes: 'comma-separated signed entity types the aggregator certifies',
      rateLimitWriteMax: 'requests per client and window to each POST route',
      rateLimitExpensiveReadMax: 'requests per client and window to each expensive read route (by hash, by epoch, digests)',
      rateLimitWindowMs: 'rate limit window, in milliseconds',
      trustProxy: 'comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed (none by default)',
      httpsCertFile: 'PEM certificate chain file: serve HTTPS (with httpsKeyFile)',
      httpsKeyFile: 'PEM private key file of httpsCertFile',
      explorerDirectory: 'directory of the built explorer served at /explorer/ (default: the explorer workspace\'s build output; "" for none)',
      logLevel: 'log level',
      ...METRICS_SETTING_DESCRIPTIONS,
      insecure: TLS_SETTING_DESCRIPTIONS.insecure,
      tlsCertFile: 'PEM client certificate presented to the aggregator and the signer gateway (optional)',
      tlsKeyFile: TLS_SETTING_DESCRIPTIONS.tlsKeyFile,
      tlsCaFile: "PEM CA bundle the aggregator's and the signer gateway's certificates are verified against (the system store without it)",
    },
  });
}
