/**
 * Stored blocks of the eras the devnet does not write, encoded here from their CDDL with cborg
 * (shapes real blocks do not show: these check the parser against the CDDL as read; real bytes
 * are in real-blocks.test.ts), and the index encoders against their parsers.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { encode } from 'cborg';
import { ImmutableDbFormatError, encodePrimaryIndex, indexedBlocks, parsePrimaryIndex, parseStoredBlock } from '../src/index.js';

const h32 = (fill: number) => new Uint8Array(32).fill(fill);
const hash = (bytes: Uint8Array) => Buffer.from(blake2b(bytes, { dkLen: 32 })).toString('hex');
const hex = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'));
const stored = (tag: number, block: unknown[]) => Buffer.from(encode([tag, block]));

describe('parseStoredBlock', () => {
  it('a Byron EBB: number = difficulty, slot = epoch × 21600, hash over 82 00 ‖ header', () => {
    const header = [764824073, h32(1), h32(2), [3n, [4242n]], [new Map()]];
    const bytes = stored(0, [header, [], []]);
    const block = parseStoredBlock(bytes, { file: 'x.chunk', offset: 0 });
    expect(block).toMatchObject({ era: 'byron', isEbb: true, number: 4242n, slot: 64_800n, ebbEpoch: 3n, headerOffset: 3, transactionHashes: [] });
    expect(hex(block.hash)).toBe(hash(Buffer.concat([Buffer.from([0x82, 0x00]), Buffer.from(encode(header))])));
    expect(hex(block.previousHash)).toBe(hex(h32(1)));
    expect(block.size).toBe(bytes.length);
  });

  it('a Byron main block: slot from the slot id, transaction ids over each tx', () => {
    const tx = [[[0, new Uint8Array(36)]], [[[new Uint8Array(40), 0], 5n]], new Map()];
    const header = [764824073, h32(1), h32(2), [[2n, 100n], new Uint8Array(64), [99n], [0, new Uint8Array(64)]], [[0, 0, 0], new Map()]];
    const body = [[[tx, [[0, new Uint8Array(64)]]]], [0, new Map()], [], [null, []]];
    const bytes = stored(1, [header, body, [new Map()]]);
    const block = parseStoredBlock(bytes, { file: 'x.chunk', offset: 0, byronEpochSlots: 21_600n });
    expect(block).toMatchObject({ era: 'byron', isEbb: false, number: 99n, slot: 2n * 21_600n + 100n });
    expect(hex(block.hash)).toBe(hash(Buffer.concat([Buffer.from([0x82, 0x01]), Buffer.from(encode(header))])));
    expect(block.transactionHashes.map(hex)).toEqual([hash(encode(tx))]);
  });

  it('a Shelley block (TPraos header body of 15 fields, 4-item block)', () => {
    const txBody = new Map<number, unknown>([
      [0, [[h32(9), 0]]],
      [1, []],
      [2, 170_000],
    ]);
    const parts = [encode([txBody]), encode([new Map()]), encode(new Map())];
    const bodySize = parts.reduce((n, p) => n + p.length, 0);
    const headerBody = [
      7n,
      1234n,
      h32(5),
      h32(6),
      h32(7),
      [h32(8), new Uint8Array(80)],
      [h32(8), new Uint8Array(80)],
      bodySize,
      h32(3),
      h32(4),
      0,
      0,
      new Uint8Array(64),
      2,
      0,
    ];
    const header = [headerBody, new Uint8Array(448)];
    const bytes = stored(2, [header, [txBody], [new Map()], new Map()]);
    const block = parseStoredBlock(bytes, { file: 'x.chunk', offset: 0 });
    expect(block).toMatchObject({
      era: 'shelley',
      eraTag: 2,
      number: 7n,
      slot: 1234n,
      headerOffset: 3,
      headerSize: encode(header).length,
      invalidTransactions: [],
    });
    expect(hex(block.hash)).toBe(hash(encode(header)));
    expect(block.transactionHashes.map(hex)).toEqual([hash(encode(txBody))]);
  });

  it('refuses an era after Conway, a wrong header shape and a body size that disagrees', () => {
    expect(() => parseStoredBlock(stored(8, []), { file: 'x.chunk', offset: 100 })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_ERA', file: 'x.chunk', offset: 101 }),
    );
    expect(() => parseStoredBlock(stored(7, [[[1, 2], new Uint8Array(448)], [], [], new Map(), []]), { file: 'x.chunk', offset: 0 })).toThrow(
      ImmutableDbFormatError,
    );
    const headerBody = [1n, 2n, null, h32(1), h32(2), [new Uint8Array(64), new Uint8Array(80)], 999, h32(3), [h32(4), 0, 0, new Uint8Array(64)], [10, 0]];
    expect(() => parseStoredBlock(stored(7, [[headerBody, new Uint8Array(448)], [], [], new Map(), []]), { file: 'x.chunk', offset: 0 })).toThrow(
      /999-byte body/,
    );
  });
});

describe('index files', () => {
  it('a primary index encodes and parses back, empty slots repeating the offset', () => {
    const bytes = encodePrimaryIndex([1, 2, 5], 7);
    expect(Array.from(parsePrimaryIndex(bytes, 'x.primary'))).toEqual([0, 0, 56, 112, 112, 112, 168, 168]);
    expect(() => parsePrimaryIndex(Uint8Array.of(2, 0, 0, 0, 0), 'x.primary')).toThrow(expect.objectContaining({ code: 'CORRUPT', offset: 0 }));
    expect(() => parsePrimaryIndex(bytes.subarray(0, bytes.length - 2), 'x.primary')).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(parsePrimaryIndex(bytes.subarray(0, bytes.length - 2), 'x.primary', true)).toHaveLength(7);
    expect(() => indexedBlocks(parsePrimaryIndex(bytes, 'x.primary'), new Uint8Array(100), { primary: 'x.primary', secondary: 'x.secondary' })).toThrow(
      expect.objectContaining({ code: 'TRUNCATED', file: 'x.secondary' }),
    );
  });
});
