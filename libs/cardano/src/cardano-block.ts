/**
 * One block as cardano-node stores it in an immutable chunk file: the hard-fork combinator's
 * envelope `[tag, block]` (ouroboros-consensus `encodeDiskHfcBlock` for the Cardano eras), where
 * Byron keeps its own pre-HFC encoding — tag 0 an epoch boundary block (EBB), 1 a main block —
 * and the later eras take the following tags: 2 Shelley, 3 Allegra, 4 Mary, 5 Alonzo,
 * 6 Babbage, 7 Conway.
 *
 * What a block yields, and from which bytes (never a re-encoding):
 * - Shelley to Conway (CDDL of each era in cardano-ledger): `block = [header, transaction_bodies,
 *   transaction_witness_sets, auxiliary_data_set, invalid_transactions?]` (4 items up to Mary,
 *   5 from Alonzo); `header = [header_body, kes_signature]`; the header body starts with
 *   `block_number, slot, prev_hash (hash32 / null)` and holds `block_body_size` (15 fields up to
 *   Alonzo (TPraos), 10 from Babbage (Praos)). Block hash = Blake2b-256 of the header's bytes;
 *   transaction id = Blake2b-256 of each transaction body's bytes.
 * - Byron main block `[header, body, extra]`, `header = [protocol_magic, prev_hash, body_proof,
 *   consensus_data = [[epoch, slot_in_epoch], issuer, [difficulty], signature], extra]`,
 *   `body = [tx_payload = [* [tx, witnesses]], ssc, delegation, update]`. Block hash =
 *   Blake2b-256 of `0x82 0x01 ‖ header bytes` (the header in its `[1, header]` envelope, as
 *   cardano-ledger's Byron `headerHashAnnotated` does); block number = difficulty; transaction id
 *   = Blake2b-256 of each `tx`'s bytes.
 * - Byron EBB `[header, body, extra]`, `header = [protocol_magic, prev_hash, body_proof,
 *   consensus_data = [epoch, [difficulty]], extra]`: hash over `0x82 0x00 ‖ header bytes`;
 *   slot = epoch × the Byron epoch length (an EBB shares its slot with the epoch's first block);
 *   no transactions.
 *
 * The header's place in the stored bytes is what the secondary index records (header offset 3 for
 * every era: the envelope's array and tag, then the block's array; see `binaryBlockInfo`): the
 * reader checks its own parse against it.
 */
import { blake2b256 } from './hash.js';
import { CborCursor } from './cbor-cursor.js';
import { ImmutableDbFormatError } from './immutable-db-errors.js';

export const CARDANO_ERA_NAMES = ['byron', 'byron', 'shelley', 'allegra', 'mary', 'alonzo', 'babbage', 'conway'] as const;
export type CardanoEraName = (typeof CARDANO_ERA_NAMES)[number];
/** The era tag of the newest era this reader knows. */
export const LATEST_ERA_TAG = CARDANO_ERA_NAMES.length - 1;
/** Slots in a Byron epoch on mainnet and the public testnets (10·k, k = 2160). */
export const MAINNET_BYRON_EPOCH_SLOTS = 21_600n;

const HASH_BYTES = 32;
const BYRON_EBB_ENVELOPE = Uint8Array.of(0x82, 0x00);
const BYRON_MAIN_ENVELOPE = Uint8Array.of(0x82, 0x01);

export interface StoredBlock {
  /** The hard-fork combinator tag (0 = Byron EBB, 1 = Byron, 2 = Shelley … 7 = Conway). */
  readonly eraTag: number;
  readonly era: CardanoEraName;
  /** A Byron epoch boundary block. */
  readonly isEbb: boolean;
  readonly number: bigint;
  readonly slot: bigint;
  /** The EBB's epoch (what the secondary index stores for it instead of a slot). */
  readonly ebbEpoch: bigint | undefined;
  /** Blake2b-256 of the header bytes as the node computes it (32 bytes). */
  readonly hash: Uint8Array;
  /** The previous block's hash; undefined for the first Shelley-era block of a chain without Byron (`prev_hash = null`). */
  readonly previousHash: Uint8Array | undefined;
  /** Where the header is in the stored bytes (what the secondary index records). */
  readonly headerOffset: number;
  readonly headerSize: number;
  /** Bytes of the stored block: the CBOR item may be followed by other bytes (a later block still being written). */
  readonly size: number;
  /** Blake2b-256 of each transaction body, in block order (invalid transactions included). */
  readonly transactionHashes: readonly Uint8Array[];
  /** Indexes (into transactionHashes) of the transactions whose scripts failed (Alonzo and later). */
  readonly invalidTransactions: readonly number[];
}

export interface StoredBlockOptions {
  /** File name for errors. */
  readonly file: string;
  /** Offset of `bytes[0]` in the file, for errors. */
  readonly offset: number;
  /** Slots per Byron epoch (to place Byron blocks): 21600 on mainnet and the public testnets. */
  readonly byronEpochSlots?: bigint;
}

function hashWithPrefix(prefix: Uint8Array, bytes: Uint8Array): Uint8Array {
  const joined = new Uint8Array(prefix.length + bytes.length);
  joined.set(prefix, 0);
  joined.set(bytes, prefix.length);
  return blake2b256(joined);
}

/** A copy, so a yielded block never aliases (or pins) the reader's buffer. */
function own(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function shelleyBlock(cursor: CborCursor, eraTag: number, blockStart: number): StoredBlock {
  const praos = eraTag >= 6;
  cursor.arrayOf('the block', eraTag >= 5 ? 5 : 4);
  const headerOffset = cursor.pos();
  cursor.arrayOf('the header', 2);
  const fields = praos ? 10 : 15;
  cursor.arrayOf('the header body', fields);
  const number = cursor.uint('the block number');
  const slot = cursor.uint('the slot');
  const previousHash = cursor.null() ? undefined : own(cursor.bytesOf('the previous hash', HASH_BYTES));
  // issuer vkey, VRF vkey, VRF result(s), then block_body_size.
  for (let i = 3; i < (praos ? 6 : 7); i += 1) cursor.skip('a header body field');
  const bodySizeAt = cursor.pos();
  const bodySize = cursor.uint('the block body size');
  for (let i = praos ? 7 : 8; i < fields; i += 1) cursor.skip('a header body field');
  cursor.skip('the KES signature');
  const headerEnd = cursor.pos();
  const hash = blake2b256(cursor.bytes.subarray(headerOffset, headerEnd));

  const transactionHashes: Uint8Array[] = [];
  const bodies = cursor.array('the transaction bodies');
  for (let i = 0; cursor.hasItem(i, bodies); i += 1) {
    const [start, end] = cursor.skip('a transaction body');
    transactionHashes.push(blake2b256(cursor.bytes.subarray(start, end)));
  }
  const witnessesAt = cursor.pos();
  const witnesses = cursor.array('the witness sets');
  let witnessCount = 0;
  for (; cursor.hasItem(witnessCount, witnesses); witnessCount += 1) cursor.skip('a witness set');
  if (witnessCount !== transactionHashes.length)
    throw cursor.error(`${transactionHashes.length} transaction bodies but ${witnessCount} witness sets`, witnessesAt);
  cursor.skip('the auxiliary data set');
  const invalidTransactions: number[] = [];
  if (eraTag >= 5) {
    const invalid = cursor.array('the invalid transactions');
    for (let i = 0; cursor.hasItem(i, invalid); i += 1) {
      const at = cursor.pos();
      const index = cursor.uint('an invalid transaction index');
      if (index >= BigInt(transactionHashes.length)) throw cursor.error(`invalid transaction ${index} is not in the block`, at);
      invalidTransactions.push(Number(index));
    }
  }
  const end = cursor.pos();
  if (BigInt(end - headerEnd) !== bodySize) throw cursor.error(`the header announces a ${bodySize}-byte body, the block has ${end - headerEnd}`, bodySizeAt);
  return {
    eraTag,
    era: CARDANO_ERA_NAMES[eraTag] as CardanoEraName,
    isEbb: false,
    number,
    slot,
    ebbEpoch: undefined,
    hash,
    previousHash,
    headerOffset,
    headerSize: headerEnd - headerOffset,
    size: end - blockStart,
    transactionHashes,
    invalidTransactions,
  };
}

function byronBlock(cursor: CborCursor, isEbb: boolean, blockStart: number, epochSlots: bigint): StoredBlock {
  cursor.arrayOf('the Byron block', 3);
  const headerOffset = cursor.pos();
  cursor.arrayOf('the Byron header', 5);
  cursor.skip('the protocol magic');
  const previousHash = own(cursor.bytesOf('the previous hash', HASH_BYTES));
  cursor.skip('the body proof');
  let number: bigint;
  let slot: bigint;
  let ebbEpoch: bigint | undefined;
  if (isEbb) {
    cursor.arrayOf('the EBB consensus data', 2);
    ebbEpoch = cursor.uint('the epoch');
    cursor.arrayOf('the chain difficulty', 1);
    number = cursor.uint('the chain difficulty');
    slot = ebbEpoch * epochSlots;
  } else {
    cursor.arrayOf('the consensus data', 4);
    cursor.arrayOf('the slot id', 2);
    const epoch = cursor.uint('the epoch');
    const at = cursor.pos();
    const slotInEpoch = cursor.uint('the slot in the epoch');
    if (slotInEpoch >= epochSlots) throw cursor.error(`slot ${slotInEpoch} is past the ${epochSlots}-slot Byron epoch`, at);
    slot = epoch * epochSlots + slotInEpoch;
    cursor.skip('the issuer key');
    cursor.arrayOf('the chain difficulty', 1);
    number = cursor.uint('the chain difficulty');
    cursor.skip('the block signature');
  }
  cursor.skip('the header extra data');
  const headerEnd = cursor.pos();
  const hash = hashWithPrefix(isEbb ? BYRON_EBB_ENVELOPE : BYRON_MAIN_ENVELOPE, cursor.bytes.subarray(headerOffset, headerEnd));
  const transactionHashes: Uint8Array[] = [];
  if (isEbb) {
    cursor.skip('the EBB body');
  } else {
    cursor.arrayOf('the Byron body', 4);
    const payload = cursor.array('the transaction payload');
    for (let i = 0; cursor.hasItem(i, payload); i += 1) {
      cursor.arrayOf('a transaction with its witnesses', 2);
      const [start, end] = cursor.skip('a transaction');
      transactionHashes.push(blake2b256(cursor.bytes.subarray(start, end)));
      cursor.skip('the witnesses');
    }
    cursor.skip('the SSC payload');
    cursor.skip('the delegation payload');
    cursor.skip('the update payload');
  }
  cursor.skip('the block extra data');
  return {
    eraTag: isEbb ? 0 : 1,
    era: 'byron',
    isEbb,
    number,
    slot,
    ebbEpoch,
    hash,
    previousHash,
    headerOffset,
    headerSize: headerEnd - headerOffset,
    size: cursor.pos() - blockStart,
    transactionHashes,
    invalidTransactions: [],
  };
}

/**
 * Parses the block at the start of `bytes` (trailing bytes are left alone: `size` says where the
 * block ends). Throws ImmutableDbFormatError (TRUNCATED, CORRUPT or UNKNOWN_ERA) naming the file
 * and the offset. Nothing is copied but the hashes and the previous hash: on hot paths, pass a
 * plain Uint8Array (a Buffer's subarrays, one per hashed span, are slower to make).
 */
export function parseStoredBlock(bytes: Uint8Array, options: StoredBlockOptions): StoredBlock {
  const cursor = new CborCursor(bytes, options.file, options.offset);
  cursor.arrayOf('the hard-fork envelope', 2);
  const tagAt = cursor.pos();
  const tag = cursor.uint('the era tag');
  if (tag > BigInt(LATEST_ERA_TAG))
    throw new ImmutableDbFormatError(
      'UNKNOWN_ERA',
      options.file,
      options.offset + tagAt,
      `era tag ${tag} is not a Cardano era this reader knows (0–${LATEST_ERA_TAG})`,
    );
  const eraTag = Number(tag);
  if (eraTag <= 1) return byronBlock(cursor, eraTag === 0, 0, options.byronEpochSlots ?? MAINNET_BYRON_EPOCH_SLOTS);
  return shelleyBlock(cursor, eraTag, 0);
}
