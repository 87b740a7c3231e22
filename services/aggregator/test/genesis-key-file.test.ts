/**
 * The genesis secret key on disk: written owner-only (also when an existing file is overwritten),
 * and refused by the offline signing step and by the aggregator's start when group or others may
 * read it, unless told otherwise.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GenesisSigner, createGenesisPayload } from '@mithril-ts/protocol';
import { KeyRegistration, SigningKey } from '@mithril-ts/stm';
import { SecretFileError } from '@mithril-ts/service-kit';
import { aggregatorConfigSchema, generateGenesisKeys, signGenesisPayload, startAggregator, writeGenesisKeys, writeGenesisPayload } from '../src/index.js';

const posix = process.platform !== 'win32';
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aggregator-genesis-key-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

async function keyFiles(): Promise<string> {
  const secret = join(root, 'genesis.skey');
  await generateGenesisKeys(secret, join(root, 'genesis.vkey'));
  return secret;
}

(posix ? describe : describe.skip)('genesis secret key file', () => {
  it('is written 0600, and made 0600 again when overwritten', async () => {
    const secret = await keyFiles();
    expect(modeOf(secret)).toBe(0o600);
    chmodSync(secret, 0o644);
    await writeGenesisKeys(GenesisSigner.generate(), secret, join(root, 'genesis.vkey'), { overwrite: true });
    expect(modeOf(secret)).toBe(0o600);
  });

  it('is refused by the signing step when group or others may read it, unless told otherwise', async () => {
    const secret = await keyFiles();
    const payloadPath = join(root, 'payload.json');
    const registration = new KeyRegistration();
    registration.register(5n, SigningKey.generate(randomBytes(32)).verificationKeyPoP());
    const parameters = { k: 3n, m: 20n, phiF: 0.9 };
    const avk = registration.close().aggregateVerificationKey();
    await writeGenesisPayload(payloadPath, createGenesisPayload({ network: 'devnet', epoch: 2n, parameters, nextParameters: parameters, avk, timestamp: 1n }));
    const out = join(root, 'payload.sig');
    expect(await signGenesisPayload(payloadPath, secret, out)).toMatch(/^[0-9a-f]{128}$/);
    for (const mode of [0o644, 0o640]) {
      chmodSync(secret, mode);
      await expect(signGenesisPayload(payloadPath, secret, out)).rejects.toThrow(SecretFileError);
      await expect(signGenesisPayload(payloadPath, secret, out)).rejects.toThrow(`chmod 600 ${secret}\`, or pass --allow-insecure-key-permissions`);
    }
    expect(await signGenesisPayload(payloadPath, secret, out, { allowInsecureKeyPermissions: true })).toMatch(/^[0-9a-f]{128}$/);
  });

  it("stops the aggregator's start when the bootstrap key is readable by others, before the store is opened; the setting accepts it", async () => {
    const secret = await keyFiles();
    chmodSync(secret, 0o640);
    mkdirSync(join(root, 'chain'));
    mkdirSync(join(root, 'immutable'));
    writeFileSync(join(root, 'chain', 'tip.json'), JSON.stringify({ epoch: 1, slot: 100, syncProgress: '100.00' }));
    const config = (extra: Record<string, unknown>) =>
      aggregatorConfigSchema.parse({
        insecure: true,
        port: 0,
        storeUrl: `file:${join(root, 'aggregator.sqlite')}`,
        chainDirectory: join(root, 'chain'),
        immutableDirectory: join(root, 'immutable'),
        signedEntityKinds: 'MithrilStakeDistribution',
        logLevel: 'silent',
        bootstrapGenesisSecretKeyFile: secret,
        ...extra,
      });
    await expect(startAggregator(config({}))).rejects.toMatchObject({ name: 'SecretFileError', problem: 'insecure-permissions', mode: 0o640 });
    await expect(startAggregator(config({ allowInsecureKeyPermissions: 'false' }))).rejects.toThrow(/allowInsecureKeyPermissions=true/);
    expect(() => statSync(join(root, 'aggregator.sqlite'))).toThrow(/ENOENT/);
    const aggregator = await startAggregator(config({ allowInsecureKeyPermissions: 'true' }));
    await aggregator.close();
  });
});
