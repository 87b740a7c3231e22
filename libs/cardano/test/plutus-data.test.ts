/**
 * Plutus data CBOR → cardano-cli's detailed JSON schema, checked against the Cardano
 * serialisation library (CSL): what CSL encodes, decodePlutusData reads back as CSL prints it.
 */
import { PlutusData, PlutusDatumSchema } from '@emurgo/cardano-serialization-lib-nodejs';
import { parseJson } from '@mithril-ts/codec';
import { MAX_PLUTUS_DATA_BYTES, decodePlutusData, inlineDatumBytesFields, inlineDatumOfBytes, parseOgmiosUtxoInlineDatums } from '../src/index.js';
import { expectCardanoError } from './helpers.js';

/** CSL's encoding of a datum given in the detailed schema (integers as JSON numbers of any size). */
function cslCbor(detailedJson: string): string {
  return PlutusData.from_json(detailedJson, PlutusDatumSchema.DetailedSchema).to_hex();
}

const cslJson = (hex: string) => parseJson(PlutusData.from_hex(hex).to_json(PlutusDatumSchema.DetailedSchema));

describe('Plutus data', () => {
  it.each([
    ['an empty constructor', '{"constructor":0,"fields":[]}'],
    [
      'constructors on every tag range (121+, 1280+, 102)',
      '{"list":[{"constructor":6,"fields":[]},{"constructor":7,"fields":[{"int":1}]},{"constructor":127,"fields":[]},{"constructor":128,"fields":[]},{"constructor":70000,"fields":[]}]}',
    ],
    [
      'integers: small, negative, 64-bit and bignums',
      '{"list":[{"int":0},{"int":23},{"int":-1},{"int":-24},{"int":18446744073709551615},{"int":-18446744073709551616},{"int":123456789012345678901234567890},{"int":-123456789012345678901234567890}]}',
    ],
    [
      'bytes: empty, 64, and longer (chunked)',
      `{"list":[{"bytes":""},{"bytes":"${'ab'.repeat(64)}"},{"bytes":"${'cd'.repeat(65)}"},{"bytes":"${'0f'.repeat(300)}"}]}`,
    ],
    [
      'maps with any keys',
      '{"map":[{"k":{"int":1},"v":{"bytes":"00"}},{"k":{"bytes":"ff"},"v":{"list":[]}},{"k":{"constructor":1,"fields":[]},"v":{"map":[]}}]}',
    ],
    ['nesting', '{"constructor":0,"fields":[{"list":[{"list":[{"map":[{"k":{"int":1},"v":{"constructor":2,"fields":[{"bytes":"01"}]}}]}]}]}]}'],
  ])('reads %s as CSL encodes and prints it', (_, json) => {
    const hex = cslCbor(json);
    expect(decodePlutusData(hex)).toEqual(cslJson(hex));
    expect(decodePlutusData(Buffer.from(hex, 'hex'))).toEqual(cslJson(hex));
  });

  it('reads an era markers datum (a payload cut in 64-byte bytes fields) as the cardano-cli path does', () => {
    const payload = '7b226d61726b657273223a5b5d7d'.repeat(20);
    const datum = inlineDatumOfBytes(payload);
    const decoded = decodePlutusData(cslCbor(JSON.stringify(datum)));
    expect(decoded).toEqual(datum);
    expect(inlineDatumBytesFields(decoded)).toBe(payload);
  });

  it('reads definite-length lists and maps, and non-minimal heads', () => {
    // [1, h'01'] definite; {} definite; 1 written on two bytes; constructor 0 with definite fields.
    expect(decodePlutusData('82014101')).toEqual({ list: [{ int: 1 }, { bytes: '01' }] });
    expect(decodePlutusData('a0')).toEqual({ map: [] });
    expect(decodePlutusData('1801')).toEqual({ int: 1 });
    expect(decodePlutusData('d87981182a')).toEqual({ constructor: 0, fields: [{ int: 42 }] });
    expect(decodePlutusData('bf0102ff')).toEqual({ map: [{ k: { int: 1 }, v: { int: 2 } }] });
  });

  it.each([
    ['a text string', '6161', /text string/],
    ['a float', 'f93c00', /float or simple/],
    ['a boolean', 'f5', /float or simple/],
    ['another tag', 'd81841a0', /tag 24/],
    ['a constructor whose fields are not a list', 'd87901', /not a list/],
    ['tag 102 without a pair', 'd86601', /pair/],
    ['tag 102 with a negative constructor', 'd866822080', /unsigned/],
    ['a bignum that is not bytes', 'c201', /bignum/],
    ['a bignum beyond its bound', `c25841${'01'.repeat(65)}`, /more than 64 bytes/],
    ['a chunk that is not bytes', '5f01ff', /chunk/],
    ['a nested indefinite chunk', '5f5fffff', /chunk/],
    ['a break outside an item', 'ff', /break/],
    ['reserved additional information', '1c', /reserved/],
    ['a truncated item', 'd8799f4101', /end inside/],
    ['an unterminated indefinite list', '9f01', /end inside/],
    ['a length past the end', '5bffffffffffffffff00', /past the end/],
    ['a count past the end', '9b000000010000000001', /past the end/],
    ['bytes after the item', '0000', /after the item/],
    ['no bytes', '', /end inside/],
    ['not hex', 'zz', /hex/],
  ])('refuses %s with a typed error', (_, hex, message) => {
    expectCardanoError(() => decodePlutusData(hex), 'INVALID_PLUTUS_DATA', message);
  });

  it('bounds nesting and size without exhausting the stack', () => {
    expectCardanoError(() => decodePlutusData('81'.repeat(5000) + '00'), 'INVALID_PLUTUS_DATA', /nested deeper/);
    expectCardanoError(() => decodePlutusData('9f'.repeat(5000) + '00' + 'ff'.repeat(5000)), 'INVALID_PLUTUS_DATA', /nested deeper/);
    expectCardanoError(
      () => decodePlutusData(`5a${(MAX_PLUTUS_DATA_BYTES + 1).toString(16).padStart(8, '0')}${'00'.repeat(MAX_PLUTUS_DATA_BYTES + 1)}`),
      'INVALID_PLUTUS_DATA',
      /more than/,
    );
  });

  it('reads the inline datums of an Ogmios utxo answer, skipping hashes, absent and refused datums', () => {
    const markers = inlineDatumOfBytes('ab'.repeat(100));
    const output = (index: number, extra: Record<string, unknown>) => ({
      transaction: { id: 'aa'.repeat(32) },
      index,
      address: 'addr_test1vz0era',
      value: { ada: { lovelace: 2_000_000 } },
      ...extra,
    });
    const answer = [
      output(0, {}),
      output(1, { datumHash: 'bb'.repeat(32) }),
      output(2, { datum: '81'.repeat(500) + '00' }),
      output(3, { datum: cslCbor(JSON.stringify(markers)) }),
    ];
    expect(parseOgmiosUtxoInlineDatums(answer)).toEqual([markers]);
    expect(parseOgmiosUtxoInlineDatums([])).toEqual([]);
    expectCardanoError(() => parseOgmiosUtxoInlineDatums({}), 'INVALID_OGMIOS_ANSWER', /list of outputs/);
    expectCardanoError(() => parseOgmiosUtxoInlineDatums([output(0, { datum: 7 })]), 'INVALID_OGMIOS_ANSWER', /not CBOR in hex/);
    expectCardanoError(() => parseOgmiosUtxoInlineDatums(['x']), 'INVALID_OGMIOS_ANSWER', /output 0/);
  });
});
