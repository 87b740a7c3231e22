/**
 * Real Cardano blocks (bytes published by other projects, see fixtures/real-blocks/README.md) with
 * the values an independent source states for them: the block reader's known-answer tests.
 *
 * Every expected value here comes from outside this repository (an explorer page quoted by the
 * source, a test of another implementation asserting it, or the next block of the chain naming
 * this one's hash); nothing was produced by our decoder. A value no independent source states is
 * left out (`undefined`) — the tests check those against cardano-serialization-lib instead and say so.
 *
 * The stored form is what cardano-node's ChainDB writes into a chunk file: the hard-fork
 * combinator's envelope `[era tag, block]`. Some sources publish the bare block; for those the
 * two envelope bytes (0x82, tag) are added here and the block's bytes are left untouched.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIRECTORY = fileURLToPath(new URL('../fixtures/real-blocks/', import.meta.url));

export interface RealBlock {
  /** What the block is, for test names. */
  readonly name: string;
  /** The fixture file (in libs/testkit/fixtures/real-blocks/). */
  readonly file: string;
  /** The hard-fork combinator tag the node stores it under (0 EBB, 1 Byron, 2 Shelley … 7 Conway). */
  readonly eraTag: number;
  /** `[tag, block]`, as in a chunk file. */
  readonly stored: Buffer;
  /** The header hash (hex) an independent source gives. */
  readonly hash: string | undefined;
  readonly slot: bigint | undefined;
  readonly number: bigint | undefined;
  /** Transaction ids an independent source gives, by position in the block (others unknown). */
  readonly transactionIds: ReadonlyMap<number, string>;
  /** How many transactions the source says the block holds. */
  readonly transactionCount: number | undefined;
  /** Where the expected values come from. */
  readonly source: string;
}

function hexFile(file: string): Buffer {
  const text = readFileSync(DIRECTORY + file, 'utf8').trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) throw new Error(`${file} is not one hex string`);
  return Buffer.from(text, 'hex');
}

/** The file's bytes, in the envelope when the source published the bare block (`*.raw.hex`). */
function storedBlock(file: string, eraTag: number): Buffer {
  const bytes = hexFile(file);
  return file.endsWith('.raw.hex') ? Buffer.concat([Buffer.from([0x82, eraTag]), bytes]) : bytes;
}

interface Entry {
  readonly name: string;
  readonly file: string;
  readonly eraTag: number;
  readonly hash?: string;
  readonly slot?: bigint;
  readonly number?: bigint;
  readonly transactionIds?: ReadonlyArray<readonly [number, string]>;
  readonly transactionCount?: number;
  readonly source: string;
}

const ENTRIES: readonly Entry[] = [
  {
    name: 'mainnet Byron main block at slot 4471207 (2 transactions)',
    file: 'mainnet-byron-4471207.raw.hex',
    eraTag: 1,
    hash: '1451a0dbf16cfeddf4991a838961df1b08a68f43a19c0eb3b36cc4029c77a2d8',
    slot: 4_471_207n,
    source: 'blinklabs-io/gouroboros internal/testdata/blocks.go (cexplorer.io/block/1451a0db…)',
  },
  {
    name: 'mainnet Byron main block at slot 4492794 (the last Byron epoch, no transactions)',
    file: 'mainnet-byron-4492794.hex',
    eraTag: 1,
    hash: '5c196e7394ace0449ba5a51c919369699b13896e97432894b4f0354dce8670b6',
    slot: 4_492_794n,
    transactionCount: 0,
    source: "txpipe/pallas: pallas-traverse/src/hashes.rs (hash) and the Byron time test 'knwon_slot_matches' (slot)",
  },
  {
    name: 'mainnet Byron main block at slot 3241381 (2 transactions)',
    file: 'mainnet-byron-3241381.hex',
    eraTag: 1,
    slot: 3_241_381n,
    transactionIds: [[0, 'a06e5a0150e09f8983be2deafab9e04afc60d92e7110999eb672c903343f1e26']],
    transactionCount: 2,
    source:
      "txpipe/pallas: pallas-applying/tests/byron.rs 'successful_mainnet_tx' (tx id, cexplorer.io/tx/a06e5a01…, block_slot 3241381) and pallas-traverse/src/block.rs test_iteration (2 transactions)",
  },
  {
    name: 'legacy testnet Byron main block at slot 1034',
    file: 'testnet-byron-1034.raw.hex',
    eraTag: 1,
    hash: 'f38aa5e8cf0b47d1ffa8b2385aa2d43882282db2ffd5ac0e3dadec1a6f2ecf08',
    source: 'blinklabs-io/gouroboros protocol/chainsync/testdata (hash in the file name)',
  },
  {
    name: 'mainnet Shelley block at slot 16156972',
    file: 'mainnet-shelley-16156972.raw.hex',
    eraTag: 2,
    hash: '2308cdd4c0bf8b8bf92523bdd1dd31640c0f42ff079d985fcc07c36cbf915c2b',
    slot: 16_156_972n,
    source: 'blinklabs-io/gouroboros internal/testdata/blocks.go (cexplorer.io/block/2308cdd4…)',
  },
  {
    name: 'mainnet Allegra block at slot 23068573',
    file: 'mainnet-allegra-23068573.raw.hex',
    eraTag: 3,
    hash: '8115134ab013f6a5fd88fd2a10825177a2eedcde31cb2f1f35e492df469cf9a8',
    slot: 23_068_573n,
    source: 'blinklabs-io/gouroboros internal/testdata/blocks.go (cexplorer.io/block/8115134a…)',
  },
  {
    name: 'mainnet Mary block at slot 39916670',
    file: 'mainnet-mary-39916670.raw.hex',
    eraTag: 4,
    hash: 'd36ab36f451e9fcbd4247daef45ce5be9a4b918fce5ee97a63b8aeac606fca03',
    slot: 39_916_670n,
    source: 'blinklabs-io/gouroboros internal/testdata/blocks.go (cexplorer.io/block/d36ab36f…)',
  },
  {
    name: 'Alonzo block at slot 43381130 (5 transactions)',
    file: 'alonzo-43381130.hex',
    eraTag: 5,
    transactionIds: [
      [0, '8ae0cd531635579a9b52b954a840782d12235251fb1451e5c699e864c677514a'],
      [1, 'bb5bb4e1c09c02aa199c60e9f330102912e3ef977bb73ecfd8f790945c6091d4'],
      [2, '8cdd88042ddb6c800714fb1469fb1a1a93152aae3c87a81f2a3016f2ee5c664a'],
      [3, '10add6bdaa7ade06466bdd768456e756709090846b58bf473f240c484db517fa'],
      [4, '8838f5ab27894a6543255aeaec086f7b3405a6db6e7457a541409cdbbf0cd474'],
    ],
    transactionCount: 5,
    source: "txpipe/pallas: pallas-traverse/src/hashes.rs 'alonzo_transaction_hash_works' (all 5 tx ids)",
  },
  {
    name: 'Babbage block at slot 1029948 (1 transaction)',
    file: 'babbage-1029948.hex',
    eraTag: 6,
    transactionIds: [[0, '3fad302595665b004971a6b76909854a39a0a7ecdbff3692f37b77ae37dbe882']],
    transactionCount: 1,
    source: "txpipe/pallas: pallas-traverse/src/hashes.rs 'babbage_transaction_hash_works' (tx id)",
  },
  {
    name: 'mainnet Conway block at slot 159835207',
    file: 'mainnet-conway-159835207.raw.hex',
    eraTag: 7,
    hash: '27807a70215e3e018eec9be8c619c692e06a78ebcb63daf90d7abe823f3bbf47',
    slot: 159_835_207n,
    source: 'blinklabs-io/gouroboros internal/testdata/blocks.go (cexplorer.io/block/27807a70…)',
  },
];

/** One real block per case above, in the order of the eras. */
export function realBlocks(): RealBlock[] {
  return ENTRIES.map((entry) => ({
    name: entry.name,
    file: entry.file,
    eraTag: entry.eraTag,
    stored: storedBlock(entry.file, entry.eraTag),
    hash: entry.hash,
    slot: entry.slot,
    number: entry.number,
    transactionIds: new Map(entry.transactionIds ?? []),
    transactionCount: entry.transactionCount,
    source: entry.source,
  }));
}

/**
 * Mainnet blocks 1 to 9 (epoch 0, slots 0 to 8), stored form, in chain order: each names the one
 * before it, so every hash but the last is stated by the real chain itself.
 */
export function mainnetByronBlocks1To9(): Buffer[] {
  return readFileSync(DIRECTORY + 'mainnet-byron-blocks-1-9.hex', 'utf8')
    .trim()
    .split('\n')
    .map((line, i) => {
      if (!/^(?:[0-9a-f]{2})+$/.test(line)) throw new Error(`mainnet-byron-blocks-1-9.hex line ${i + 1} is not hex`);
      return Buffer.from(line, 'hex');
    });
}

/** What independent sources say about mainnet blocks 1–9 beyond their own links. */
export const MAINNET_BYRON_BLOCKS_1_TO_9 = {
  /** Block 1 (slot 0): txpipe/oura src/utils/mod.rs, `ChainWellKnownInfo::mainnet().byron_known_hash` at `byron_known_slot` 0. */
  firstHash: 'f0f7892b5c333cffc4b3c4344de48af4cc63f55e44936196f365a9ef2244134f',
  /** The epoch-0 boundary block block 1 points at (the mainnet genesis EBB). */
  ebbHash: '89d9b5a5b8ddc8d7e5a6795e9774d97faf1efea59b2caf7eaf9f8c5b32059df4',
  source: 'input-output-hk/acropolis modules/chain_store/src/stores/fjall.rs (TEST_BLOCKS, "Mainnet blocks 1-9")',
} as const;

/**
 * The header of the legacy testnet's epoch-0 boundary block (the first 80 bytes of the published
 * 648 kB block; its body, 21600 slot-leader ids, is not kept here). Its hash is the testnet's
 * well-known first hash (txpipe/oura `ChainWellKnownInfo::testnet().byron_known_hash`;
 * blinklabs-io/gouroboros protocol/chainsync/testdata file name).
 */
export const TESTNET_EBB_0 = {
  header: (): Buffer => hexFile('testnet-ebb-0.header.hex'),
  hash: '8f8602837f7c6f8b8867dd1cbc1842cf51a27eaed2c70ef48325d00f8efb320f',
  /** The testnet Byron genesis hash, which the first EBB points at. */
  previousHash: '96fceff972c2c06bd3bb5243c39215333be6d56aaf4823073dca31afe5038471',
  epoch: 0n,
} as const;
