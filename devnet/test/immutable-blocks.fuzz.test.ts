/**
 * The block reader on damaged immutable DBs: truncated and corrupted chunk files and index files,
 * and random bytes straight into the parsers. Each case ends in a typed error (the format error
 * naming file and offset, or the DB error for a missing file) or — in the open last chunk — in a
 * clean stop after the blocks before the damage; never a crash, a hang or an allocation beyond
 * the limits. `npm run fuzz` raises the run counts (FUZZ_RUNS).
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ImmutableDbFormatError, indexedBlocks, parsePrimaryIndex, parseStoredBlock } from '@mithril-ts/cardano';
import { ImmutableDbError, readImmutableBlocks, type ImmutableBlock } from '@mithril-ts/service-kit';
import { Devnet } from '../src/index.js';
import { GENESIS_MS, atSlot, tempRoot } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 0);
/** Whole-DB cases read files: fewer of them in `npm test`. */
const DB_RUNS = RUNS > 0 ? Math.ceil(RUNS / 20) : 25;
const PARSER_RUNS = RUNS > 0 ? RUNS : 300;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

let base: string;
let original: ImmutableBlock[];
let scratch: string;
let copies = 0;

async function readAll(directory: string, onSkippedTail?: (error: ImmutableDbFormatError) => void): Promise<ImmutableBlock[]> {
  const blocks: ImmutableBlock[] = [];
  for await (const block of readImmutableBlocks(directory, { chunkSlots: 20n, maxBlockBytes: 256 * 1024, maxIndexBytes: 64 * 1024, onSkippedTail }))
    blocks.push(block);
  return blocks;
}

function freshCopy(): string {
  copies += 1;
  const directory = join(scratch, String(copies));
  mkdirSync(directory);
  for (const name of readdirSync(base)) copyFileSync(join(base, name), join(directory, name));
  return directory;
}

function isTyped(error: unknown): boolean {
  return error instanceof ImmutableDbFormatError || (error instanceof ImmutableDbError && error.code === 'MISSING_FILE');
}

beforeAll(async () => {
  const root = tempRoot('blocks-fuzz-');
  const devnet = await Devnet.create(root, { pools: 1 }, { genesisTimeMs: GENESIS_MS });
  await devnet.advanceTo(atSlot(47));
  base = join(root, 'nodes', 'pool-1', 'db', 'immutable');
  original = await readAll(base);
  scratch = tempRoot('blocks-fuzz-copies-');
}, 120_000);

const FINAL_FILES = ['00000.chunk', '00000.primary', '00000.secondary', '00001.chunk', '00001.primary', '00001.secondary'];
const OPEN_FILES = ['00002.chunk', '00002.primary', '00002.secondary'];

describe('a damaged final chunk', () => {
  it('truncated anywhere: a typed error naming the file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FINAL_FILES), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), async (file, fraction) => {
        const directory = freshCopy();
        const size = readFileSync(join(directory, file)).length;
        truncateSync(join(directory, file), Math.floor(size * fraction));
        const error = await readAll(directory).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isTyped(error)).toBe(true);
        if (error instanceof ImmutableDbFormatError) expect(error.file).toMatch(/^0000[01]\.(chunk|primary|secondary)$/);
      }),
      { numRuns: DB_RUNS },
    );
  }, 300_000);

  it('with bytes overwritten: a typed error, or (harmless change) the very same blocks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FINAL_FILES), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), async (file, position, garbage) => {
        const directory = freshCopy();
        const bytes = readFileSync(join(directory, file));
        const at = position % bytes.length;
        bytes.set(garbage.subarray(0, bytes.length - at), at);
        writeFileSync(join(directory, file), bytes);
        const result = await readAll(directory).then(
          (blocks) => ({ blocks }),
          (error: unknown) => ({ error }),
        );
        if ('error' in result) expect(isTyped(result.error)).toBe(true);
        else expect(result.blocks.map((b) => hex(b.hash))).toEqual(original.map((b) => hex(b.hash)));
      }),
      { numRuns: DB_RUNS },
    );
  }, 300_000);
});

describe('a damaged open (last) chunk', () => {
  it('truncated anywhere: the blocks before the cut, then a reported stop', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPEN_FILES), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), async (file, fraction) => {
        const directory = freshCopy();
        const size = readFileSync(join(directory, file)).length;
        truncateSync(join(directory, file), Math.floor(size * fraction));
        const skipped: ImmutableDbFormatError[] = [];
        const blocks = await readAll(directory, (error) => skipped.push(error));
        expect(blocks.length).toBeLessThan(original.length);
        expect(blocks.map((b) => hex(b.hash))).toEqual(original.slice(0, blocks.length).map((b) => hex(b.hash)));
        expect(skipped).toHaveLength(1);
      }),
      { numRuns: DB_RUNS },
    );
  }, 300_000);
});

describe('random bytes into the parsers', () => {
  const typedOrNothing = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ImmutableDbFormatError);
    }
  };

  it('a stored block: a typed error or a block within the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) =>
        typedOrNothing(() => {
          const block = parseStoredBlock(Buffer.from(bytes), { file: 'fuzz.chunk', offset: 0 });
          expect(block.size).toBeLessThanOrEqual(bytes.length);
        }),
      ),
      { numRuns: PARSER_RUNS },
    );
  });

  it('a real block with a byte changed or the end cut: a typed error or a block', () => {
    const block = readFileSync(join(base, '00000.chunk')).subarray(0, (original[0] as ImmutableBlock).size);
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 255 }), fc.nat(), (position, value, cut) =>
        typedOrNothing(() => {
          const bytes = Buffer.from(block);
          bytes[position % bytes.length] = value;
          parseStoredBlock(bytes.subarray(0, bytes.length - (cut % bytes.length)), { file: 'fuzz.chunk', offset: 0 });
        }),
      ),
      { numRuns: PARSER_RUNS },
    );
  });

  it('huge announced lengths and deep nesting cost nothing before they fail', () => {
    // A Conway header body up to its previous hash, then the field the reader skips: an array
    // announcing 2^63 items, 100 000 nested arrays, a byte string of 2^64 − 1 bytes.
    const start = '820785828a0000f6';
    const huge = Buffer.from(`${start}9b7fffffffffffffff00`, 'hex');
    expect(() => parseStoredBlock(huge, { file: 'huge.chunk', offset: 0 })).toThrow(ImmutableDbFormatError);
    const deep = Buffer.concat([Buffer.from(start, 'hex'), Buffer.alloc(100_000, 0x81)]);
    expect(() => parseStoredBlock(deep, { file: 'deep.chunk', offset: 0 })).toThrow(/nested deeper/);
    const bytesClaim = Buffer.from(`${start}5bffffffffffffffff`, 'hex');
    expect(() => parseStoredBlock(bytesClaim, { file: 'bytes.chunk', offset: 0 })).toThrow(ImmutableDbFormatError);
  });

  it('index files: typed errors only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 600 }), fc.boolean(), (primary, secondary, open) =>
        typedOrNothing(() => indexedBlocks(parsePrimaryIndex(primary, 'f.primary', open), secondary, { primary: 'f.primary', secondary: 'f.secondary' }, open)),
      ),
      { numRuns: PARSER_RUNS },
    );
  });
});
