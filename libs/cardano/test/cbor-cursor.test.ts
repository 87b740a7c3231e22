/**
 * The CBOR cursor under the block reader: spans of every kind of item cborg encodes (checked
 * against cborg's own lengths over seeded random values), the CBOR cborg cannot write but the
 * ledger does (indefinite-length byte strings of Plutus data), and each malformed input ending in
 * a typed error at the right offset.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { encode } from 'cborg';
import { CborCursor, ImmutableDbFormatError, parseStoredBlock } from '../src/index.js';

const cursor = (bytes: Uint8Array | number[]) => new CborCursor(Uint8Array.from(bytes), 'x.chunk', 1000);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A deterministic stream of values of every CBOR kind cborg encodes, nested up to `depth`. */
function randomValue(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 0 ? 11 : 8));
  switch (kind) {
    case 0:
      return Math.floor(next() * 30);
    case 1:
      return BigInt(Math.floor(next() * 2 ** 40)) * 2n ** 24n + 7n;
    case 2:
      return -Math.floor(next() * 70_000) - 1;
    case 3:
      return new Uint8Array(Math.floor(next() * 300)).fill(0xab);
    case 4:
      return 'ü'.repeat(Math.floor(next() * 40));
    case 5:
      return [true, false, null, undefined][Math.floor(next() * 4)];
    case 6:
      return next() * 1e6;
    case 7:
      return -(2n ** 64n) + BigInt(Math.floor(next() * 1000));
    case 8:
      return Array.from({ length: Math.floor(next() * 30) }, () => randomValue(next, depth - 1));
    case 9:
      return new Map(Array.from({ length: Math.floor(next() * 10) }, (_, i) => [i, randomValue(next, depth - 1)]));
    default:
      return [randomValue(next, depth - 1), new Uint8Array(40)];
  }
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('CborCursor.skip', () => {
  it('spans exactly the bytes cborg wrote, for 300 random items back to back', () => {
    const next = seeded(42);
    const items = Array.from({ length: 300 }, () => encode(randomValue(next, 4)));
    const c = cursor(Buffer.concat(items));
    let at = 0;
    for (const item of items) {
      expect(c.skip('an item')).toEqual([at, at + item.length]);
      at += item.length;
    }
    expect(c.done()).toBe(true);
  });

  it('every cut of an item is TRUNCATED at the end of the bytes, never a wrong span', () => {
    const item = encode([1, new Uint8Array(70), new Map([[1, ['text', [2n ** 60n, -5]]]]), 3.5, null]);
    for (let cut = 0; cut < item.length; cut += 1)
      expect(() => cursor(item.subarray(0, cut)).skip('the item')).toThrow(expect.objectContaining({ code: 'TRUNCATED', file: 'x.chunk', offset: 1000 + cut }));
  });

  it('indefinite-length byte and text strings (definite chunks of the same type), arrays and maps', () => {
    // Plutus data: bytes longer than 64 are written as 64-byte chunks of an indefinite byte string.
    const chunked = [0x5f, 0x58, 0x40, ...new Array<number>(64).fill(1), 0x42, 2, 3, 0xff];
    const text = [0x7f, 0x61, 0x61, 0x60, 0xff];
    const item = [0x9f, ...chunked, 0xbf, 0x01, ...text, 0xff, 0xd8, 0x79, 0x9f, 0xff, 0xff];
    expect(cursor(item).skip('the item')).toEqual([0, item.length]);
  });

  it('an 8-byte integer comes back exact', () => {
    const c = cursor([0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
    expect(c.uint('the slot')).toBe(2n ** 64n - 2n);
  });

  it.each([
    ['reserved additional information', [0x1c], 0],
    ['an indefinite-length integer', [0x82, 0x1f, 0x00], 1],
    ['an indefinite-length tag', [0xdf, 0x00], 0],
    ['a text chunk in a byte string', [0x5f, 0x61, 0x61, 0xff], 1],
    ['an indefinite chunk in an indefinite string', [0x5f, 0x5f, 0xff, 0xff], 1],
    ['a break outside an indefinite container', [0x82, 0x01, 0xff], 2],
    ['a simple value', [0xf0], 0],
    ['a one-byte simple value', [0xf8, 0x20], 0],
  ])('%s is CORRUPT at its byte', (_what, bytes, at) => {
    expect(() => cursor(bytes).skip('the item')).toThrow(expect.objectContaining({ code: 'CORRUPT', offset: 1000 + at }));
  });

  it('a length past the end is TRUNCATED before anything is read or allocated', () => {
    expect(() => cursor([0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]).skip('a byte string')).toThrow(
      expect.objectContaining({ code: 'TRUNCATED' }),
    );
    // Billions of items claimed: nothing happens until they are there (they are not).
    expect(() => cursor([0x9b, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]).skip('an array')).toThrow(
      expect.objectContaining({ code: 'TRUNCATED', offset: 1010 }),
    );
  });

  it('nesting deeper than 512 containers is refused (no recursion to overflow)', () => {
    const deep = new Uint8Array(100_000).fill(0x81);
    expect(() => cursor(deep).skip('the item')).toThrow(expect.objectContaining({ code: 'CORRUPT', offset: 1512 }));
    const fine = Uint8Array.from([...new Array<number>(512).fill(0x81), 0x00]);
    expect(cursor(fine).skip('the item')).toEqual([0, 513]);
  });

  it('typed reads say what was expected and where', () => {
    expect(() => cursor([0x41, 0x00]).array('the block')).toThrow(/the block should be a CBOR array, found bytes/);
    expect(() => cursor([0x58, 0x20, 0x00]).bytesOf('the previous hash', 32)).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => cursor([0x5f, 0xff]).bytesOf('the previous hash', 32)).toThrow(/32 bytes, found an indefinite length/);
    expect(() => cursor([0x20]).uint('the slot')).toThrow(ImmutableDbFormatError);
  });
});

describe('a Conway block whose witness set holds chunked Plutus bytes', () => {
  it('parses, and its transaction id is over the body bytes', () => {
    const body = encode(
      new Map<number, unknown>([
        [0, []],
        [1, []],
        [2, 200_000],
      ]),
    );
    // witness set {4: [plutus bytes of 70 bytes, chunked 64 + 6]}: cborg cannot write this.
    const witnesses = Uint8Array.from([0x81, 0xa1, 0x04, 0x81, 0x5f, 0x58, 0x40, ...new Array<number>(64).fill(9), 0x46, 1, 2, 3, 4, 5, 6, 0xff]);
    const rest = [Uint8Array.from([0x81]), body, witnesses, encode(new Map()), encode([])];
    const bodySize = rest.reduce((n, part) => n + part.length, 0);
    const h32 = new Uint8Array(32);
    const header = encode([
      [1n, 2n, null, h32, h32, [new Uint8Array(64), new Uint8Array(80)], bodySize, h32, [h32, 0, 0, new Uint8Array(64)], [10, 0]],
      new Uint8Array(448),
    ]);
    const bytes = Buffer.concat([Uint8Array.of(0x82, 0x07, 0x85), header, ...rest]);
    const block = parseStoredBlock(bytes, { file: 'x.chunk', offset: 0 });
    expect(block.size).toBe(bytes.length);
    expect(block.transactionHashes.map(hex)).toEqual([hex(blake2b(body, { dkLen: 32 }))]);
    expect(hex(block.hash)).toBe(hex(blake2b(header, { dkLen: 32 })));
  });
});
