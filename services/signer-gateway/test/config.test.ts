import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@mithril-ts/service-kit';
import { loadSignerGatewayConfig } from '../src/index.js';

describe('signer gateway configuration', () => {
  const tls = ['--tls-cert-file', 'gateway.crt', '--tls-key-file', 'gateway.key', '--tls-ca-file', 'ca.crt'];
  const required = ['--certifier-address', '127.0.0.1:50051', '--aggregator-address', '127.0.0.1:50050', ...tls];

  it('has defaults for everything but the two upstream addresses and the TLS files', () => {
    const config = loadSignerGatewayConfig(required, {});
    expect(config).toMatchObject({ insecure: false, tlsCertFile: 'gateway.crt', tlsKeyFile: 'gateway.key', tlsCaFile: 'ca.crt' });
    expect(() => loadSignerGatewayConfig(required.slice(0, 4), {})).toThrow(/tlsCertFile \(default\): required unless insecure is true/);
    expect(loadSignerGatewayConfig([...required.slice(0, 4), '--insecure', 'true'], {}).insecure).toBe(true);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 50052, batchWindowMs: 5, batchMaxSignatures: 512, epochSettingsTtlMs: 1000, logLevel: 'info' });
    expect(() => loadSignerGatewayConfig([], {})).toThrow(/certifierAddress.*aggregatorAddress|aggregatorAddress.*certifierAddress/);
  });

  it('reads defaults < file < environment < command line', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gateway-config-')), 'config.json');
    writeFileSync(file, JSON.stringify({ signatureBurst: 7, signatureRatePerSecond: 2, batchWindowMs: 9, aggregatorAddress: 'file:1' }));
    const config = loadSignerGatewayConfig(['--config', file, '--batch-window-ms', '3', '--certifier-address', 'cli:2', ...tls], {
      MITHRIL_SIGNER_GATEWAY_SIGNATURE_BURST: '8',
      MITHRIL_SIGNER_GATEWAY_BATCH_WINDOW_MS: '4',
    });
    expect(config).toMatchObject({ signatureBurst: 8, signatureRatePerSecond: 2, batchWindowMs: 3, aggregatorAddress: 'file:1', certifierAddress: 'cli:2' });
  });

  it('names the setting and its source when a value is invalid', () => {
    expect(() => loadSignerGatewayConfig([...required], { MITHRIL_SIGNER_GATEWAY_REGISTRATION_BURST: '0' })).toThrow(ConfigError);
    expect(() => loadSignerGatewayConfig([...required], { MITHRIL_SIGNER_GATEWAY_REGISTRATION_BURST: '0' })).toThrow(/registrationBurst \(environment\)/);
    expect(() => loadSignerGatewayConfig([...required, '--certifier-deadline-ms', '-5'], {})).toThrow(/certifierDeadlineMs \(command line\)/);
  });
});
