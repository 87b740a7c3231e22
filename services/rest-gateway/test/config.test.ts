import { ConfigError } from '@mithril-ts/service-kit';
import { loadRestGatewayConfig } from '../src/index.js';

const required = { MITHRIL_REST_GATEWAY_AGGREGATOR_ADDRESS: '127.0.0.1:50053', MITHRIL_REST_GATEWAY_SIGNER_GATEWAY_ADDRESS: '127.0.0.1:50052' };

describe('REST gateway configuration', () => {
  it('has defaults for everything but the two upstream addresses', () => {
    const config = loadRestGatewayConfig([], required);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      corsOrigins: ['*'],
      bodyLimitBytes: 64 * 1024,
      listPageSize: 20,
      signedEntityTypes: ['MithrilStakeDistribution', 'CardanoDatabase'],
      rateLimitWriteMax: 600,
      rateLimitExpensiveReadMax: 1_200,
      rateLimitWindowMs: 60_000,
      trustProxy: '',
    });
    expect(config.tlsCertFile).toBeUndefined();
    expect(() => loadRestGatewayConfig([], {})).toThrow(/aggregatorAddress/);
  });

  it('reads lists from the environment and the command line, options winning', () => {
    const config = loadRestGatewayConfig(['--cors-origins', 'https://a.example,https://b.example', '--port', '9000'], {
      ...required,
      MITHRIL_REST_GATEWAY_CORS_ORIGINS: 'https://env.example',
      MITHRIL_REST_GATEWAY_SIGNED_ENTITY_TYPES: 'MithrilStakeDistribution',
    });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.signedEntityTypes).toEqual(['MithrilStakeDistribution']);
    expect(config.port).toBe(9000);
  });

  it('refuses what it cannot serve, naming the setting', () => {
    expect(() => loadRestGatewayConfig(['--signed-entity-types', 'CardanoTransactions'], required)).toThrow(ConfigError);
    expect(() => loadRestGatewayConfig(['--body-limit-bytes', '10'], required)).toThrow(/bodyLimitBytes/);
    expect(() => loadRestGatewayConfig(['--rate-limit-write-max', '0'], required)).toThrow(/rateLimitWriteMax/);
    expect(() => loadRestGatewayConfig(['--tls-key-file', '/etc/key.pem'], required)).toThrow(/tlsKeyFile/);
    expect(loadRestGatewayConfig(['--trust-proxy', '10.0.0.0/8', '--rate-limit-window-ms', '1000'], required)).toMatchObject({
      trustProxy: '10.0.0.0/8',
      rateLimitWindowMs: 1000,
    });
  });
});
