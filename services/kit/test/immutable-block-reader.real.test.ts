/**
 * The immutable DB reader on real blocks (libs/testkit's real-blocks fixtures, sources in their
 * README) put into chunk, primary and secondary files the way cardano-node lays them out: each
 * block in the chunk of its real slot (21600-slot chunks, mainnet's and the public testnets'),
 * at relative slot 1 + slot − chunk·21600 (0 for an EBB), the finished chunk's primary index
 * back-filled to all 21601 relative slots, and an empty chunk after it (opened, no block yet), so
 * the chunk under test is read as a finished one, with no leniency for a write in progress. The secondary index carries the independently stated header hash where there
 * is one, so the reader's own hash-versus-index check is a known-answer check too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ImmutableDbFormatError,
  PRIMARY_INDEX_VERSION,
  SECONDARY_ENTRY_BYTES,
  blockChecksum,
  encodePrimaryIndex,
  encodeSecondaryEntry,
  immutableFileName,
  parseStoredBlock,
} from '@mithril-ts/cardano';
import { MAINNET_BYRON_BLOCKS_1_TO_9, TESTNET_EBB_0, mainnetByronBlocks1To9, realBlocks } from '@mithril-ts/testkit/real-blocks';
import { readImmutableBlocks, type ImmutableBlock } from '../src/index.js';

const CHUNK_SLOTS = 21_600n;
const hex = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'));

interface Placed {
  readonly stored: Buffer;
  /** The header hash to write into the secondary index (an independent value where one exists). */
  readonly hash?: string;
}

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** A DB holding `blocks` (chain order, all in one chunk) as a finished chunk, then an empty open one. */
function immutableDb(chunk: bigint, blocks: readonly Placed[]): string {
  const directory = mkdtempSync(join(tmpdir(), 'real-blocks-'));
  directories.push(directory);
  const secondary = Buffer.alloc(blocks.length * SECONDARY_ENTRY_BYTES);
  const filled: number[] = [];
  let offset = 0;
  blocks.forEach((placed, i) => {
    const block = parseStoredBlock(placed.stored, { file: 'fixture', offset: 0 });
    const relativeSlot = block.isEbb ? 0 : Number(1n + block.slot - chunk * CHUNK_SLOTS);
    if (relativeSlot < 0 || relativeSlot > Number(CHUNK_SLOTS)) throw new Error(`slot ${block.slot} is not in chunk ${chunk}`);
    filled.push(relativeSlot);
    secondary.set(
      encodeSecondaryEntry({
        blockOffset: BigInt(offset),
        headerOffset: block.headerOffset,
        headerSize: block.headerSize,
        checksum: blockChecksum(placed.stored),
        headerHash: placed.hash === undefined ? block.hash : Buffer.from(placed.hash, 'hex'),
        blockOrEbb: block.isEbb ? (block.ebbEpoch as bigint) : block.slot,
      }),
      i * SECONDARY_ENTRY_BYTES,
    );
    offset += placed.stored.length;
  });
  writeFileSync(join(directory, immutableFileName(chunk, 'chunk')), Buffer.concat(blocks.map((b) => b.stored)));
  writeFileSync(join(directory, immutableFileName(chunk, 'primary')), encodePrimaryIndex(filled, Number(CHUNK_SLOTS) + 1));
  writeFileSync(join(directory, immutableFileName(chunk, 'secondary')), secondary);
  // The next chunk, opened with no block yet (a primary index of the version and the first offset).
  const next = chunk + 1n;
  writeFileSync(join(directory, immutableFileName(next, 'chunk')), Buffer.alloc(0));
  writeFileSync(join(directory, immutableFileName(next, 'primary')), Buffer.from([PRIMARY_INDEX_VERSION, 0, 0, 0, 0]));
  writeFileSync(join(directory, immutableFileName(next, 'secondary')), Buffer.alloc(0));
  return directory;
}

async function readAll(directory: string): Promise<{ blocks: ImmutableBlock[]; skipped: ImmutableDbFormatError[] }> {
  const blocks: ImmutableBlock[] = [];
  const skipped: ImmutableDbFormatError[] = [];
  for await (const block of readImmutableBlocks(directory, { chunkSlots: CHUNK_SLOTS, onSkippedTail: (error) => skipped.push(error) })) blocks.push(block);
  return { blocks, skipped };
}

describe('readImmutableBlocks on real blocks in node-shaped chunk files', () => {
  it('mainnet blocks 1–9 in chunk 00000: read back chained, with the hashes the chain itself states', async () => {
    const stored = mainnetByronBlocks1To9();
    const previous = stored.map((bytes) => hex(parseStoredBlock(bytes, { file: 'fixture', offset: 0 }).previousHash) as string);
    // Block i's hash is what block i+1 names; the last one's only source is the decoder.
    const placed = stored.map((bytes, i) => ({ stored: bytes, hash: previous[i + 1] }));
    const { blocks, skipped } = await readAll(immutableDb(0n, placed));
    expect(skipped).toEqual([]);
    expect(blocks.map((b) => b.number)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    expect(blocks.map((b) => b.slot)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(blocks.map((b) => b.chunk)).toEqual(Array(9).fill(0n));
    expect(hex(blocks[0]?.hash)).toBe(MAINNET_BYRON_BLOCKS_1_TO_9.firstHash);
    expect(hex(blocks[0]?.previousHash)).toBe(MAINNET_BYRON_BLOCKS_1_TO_9.ebbHash);
    expect(blocks.slice(0, 8).map((b) => hex(b.hash))).toEqual(previous.slice(1));
  });

  it.each(realBlocks().map((fixture) => [fixture.name, fixture] as const))('%s, alone in the chunk of its slot', async (_name, fixture) => {
    const parsed = parseStoredBlock(fixture.stored, { file: fixture.file, offset: 0 });
    const chunk = parsed.slot / CHUNK_SLOTS;
    const { blocks, skipped } = await readAll(immutableDb(chunk, [{ stored: fixture.stored, hash: fixture.hash }]));
    expect(skipped).toEqual([]);
    expect(blocks).toHaveLength(1);
    const [block] = blocks as [ImmutableBlock];
    expect(block).toMatchObject({ chunk, eraTag: fixture.eraTag, isEbb: false, size: fixture.stored.length });
    if (fixture.hash !== undefined) expect(hex(block.hash)).toBe(fixture.hash);
    if (fixture.slot !== undefined) expect(block.slot).toBe(fixture.slot);
    if (fixture.transactionCount !== undefined) expect(block.transactionHashes).toHaveLength(fixture.transactionCount);
    for (const [index, id] of fixture.transactionIds) expect(hex(block.transactionHashes[index])).toBe(id);
  });

  it('an epoch boundary block in relative slot 0, indexed by its epoch (real testnet EBB header, stand-in body)', async () => {
    const stored = Buffer.concat([Buffer.from([0x82, 0x00, 0x83]), TESTNET_EBB_0.header(), Buffer.from([0x9f, 0xff, 0x81, 0xa0])]);
    const { blocks } = await readAll(immutableDb(0n, [{ stored, hash: TESTNET_EBB_0.hash }]));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ isEbb: true, ebbEpoch: 0n, slot: 0n, number: 0n, chunk: 0n });
    expect(hex(blocks[0]?.hash)).toBe(TESTNET_EBB_0.hash);
  });

  it('two real blocks of the same chunk that do not link are refused (BROKEN_CHAIN), after the first is yielded', async () => {
    const byName = new Map(realBlocks().map((b) => [b.file, b]));
    const earlier = byName.get('mainnet-byron-4471207.raw.hex');
    const later = byName.get('mainnet-byron-4492794.hex');
    if (earlier === undefined || later === undefined) throw new Error('fixture missing');
    const directory = immutableDb(207n, [earlier, later]);
    const seen: bigint[] = [];
    await expect(
      (async () => {
        for await (const block of readImmutableBlocks(directory, { chunkSlots: CHUNK_SLOTS })) seen.push(block.slot);
      })(),
    ).rejects.toMatchObject({ code: 'BROKEN_CHAIN', file: '00207.chunk', offset: earlier.stored.length });
    expect(seen).toEqual([4_471_207n]);
  });

  it('a secondary index naming another hash than the real header is refused (CORRUPT)', async () => {
    const fixture = realBlocks().find((b) => b.eraTag === 7);
    if (fixture?.hash === undefined || fixture.slot === undefined) throw new Error('fixture missing');
    const wrong = `${fixture.hash.slice(0, -2)}${fixture.hash.endsWith('00') ? '01' : '00'}`;
    const directory = immutableDb(fixture.slot / CHUNK_SLOTS, [{ stored: fixture.stored, hash: wrong }]);
    await expect(readAll(directory)).rejects.toMatchObject({ code: 'CORRUPT' });
  });
});
