/**
 * The settings of `mithril-devnet-chain` (defaults < JSON file < MITHRIL_DEVNET_* environment <
 * --options): where the chain lives, its shape (the devnet parameters), what else it writes for the
 * services (genesis keys, a PKI) and its health port.
 */
import { z } from 'zod';
import { loadConfig, strictBoolean } from '@mithril-ts/service-kit';
import { DEFAULT_DEVNET_PARAMETERS } from '../parameters.js';
import { DEVNET_SERVICES, type DevnetService } from '../launcher/pki.js';

const positive = (fallback: number) => z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(fallback);
const port = z.coerce.number().int().min(0).max(65535);

/** A DNS name (RFC 1123 labels) as a certificate's subject alternative name carries it. */
const dnsName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a DNS name');

/**
 * Per service identity, the further DNS names its certificate carries: JSON (environment, command
 * line) or an object (file), e.g. `{"aggregator":["aggregator.mithril-devnet.svc.cluster.local"]}`.
 */
const tlsDnsNamesSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  },
  z
    .record(z.string(), z.array(dnsName).max(64))
    .superRefine((names, context) => {
      for (const key of Object.keys(names)) {
        if (!(DEVNET_SERVICES as readonly string[]).includes(key)) {
          context.addIssue({ code: 'custom', message: `unknown service "${key}" (one of ${DEVNET_SERVICES.join(', ')})` });
        }
      }
    })
    .transform((names) => names as Partial<Record<DevnetService, string[]>>),
);

export const devnetChainConfigSchema = z.object({
  /** The devnet's root: a volume every service of the devnet mounts. */
  root: z.string().min(1),
  network: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "1 to 64 letters, digits, '.', '_' or '-'")
    .default(DEFAULT_DEVNET_PARAMETERS.network),
  pools: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_DEVNET_PARAMETERS.pools),
  slotLengthMs: positive(DEFAULT_DEVNET_PARAMETERS.slotLengthMs),
  slotsPerEpoch: positive(DEFAULT_DEVNET_PARAMETERS.slotsPerEpoch),
  /** 500 (not the library's 50): a pool's opcert then lasts 31 000 slots, ~52 min of 100 ms slots, for a devnet that runs for a while. */
  slotsPerKesPeriod: positive(500),
  immutableFileEverySlots: positive(DEFAULT_DEVNET_PARAMETERS.immutableFileEverySlots),
  seed: z.string().min(1).max(1024).default(DEFAULT_DEVNET_PARAMETERS.seed),
  /** Write `<root>/genesis/genesis.{skey,vkey}` for an aggregator that signs its own genesis (devnet mode). */
  genesisKeys: strictBoolean.default(true),
  /** Write `<root>/pki/`: a CA and a certificate per service (TLS on every link, as `npm start` runs it). */
  pki: strictBoolean.default(true),
  tlsDnsNames: tlsDnsNamesSchema.default({}),
  /** Plain HTTP `GET /health` (200 while the chain keeps up with the clock, 503 otherwise); absent = off. */
  healthPort: port.optional(),
  healthHost: z.string().min(1).default('127.0.0.1'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type DevnetChainConfig = z.infer<typeof devnetChainConfigSchema>;
export type DevnetChainConfigInput = z.input<typeof devnetChainConfigSchema>;

export function loadDevnetChainConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): DevnetChainConfig {
  return loadConfig(devnetChainConfigSchema, {
    envPrefix: 'MITHRIL_DEVNET',
    programName: 'mithril-devnet-chain',
    ...(argv ? { argv } : {}),
    ...(env ? { env } : {}),
    descriptions: {
      root: "the devnet's root directory (a volume the services mount)",
      network: 'network name certificates carry',
      pools: 'number of stake pools',
      slotLengthMs: 'slot length in milliseconds',
      slotsPerEpoch: 'slots per epoch',
      slotsPerKesPeriod: 'slots per KES period',
      immutableFileEverySlots: 'slots per immutable file (chunk)',
      seed: 'seed every key, stake and block byte is derived from',
      genesisKeys: 'write genesis/genesis.skey and genesis.vkey (devnet mode aggregator) (true|false)',
      pki: 'write pki/: a CA and a certificate per service (true|false)',
      tlsDnsNames: 'JSON: service identity → further DNS names of its certificate, e.g. {"aggregator":["aggregator.ns.svc.cluster.local"]}',
      healthPort: 'port of the HTTP GET /health endpoint (absent: none)',
      healthHost: 'address of the health endpoint',
      logLevel: 'log level',
    },
  });
}
