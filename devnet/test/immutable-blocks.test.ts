/**
 * The devnet's immutable DB read back block by block by service-kit's reader: the writer (CSL
 * ledger parts, cborg header, libs/cardano index encoders) and the reader (cborg tokenizer spans,
 * libs/cardano index parsers) meet only through the files. Hashes are recomputed independently:
 * block hashes with @noble/hashes over the header span the secondary index names, transaction ids
 * with CSL's own `FixedTransactionBody.tx_hash` over the bodies CSL built.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as CSL from '@emurgo/cardano-serialization-lib-nodejs';
import { blake2b } from '@noble/hashes/blake2.js';
import { ImmutableDbFormatError, parseSecondaryEntry, type SecondaryEntry } from '@mithril-ts/cardano';
import { parseJson } from '@mithril-ts/codec';
import { readImmutableBlocks, type ImmutableBlock, type ReadImmutableBlocksOptions } from '@mithril-ts/service-kit';
import { Devnet, buildBlock, type PreviousBlock } from '../src/index.js';
import { GENESIS_MS, atSlot, tempRoot } from './helpers.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function readAll(directory: string, options: ReadImmutableBlocksOptions = {}): Promise<ImmutableBlock[]> {
  const blocks: ImmutableBlock[] = [];
  for await (const block of readImmutableBlocks(directory, { chunkSlots: 20n, ...options })) blocks.push(block);
  return blocks;
}

function copyDirectory(from: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));
  return to;
}

function secondaryEntries(directory: string, chunk: string): SecondaryEntry[] {
  const bytes = readFileSync(join(directory, `${chunk}.secondary`));
  return Array.from({ length: bytes.length / 56 }, (_, i) => parseSecondaryEntry(bytes, i * 56, `${chunk}.secondary`));
}

let devnet: Devnet;
let root: string;
let immutable: string;
const TIP_SLOT = 65;

beforeAll(async () => {
  root = tempRoot('devnet-blocks-');
  devnet = await Devnet.create(root, { pools: 2 }, { genesisTimeMs: GENESIS_MS });
  await devnet.advanceTo(atSlot(TIP_SLOT));
  immutable = join(root, 'nodes', 'pool-1', 'db', 'immutable');
}, 120_000);

describe('the devnet immutable DB read by the block reader', () => {
  it('yields every block from slot 0 to the tip, chained, with the hashes computed independently', async () => {
    const skipped: unknown[] = [];
    const blocks = await readAll(immutable, { onSkippedTail: (error) => skipped.push(error) });
    expect(skipped).toEqual([]);
    expect(blocks.map((b) => Number(b.slot))).toEqual(Array.from({ length: TIP_SLOT + 1 }, (_, i) => i));
    expect(blocks.map((b) => b.number)).toEqual(blocks.map((b) => b.slot));
    expect(new Set(blocks.map((b) => b.era))).toEqual(new Set(['conway']));
    expect(blocks.map((b) => b.chunk)).toEqual(blocks.map((b) => b.slot / 20n));

    let previous: PreviousBlock | undefined;
    let transactions = 0;
    for (const block of blocks) {
      // The block hash: Blake2b-256 over the header span the secondary index names, from the file.
      const chunkName = String(block.chunk).padStart(5, '0');
      const entry = secondaryEntries(immutable, chunkName).find((e) => e.blockOrEbb === block.slot) as SecondaryEntry;
      const chunkBytes = readFileSync(join(immutable, `${chunkName}.chunk`));
      const start = Number(entry.blockOffset) + entry.headerOffset;
      expect(hex(block.hash)).toBe(hex(blake2b(chunkBytes.subarray(start, start + entry.headerSize), { dkLen: 32 })));
      expect(block.previousHash === undefined ? undefined : hex(block.previousHash)).toBe(previous === undefined ? undefined : hex(previous.hash));
      // Transaction ids: CSL's own hash of the bodies it built for this block.
      const built = buildBlock(devnet.parameters, block.slot, previous);
      expect(hex(built.hash)).toBe(hex(block.hash));
      expect(block.transactionHashes.map(hex)).toEqual(built.transactionBodies.map((body) => CSL.FixedTransactionBody.from_bytes(body).tx_hash().to_hex()));
      expect(block.transactionHashes.length).toBeGreaterThan(0);
      for (const index of block.invalidTransactions) expect(index).toBeLessThan(block.transactionHashes.length);
      transactions += block.transactionHashes.length;
      previous = { hash: block.hash, number: block.number };
    }
    expect(transactions).toBeGreaterThan(blocks.length);
    // cardano-cli's tip names the last block.
    const tip = parseJson(readFileSync(join(root, 'cardano-cli', 'tip.json'), 'utf8')) as { hash: string; slot: number };
    expect(tip).toMatchObject({ slot: TIP_SLOT, hash: hex((blocks.at(-1) as ImmutableBlock).hash) });
  });

  it('indexes as cardano-node does: the EBB slot empty, a complete chunk back-filled, the open one up to the tip', () => {
    const primary = readFileSync(join(immutable, '00000.primary'));
    expect(primary[0]).toBe(1);
    const offsets = Array.from({ length: (primary.length - 1) / 4 }, (_, i) => primary.readUInt32BE(1 + 4 * i));
    expect(offsets).toEqual([0, 0, ...Array.from({ length: 20 }, (_, i) => 56 * (i + 1))]);
    const open = readFileSync(join(immutable, '00003.primary'));
    // Slots 60..65: relative slots 1..6, then one offset past the last.
    expect(open.length).toBe(1 + 4 * 8);
    expect(secondaryEntries(immutable, '00000').every((e) => e.headerOffset === 3)).toBe(true);
  });

  it('a restarted devnet carries the chain on from the files on disk', async () => {
    const again = await Devnet.create(root, { pools: 2 });
    await again.advanceTo(atSlot(TIP_SLOT + 30));
    const blocks = await readAll(immutable);
    expect(blocks.map((b) => Number(b.slot))).toEqual(Array.from({ length: TIP_SLOT + 31 }, (_, i) => i));
  }, 120_000);
});

describe('damage', () => {
  let original: ImmutableBlock[];
  let base: string;

  beforeAll(async () => {
    base = copyDirectory(immutable, join(tempRoot('blocks-base-'), 'immutable'));
    // Keep trios 00000–00003 only: 00003 is then the open chunk.
    for (const name of readdirSync(base)) if (Number(name.slice(0, 5)) > 3) rmSync(join(base, name));
    original = await readAll(base);
  });

  it('a partially written last chunk is skipped, not fatal', async () => {
    const directory = copyDirectory(base, join(tempRoot('blocks-partial-'), 'immutable'));
    const size = readFileSync(join(directory, '00003.chunk')).length;
    truncateSync(join(directory, '00003.chunk'), size - 10);
    const skipped: ImmutableDbFormatError[] = [];
    const blocks = await readAll(directory, { onSkippedTail: (error) => skipped.push(error) });
    expect(blocks.map((b) => hex(b.hash))).toEqual(original.slice(0, -1).map((b) => hex(b.hash)));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ code: 'TRUNCATED', file: '00003.chunk' });
  });

  it('the same cut in a final chunk is an error naming the file and the offset', async () => {
    const directory = copyDirectory(base, join(tempRoot('blocks-cut-'), 'immutable'));
    const size = readFileSync(join(directory, '00001.chunk')).length;
    truncateSync(join(directory, '00001.chunk'), size - 10);
    await expect(readAll(directory)).rejects.toThrow(
      expect.objectContaining({ name: 'ImmutableDbFormatError', code: 'TRUNCATED', file: '00001.chunk', offset: size - 10 }),
    );
  });

  it('a flipped byte in a block is caught by its checksum', async () => {
    const directory = copyDirectory(base, join(tempRoot('blocks-flip-'), 'immutable'));
    const bytes = readFileSync(join(directory, '00002.chunk'));
    const at = Number(secondaryEntries(directory, '00002')[5]?.blockOffset) + 700;
    bytes[at] = (bytes[at] as number) ^ 0x01;
    writeFileSync(join(directory, '00002.chunk'), bytes);
    await expect(readAll(directory)).rejects.toThrow(ImmutableDbFormatError);
    await expect(readAll(directory)).rejects.toThrow(/^00002\.chunk at byte \d+: /);
  });

  it('a block above the size limit is refused before it is read', async () => {
    await expect(readAll(base, { maxBlockBytes: 500 })).rejects.toThrow(expect.objectContaining({ code: 'TOO_LARGE', file: '00000.chunk', offset: 0 }));
  });

  it('a missing chunk in the middle is an error, not a silent gap', async () => {
    const directory = copyDirectory(base, join(tempRoot('blocks-gap-'), 'immutable'));
    for (const extension of ['chunk', 'primary', 'secondary']) rmSync(join(directory, `00001.${extension}`));
    await expect(readAll(directory)).rejects.toThrow(expect.objectContaining({ name: 'ImmutableDbError', code: 'MISSING_FILE' }));
  });
});
