// The settings each of the project's images reads from its environment, taken from the services' own zod schemas and
// named by the kit's own mapping (settingEnvName), so that the env-settings rule cannot drift from what a service
// reads: a setting added, renamed or removed in a schema changes what the rule accepts in the same commit.
// Importing the schemas loads the service kit (~1.5 s under tsx): the price of checking against the real thing.
import { devnetChainConfigSchema, loadDevnetChainConfig } from '../../devnet/src/chain/config.js';
import { aggregatorConfigSchema, loadAggregatorConfig } from '../../services/aggregator/src/config.js';
import { certifierConfigSchema, loadCertifierConfig } from '../../services/certifier/src/config.js';
import { settingEnvName } from '../../services/kit/src/config.js';
import { loadRestGatewayConfig, restGatewayConfigSchema } from '../../services/rest-gateway/src/config.js';
import { loadSignerGatewayConfig, signerGatewayConfigSchema } from '../../services/signer-gateway/src/config.js';
import { loadSignerConfig, signerConfigSchema } from '../../services/signer/src/config.js';
import { loadSnapshotterConfig, snapshotterConfigSchema } from '../../services/snapshotter/src/config.js';

export interface ServiceSettings {
  /** The image name: `ghcr.io/mithril-ts/<image>:<version>`. */
  image: string;
  /** `MITHRIL_AGGREGATOR`: every setting is `<envPrefix>_<SETTING_SNAKE>`. */
  envPrefix: string;
  /** Where the schema is, for messages. */
  schemaFile: string;
  /** Environment variable → setting key (`MITHRIL_AGGREGATOR_STORE_URL` → `storeUrl`; `…_CONFIG` → `config`, the file). */
  variables: Map<string, string>;
  /** The service's loader, which a test calls to prove `envPrefix` is the prefix it reads. */
  load: (argv: readonly string[], env: NodeJS.ProcessEnv) => unknown;
}

function service(
  image: string,
  envPrefix: string,
  schemaFile: string,
  schema: { shape: Record<string, unknown> },
  load: ServiceSettings['load'],
): ServiceSettings {
  const keys = ['config', ...Object.keys(schema.shape)];
  return { image, envPrefix, schemaFile, variables: new Map(keys.map((key) => [settingEnvName(envPrefix, key), key])), load };
}

/** By image name. Keyed by image, not by prefix: MITHRIL_SIGNER_ is a prefix of MITHRIL_SIGNER_GATEWAY_, and the signer
 * has settings (gatewayDeadlineMs) whose variables start with MITHRIL_SIGNER_GATEWAY_. */
export const SERVICE_SETTINGS: ReadonlyMap<string, ServiceSettings> = new Map(
  [
    service('aggregator', 'MITHRIL_AGGREGATOR', 'services/aggregator/src/config.ts', aggregatorConfigSchema, loadAggregatorConfig),
    service('signer-gateway', 'MITHRIL_SIGNER_GATEWAY', 'services/signer-gateway/src/config.ts', signerGatewayConfigSchema, loadSignerGatewayConfig),
    service('certifier', 'MITHRIL_CERTIFIER', 'services/certifier/src/config.ts', certifierConfigSchema, loadCertifierConfig),
    service('snapshotter', 'MITHRIL_SNAPSHOTTER', 'services/snapshotter/src/config.ts', snapshotterConfigSchema, loadSnapshotterConfig),
    service('rest-gateway', 'MITHRIL_REST_GATEWAY', 'services/rest-gateway/src/config.ts', restGatewayConfigSchema, loadRestGatewayConfig),
    service('signer', 'MITHRIL_SIGNER', 'services/signer/src/config.ts', signerConfigSchema, loadSignerConfig),
    service('devnet-chain', 'MITHRIL_DEVNET', 'devnet/src/chain/config.ts', devnetChainConfigSchema, loadDevnetChainConfig),
  ].map((settings) => [settings.image, settings]),
);
