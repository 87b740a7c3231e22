/**
 * Known-answer tests on real blocks (libs/testkit/fixtures/real-blocks, sources in its README):
 * the decoder's header hash, slot, block number and transaction ids against values stated by
 * sources outside this repository — an explorer page quoted by the source, another
 * implementation's test, or the real chain itself (a block's previous hash is the hash the next
 * block's producer computed). Where no independent value exists, the Shelley-to-Conway blocks
 * are checked against cardano-serialization-lib (a second implementation reading the same
 * bytes: second-best, and said so in the test names).
 */
import * as CSL from '@emurgo/cardano-serialization-lib-nodejs';
import { MAINNET_BYRON_BLOCKS_1_TO_9, TESTNET_EBB_0, mainnetByronBlocks1To9, realBlocks } from '@mithril-ts/testkit/real-blocks';
import { CARDANO_ERA_NAMES, parseStoredBlock, type StoredBlock } from '../src/index.js';

const hex = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'));
const parse = (stored: Buffer, file: string): StoredBlock => parseStoredBlock(stored, { file, offset: 0 });

describe('real blocks: the values independent sources state', () => {
  it.each(realBlocks().map((block) => [block.name, block] as const))('%s', (_name, fixture) => {
    const block = parse(fixture.stored, fixture.file);
    expect(block.eraTag).toBe(fixture.eraTag);
    expect(block.era).toBe(CARDANO_ERA_NAMES[fixture.eraTag]);
    expect(block.isEbb).toBe(false);
    // The whole stored item, nothing left over, and the header where the secondary index puts it.
    expect(block.size).toBe(fixture.stored.length);
    expect(block.headerOffset).toBe(3);
    if (fixture.hash !== undefined) expect(hex(block.hash)).toBe(fixture.hash);
    if (fixture.slot !== undefined) expect(block.slot).toBe(fixture.slot);
    if (fixture.number !== undefined) expect(block.number).toBe(fixture.number);
    if (fixture.transactionCount !== undefined) expect(block.transactionHashes).toHaveLength(fixture.transactionCount);
    for (const [index, id] of fixture.transactionIds) expect(hex(block.transactionHashes[index])).toBe(id);
    // A fixture that states nothing would make this test unable to fail.
    expect(fixture.hash !== undefined || fixture.transactionIds.size > 0).toBe(true);
  });

  it('covers every era tag but the EBB one (0), which has its own test below', () => {
    expect(new Set(realBlocks().map((b) => b.eraTag))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
  });

  it('mainnet blocks 1–9: each hash is the one the next block names, block 1 is the well-known first hash, block 1 points at the genesis EBB', () => {
    const blocks = mainnetByronBlocks1To9().map((bytes, i) => parse(bytes, `mainnet block ${i + 1}`));
    expect(hex(blocks[0]?.hash)).toBe(MAINNET_BYRON_BLOCKS_1_TO_9.firstHash);
    expect(hex(blocks[0]?.previousHash)).toBe(MAINNET_BYRON_BLOCKS_1_TO_9.ebbHash);
    for (let i = 1; i < blocks.length; i += 1) expect(hex(blocks[i - 1]?.hash)).toBe(hex(blocks[i]?.previousHash));
    expect(blocks.map((b) => b.number)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    expect(blocks.map((b) => b.slot)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(blocks.every((b) => b.era === 'byron' && !b.isEbb && b.transactionHashes.length === 0)).toBe(true);
  });

  it('the legacy testnet epoch-0 boundary block: hash over 82 00 ‖ its real header (body stood in by an empty list)', () => {
    // The real body (21600 slot-leader ids, 648 kB) is not kept; the header hash does not cover
    // it, and the decoder only skips it. The stand-in is an empty indefinite list, the real one's form.
    const stored = Buffer.concat([Buffer.from([0x82, 0x00, 0x83]), TESTNET_EBB_0.header(), Buffer.from([0x9f, 0xff, 0x81, 0xa0])]);
    const block = parse(stored, 'testnet EBB 0');
    expect(block).toMatchObject({ eraTag: 0, era: 'byron', isEbb: true, ebbEpoch: TESTNET_EBB_0.epoch, slot: 0n, number: 0n, headerOffset: 3 });
    expect(block.headerSize).toBe(TESTNET_EBB_0.header().length);
    expect(hex(block.hash)).toBe(TESTNET_EBB_0.hash);
    expect(hex(block.previousHash)).toBe(TESTNET_EBB_0.previousHash);
    expect(block.transactionHashes).toEqual([]);
  });
});

describe('real Shelley-to-Conway blocks: differential check against cardano-serialization-lib (second-best: another implementation, not a stated value)', () => {
  const fixtures = realBlocks().filter((b) => b.eraTag >= 2);

  it.each(fixtures.map((block) => [block.name, block] as const))('%s', (_name, fixture) => {
    const block = parse(fixture.stored, fixture.file);
    // CSL reads the same `[tag, block]` envelope and keeps each body's original bytes.
    const versioned = CSL.FixedVersionedBlock.from_bytes(fixture.stored);
    try {
      const csl = versioned.block();
      const body = csl.header().header_body();
      const bodies = csl.transaction_bodies();
      const ids: string[] = [];
      for (let i = 0; i < bodies.len(); i += 1) ids.push(bodies.get(i).tx_hash().to_hex());
      expect(hex(block.hash)).toBe(csl.block_hash().to_hex());
      expect(block.number).toBe(BigInt(body.block_number()));
      expect(block.slot).toBe(BigInt(body.slot_bignum().to_str()));
      expect(hex(block.previousHash)).toBe(body.prev_hash()?.to_hex());
      expect(block.transactionHashes.map(hex)).toEqual(ids);
      expect(block.invalidTransactions).toEqual(Array.from(csl.invalid_transactions()));
      // CSL numbers the eras from Byron = 0 (no separate EBB tag).
      expect(versioned.era()).toBe(fixture.eraTag - 1);
    } finally {
      versioned.free();
    }
  });
});
