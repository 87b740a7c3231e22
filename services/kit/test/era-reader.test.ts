import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inlineDatumOfBytes } from '@mithril-ts/cardano';
import { ProtocolError, encodeEraMarkersPayload, encodeEraMarkersVerificationKey, eraMarkersVerificationKeyOf } from '@mithril-ts/protocol';
import { z } from 'zod';
import {
  BootstrapEraReader,
  CardanoChainEraReader,
  CardanoCliFilesDatumSource,
  EraChecker,
  EraReaderError,
  FileEraReader,
  eraReaderFromSettings,
  eraSettings,
  requireEraSettings,
  type EraReader,
} from '../src/index.js';

const ADDRESS = 'addr_test1vz0era0markers0address';
const SECRET = new Uint8Array(32).fill(3);
const KEY = eraMarkersVerificationKeyOf(SECRET);

function utxoFile(directory: string, datums: unknown[]): void {
  const utxos: Record<string, unknown> = { [`${'aa'.repeat(32)}#1`]: { address: ADDRESS, datum: null, value: { lovelace: 5 } } };
  datums.forEach((inlineDatum, index) => {
    utxos[`${'bb'.repeat(32)}#${index}`] = { address: ADDRESS, datum: null, inlineDatum, value: { lovelace: 2000000 } };
  });
  writeFileSync(join(directory, `utxo-${ADDRESS}.json`), JSON.stringify(utxos));
}

describe('era readers', () => {
  it('bootstrap: the binary era since epoch 0', async () => {
    expect(await new BootstrapEraReader().read()).toEqual([{ name: 'pythagoras', epoch: 0n }]);
  });

  it('file: reads the reference format and says what is wrong with a bad file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'era-'));
    const path = join(directory, 'era-markers.json');
    writeFileSync(path, '[{"name":"pythagoras","epoch":0},{"name":"lagrange","epoch":null}]');
    expect(await new FileEraReader(path).read()).toEqual([{ name: 'pythagoras', epoch: 0n }, { name: 'lagrange' }]);
    writeFileSync(path, '[{"name":"pythagoras","epoch":"zero"}]');
    await expect(new FileEraReader(path).read()).rejects.toThrow(/epoch must be an integer or null/);
    writeFileSync(path, ' '.repeat(70 * 1024));
    await expect(new FileEraReader(path).read()).rejects.toThrow(/larger than/);
    await expect(new FileEraReader(join(directory, 'none.json')).read()).rejects.toBeInstanceOf(EraReaderError);
  });

  it('cardano-chain: the first payload signed by the era-markers key, chunked across bytes fields; decoys skipped', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'era-'));
    const markers = [
      { name: 'pythagoras', epoch: 0n },
      { name: 'lagrange', epoch: 12n },
    ];
    const forged = encodeEraMarkersPayload([{ name: 'lagrange', epoch: 1n }], new Uint8Array(32).fill(9));
    const unsigned = Buffer.from('{"markers":[{"name":"lagrange","epoch":1}]}').toString('hex');
    const signed = encodeEraMarkersPayload(markers, SECRET);
    expect(inlineDatumOfBytes(signed).fields).not.toHaveLength(1); // long enough to be cut in 64-byte fields
    utxoFile(directory, [
      { constructor: 0, fields: [{ int: 1 }] },
      inlineDatumOfBytes(forged),
      inlineDatumOfBytes(unsigned),
      { fields: [{ bytes: 'zz' }] },
      inlineDatumOfBytes(signed),
    ]);
    const reader = new CardanoChainEraReader(new CardanoCliFilesDatumSource(directory), ADDRESS, KEY);
    expect(await reader.read()).toEqual(markers);

    utxoFile(directory, [inlineDatumOfBytes(forged)]);
    await expect(reader.read()).rejects.toThrow(/no era markers payload signed by the era-markers key among the 1 datum/);
    await expect(new CardanoCliFilesDatumSource(directory).inlineDatumsAt('../etc')).rejects.toThrow(/not an address/);
    writeFileSync(join(directory, `utxo-${ADDRESS}.json`), '[1]');
    await expect(reader.read()).rejects.toThrow(/query utxo: expected a JSON object/);
  });

  it('settings: each reader needs its own settings, and the key must decode', () => {
    const schema = z.object(eraSettings).superRefine(requireEraSettings);
    expect(schema.parse({}).eraReader).toBe('bootstrap');
    expect(schema.safeParse({ eraReader: 'file' }).error?.issues[0]?.message).toBe('eraMarkersFile is required with eraReader=file');
    expect(schema.safeParse({ eraReader: 'cardano-chain', eraMarkersAddress: ADDRESS, eraMarkersVerificationKey: 'abcd' }).error?.issues[0]?.message).toMatch(
      /not an era-markers verification key/,
    );
    const settings = schema.parse({ eraReader: 'cardano-chain', eraMarkersAddress: ADDRESS, eraMarkersVerificationKey: encodeEraMarkersVerificationKey(KEY) });
    expect(eraReaderFromSettings(settings, new CardanoCliFilesDatumSource('/nowhere')).source).toBe(`on-chain markers at ${ADDRESS}`);
  });
});

describe('era checker', () => {
  class Markers implements EraReader {
    readonly source = 'test';
    reads = 0;
    constructor(public markers: { name: string; epoch?: bigint }[]) {}
    read() {
      this.reads += 1;
      return Promise.resolve(this.markers);
    }
  }

  it('honours a switch at its epoch, re-reads markers after refreshMs, and stops on an unsupported era', async () => {
    const reader = new Markers([
      { name: 'pythagoras', epoch: 0n },
      { name: 'lagrange', epoch: 4n },
    ]);
    let now = 0;
    const checker = new EraChecker(reader, { supported: ['pythagoras', 'lagrange'], refreshMs: 1000, now: () => now });
    expect((await checker.check(3n)).current).toBe('pythagoras');
    expect((await checker.check(4n)).current).toBe('lagrange');
    expect(reader.reads).toBe(1);

    reader.markers = [
      { name: 'pythagoras', epoch: 0n },
      { name: 'euclid', epoch: 5n },
    ];
    expect((await checker.check(5n)).current).toBe('lagrange'); // the markers read a moment ago
    now = 1000;
    const refused = await checker.check(5n).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect((refused as ProtocolError).code).toBe('UNSUPPORTED_ERA');
    expect((refused as Error).message).toBe('Mithril era euclid is active since epoch 5 and this binary supports only pythagoras, lagrange: upgrade it');
    expect((await checker.check(4n)).current).toBe('pythagoras');
    expect(reader.reads).toBe(2);
  });
});
