import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ColdSigningKey,
  KesSigningKey,
  coldVerificationKeyFromTextEnvelope,
  kesVerificationKeyFromTextEnvelope,
  operationalCertificateFromTextEnvelope,
  parsePoolId,
  poolIdFromColdVerificationKey,
  verifyOperationalCertificate,
} from '@mithril-ts/cardano';
import { readTextEnvelope, toHex } from '@mithril-ts/codec';
import { Devnet, devnetParameters, devnetPool } from '../src/index.js';
import { GENESIS_MS, tempRoot } from './helpers.js';

describe('pool key material', () => {
  it('writes cardano-cli key files that libs/cardano reads back and that fit together', async () => {
    const root = tempRoot();
    const devnet = await Devnet.create(root, { pools: 3 }, { genesisTimeMs: GENESIS_MS });
    expect(devnet.pools.map((p) => p.index)).toEqual([1, 2, 3]);
    const seen = new Set<string>();
    for (const pool of devnet.pools) {
      const directory = join(root, 'pools', `pool-${pool.index}`);
      expect(pool.keysDirectory).toBe(directory);
      const read = (name: string) => readFileSync(join(directory, name), 'utf8');

      const cold = ColdSigningKey.fromTextEnvelope(read('cold.skey'));
      const coldVk = coldVerificationKeyFromTextEnvelope(read('cold.vkey'));
      expect(toHex(cold.verificationKey())).toBe(toHex(coldVk));

      const kes = KesSigningKey.fromTextEnvelope(read('kes.skey'));
      expect(kes.period).toBe(0);
      const kesVk = kesVerificationKeyFromTextEnvelope(read('kes.vkey'));
      expect(toHex(kes.verificationKey())).toBe(toHex(kesVk));

      const opcert = operationalCertificateFromTextEnvelope(read('opcert.cert'));
      expect(readTextEnvelope(read('opcert.cert')).type).toBe('NodeOperationalCertificate');
      expect(verifyOperationalCertificate(opcert)).toBe(true);
      expect(toHex(opcert.coldVerificationKey)).toBe(toHex(coldVk));
      expect(toHex(opcert.kesVerificationKey)).toBe(toHex(kesVk));
      expect([opcert.issueNumber, opcert.startKesPeriod]).toEqual([0n, 0n]);

      const [bech32, hex, ...rest] = read('pool-id.txt').split('\n');
      expect(rest).toEqual(['']);
      const poolId = poolIdFromColdVerificationKey(coldVk);
      expect(bech32).toBe(poolId.bech32);
      expect(hex).toBe(poolId.hex);
      expect(parsePoolId(bech32 as string).hex).toBe(hex);
      expect(pool.poolId.hex).toBe(poolId.hex);
      seen.add(poolId.hex);

      // Secrets are owner-only; the rest readable.
      expect(statSync(join(directory, 'cold.skey')).mode & 0o777).toBe(0o600);
      expect(statSync(join(directory, 'kes.skey')).mode & 0o777).toBe(0o600);
      expect(statSync(join(directory, 'cold.vkey')).mode & 0o777).toBe(0o644);
      expect(statSync(join(pool.databaseDirectory, 'ledger')).isDirectory()).toBe(true);
      expect(statSync(join(pool.databaseDirectory, 'immutable')).isDirectory()).toBe(true);
    }
    expect(seen.size).toBe(3);
  });

  it('derives each pool from the seed and its number only', () => {
    const params = devnetParameters();
    const a = devnetPool(params, 2);
    const b = devnetPool(devnetParameters({ pools: 9 }), 2);
    const c = devnetPool(devnetParameters({ seed: 'another devnet' }), 2);
    expect(a.poolId.hex).toBe(b.poolId.hex);
    expect(toHex(a.kes.verificationKey())).toBe(toHex(b.kes.verificationKey()));
    expect(a.poolId.hex).not.toBe(c.poolId.hex);
    expect(toHex(a.kes.verificationKey())).not.toBe(toHex(c.kes.verificationKey()));
    expect(a.poolId.hex).not.toBe(devnetPool(params, 1).poolId.hex);
    expect(() => devnetPool(params, 0)).toThrow(/pool index/);
    expect(() => devnetPool(params, 6)).toThrow(/pool index/);
  });
});
