import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@mithril-ts/service-kit';
import { loadCertifierConfig } from '../src/index.js';

describe('certifier configuration', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'config-')), 'certifier.json');
  writeFileSync(file, JSON.stringify({ port: 6000, chainDirectory: '/from/file', counterStorePath: '/file/counters.json', slotsPerKesPeriod: 3600 }));

  it('takes file < environment < arguments', () => {
    const fromFile = loadCertifierConfig(['--config', file], {});
    expect(fromFile).toMatchObject({ port: 6000, chainDirectory: '/from/file', slotsPerKesPeriod: 3600n, host: '127.0.0.1' });
    const fromEnv = loadCertifierConfig([], { MITHRIL_CERTIFIER_CONFIG: file, MITHRIL_CERTIFIER_PORT: '7000' });
    expect(fromEnv.port).toBe(7000);
    const fromArgs = loadCertifierConfig(['--port', '8000', '--chain-directory', '/from/args'], {
      MITHRIL_CERTIFIER_CONFIG: file,
      MITHRIL_CERTIFIER_PORT: '7000',
    });
    expect(fromArgs).toMatchObject({ port: 8000, chainDirectory: '/from/args', counterStorePath: '/file/counters.json' });
  });

  it('says which setting is wrong and where it came from', () => {
    expect(() => loadCertifierConfig(['--config', file, '--port', '99999'], {})).toThrow(/port \(command line\)/);
    expect(() => loadCertifierConfig([], { MITHRIL_CERTIFIER_CHAIN_DIRECTORY: '/x' })).toThrow(ConfigError);
    expect(() => loadCertifierConfig(['--no-such-option', '1'], {})).toThrow(ConfigError);
    expect(() => loadCertifierConfig(['--config', '/does/not/exist.json'], {})).toThrow(/cannot read/);
  });
});
