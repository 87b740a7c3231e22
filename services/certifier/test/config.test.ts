import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@mithril-ts/service-kit';
import { loadCertifierConfig } from '../src/index.js';

describe('certifier configuration', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'config-')), 'certifier.json');
  const tls = { tlsCertFile: 'certifier.crt', tlsKeyFile: 'certifier.key', tlsCaFile: 'ca.crt' };
  writeFileSync(
    file,
    JSON.stringify({ port: 6000, chainDirectory: '/from/file', storeUrl: 'postgresql://certifier@db/certifier', slotsPerKesPeriod: 3600, ...tls }),
  );

  it('takes file < environment < arguments', () => {
    const fromFile = loadCertifierConfig(['--config', file], {});
    expect(fromFile).toMatchObject({ port: 6000, chainDirectory: '/from/file', slotsPerKesPeriod: 3600n, host: '127.0.0.1' });
    const fromEnv = loadCertifierConfig([], { MITHRIL_CERTIFIER_CONFIG: file, MITHRIL_CERTIFIER_PORT: '7000' });
    expect(fromEnv.port).toBe(7000);
    const fromArgs = loadCertifierConfig(['--port', '8000', '--chain-directory', '/from/args'], {
      MITHRIL_CERTIFIER_CONFIG: file,
      MITHRIL_CERTIFIER_PORT: '7000',
    });
    expect(fromArgs).toMatchObject({ port: 8000, chainDirectory: '/from/args', storeUrl: 'postgresql://certifier@db/certifier' });
    expect(fromArgs.counterStorePath).toBeUndefined();
    expect(loadCertifierConfig(['--chain-directory', '/x', '--insecure', 'true'], {}).storeUrl).toBe('file:./mithril-certifier.sqlite');
    expect(loadCertifierConfig(['--config', file], { MITHRIL_CERTIFIER_COUNTER_STORE_PATH: '/old/counters.jsonl' }).counterStorePath).toBe(
      '/old/counters.jsonl',
    );
  });

  it('says which setting is wrong and where it came from', () => {
    expect(() => loadCertifierConfig(['--config', file, '--port', '99999'], {})).toThrow(/port \(command line\)/);
    expect(() => loadCertifierConfig([], { MITHRIL_CERTIFIER_CHAIN_DIRECTORY: '/x' })).toThrow(ConfigError);
    expect(() => loadCertifierConfig(['--no-such-option', '1'], {})).toThrow(ConfigError);
    expect(() => loadCertifierConfig(['--config', '/does/not/exist.json'], {})).toThrow(/cannot read/);
  });

  it('needs the TLS files unless insecure, and allows the signer gateway by default', () => {
    expect(loadCertifierConfig(['--config', file], {})).toMatchObject({ insecure: false, ...tls, allowedClients: ['signer-gateway'] });
    const bare = ['--chain-directory', '/x'];
    expect(() => loadCertifierConfig(bare, {})).toThrow(/tlsCertFile \(default\): required unless insecure is true; tlsKeyFile .*; tlsCaFile/);
    expect(loadCertifierConfig([...bare, '--insecure', 'true'], {}).insecure).toBe(true);
    expect(() => loadCertifierConfig([...bare, '--insecure', 'false'], {})).toThrow(/tlsCertFile/);
    expect(loadCertifierConfig(['--config', file], { MITHRIL_CERTIFIER_ALLOWED_CLIENTS: 'signer-gateway,gateway-2' }).allowedClients).toEqual([
      'signer-gateway',
      'gateway-2',
    ]);
  });
});
