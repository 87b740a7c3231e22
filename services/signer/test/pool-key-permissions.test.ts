/**
 * kes.skey is a secret: the daemon does not start on one that group or others may read, and a key
 * rotated in with loose permissions is refused at each read (a PoolKeysError, which the runtime
 * waits out and reports); the setting allowInsecureKeyPermissions accepts it.
 */
import { chmodSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PoolKeyFiles, PoolKeysError, loadSignerConfig, startSigner } from '../src/index.js';
import { devnetPools, tempDir } from './doubles.js';

const posix = process.platform !== 'win32';

async function keysDirectory(mode: number): Promise<string> {
  const pool = (await devnetPools())[0]!;
  const directory = tempDir('signer-key-modes-');
  for (const file of ['kes.skey', 'opcert.cert']) copyFileSync(join(pool.keysDirectory, file), join(directory, file));
  chmodSync(join(directory, 'kes.skey'), mode);
  return directory;
}

(posix ? describe : describe.skip)('pool key file permissions', () => {
  it("the devnet writes the pool's secret keys 0600", async () => {
    const pool = (await devnetPools())[0]!;
    for (const file of ['kes.skey', 'cold.skey']) expect(statSync(join(pool.keysDirectory, file)).mode & 0o777).toBe(0o600);
  });

  it('reads a kes.skey of mode 0600 or 0400; refuses 0644 and 0640 naming the file, its mode and the fixes; the override accepts it', async () => {
    for (const mode of [0o600, 0o400]) expect((await new PoolKeyFiles(await keysDirectory(mode)).read()).opcert.issueNumber).toBe(0n);
    for (const mode of [0o644, 0o640]) {
      const directory = await keysDirectory(mode);
      const refused = new PoolKeyFiles(directory).read();
      await expect(refused).rejects.toThrow(PoolKeysError);
      await expect(new PoolKeyFiles(directory).read()).rejects.toThrow(
        `${join(directory, 'kes.skey')} has mode 0${mode.toString(8)}: group or others may access it; run \`chmod 600 ${join(directory, 'kes.skey')}\``,
      );
      await expect(new PoolKeyFiles(directory).refuseInsecureKesKey()).rejects.toThrow(/allowInsecureKeyPermissions=true/);
      expect((await new PoolKeyFiles(directory, { allowInsecurePermissions: true }).read()).opcert.issueNumber).toBe(0n);
      await new PoolKeyFiles(directory, { allowInsecurePermissions: true }).refuseInsecureKesKey();
    }
    // A missing key does not stop the start: the runtime waits for it (as during a rotation).
    await new PoolKeyFiles(tempDir('signer-no-keys-')).refuseInsecureKesKey();
  });

  it('stops the daemon at start on a kes.skey readable by others, before its store is created', async () => {
    const directory = await keysDirectory(0o644);
    const storePath = join(tempDir('signer-store-'), 'store.sqlite3');
    const args = (extra: string[]) =>
      loadSignerConfig(
        [
          ...['--keys-directory', directory, '--chain-directory', '/nonexistent', '--immutable-directory', '/nonexistent'],
          ...['--aggregator-address', '127.0.0.1:1', '--signer-gateway-address', '127.0.0.1:1', '--store-url', `file:${storePath}`, '--log-level', 'silent'],
          ...extra,
        ],
        {},
      );
    await expect(startSigner(args([]))).rejects.toThrow(/kes\.skey has mode 0644/);
    await expect(startSigner(args(['--allow-insecure-key-permissions', 'false']))).rejects.toThrow(PoolKeysError);
    expect(() => statSync(storePath)).toThrow(/ENOENT/);
    expect(() => args(['--allow-insecure-key-permissions', 'yes'])).toThrow(/allowInsecureKeyPermissions \(command line\)/);
    const signer = await startSigner(args(['--allow-insecure-key-permissions', 'true', '--run-interval-ms', '60000']));
    await signer.stop();
  });
});
