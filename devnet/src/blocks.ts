/**
 * The devnet's blocks: Conway-era blocks as cardano-node stores them (`[7, block]`, the hard-fork
 * combinator's envelope; see @mithril-ts/cardano `cardano-block.ts`).
 *
 * The ledger parts (transaction bodies, witness sets, auxiliary data) are built with
 * @emurgo/cardano-serialization-lib (CSL), EMURGO's maintained Rust/WASM implementation of the
 * ledger CDDL, so their CBOR is the ledger's shape and not this project's idea of it. The header
 * and the block's outer arrays are encoded here with cborg, following the Conway CDDL
 * (`header = [header_body, kes_signature]`, a 10-field header body with the operational
 * certificate and protocol version as nested arrays): CSL 15's `HeaderBody.to_bytes` writes a
 * 15-item array head over 14 items, which is neither the Babbage/Conway header nor valid CBOR.
 *
 * A block holds 1..N transactions (inputs, outputs, some with native assets, fees, TTLs; some
 * with metadata as auxiliary data and its hash in the body; about one in twenty marked invalid,
 * with collateral, as phase-2 failures are), each with real Ed25519 vkey witnesses over its body
 * hash. The header carries every Conway field: block number, slot, previous hash, the issuing
 * pool's cold key, VRF key and result, body size and body hash (the Alonzo-and-later hash over
 * the four body parts' hashes), the pool's real operational certificate, protocol version 10.0.
 *
 * Simulated, not forged: the VRF key, VRF proof and KES signature are derived bytes of the right
 * sizes (the devnet pools have no VRF keys, and signing each header with KES evolutions would
 * cost more than the devnet needs: nothing here verifies leadership).
 */
import * as CSL from '@emurgo/cardano-serialization-lib-nodejs';
import { ColdSigningKey } from '@mithril-ts/cardano';
import { encode } from 'cborg';
import { blake2b } from '@noble/hashes/blake2.js';
import { derive, deriveBelow, deriveBytes } from './derive.js';
import type { DevnetParameters } from './parameters.js';
import { devnetPool } from './pools.js';

export const CONWAY_ERA_TAG = 7;
const PROTOCOL_VERSION_MAJOR = 10;
const KES_SIGNATURE_BYTES = 448;
/** The header starts after the envelope's array head and tag and the block's array head. */
const HEADER_OFFSET = 3;

/** How many transactions a block carries. */
export interface BlockShape {
  readonly minTransactions: number;
  readonly maxTransactions: number;
}

/** The devnet's default: a few transactions a block, about 2–6 KB. */
export const DEFAULT_BLOCK_SHAPE: BlockShape = Object.freeze({ minTransactions: 1, maxTransactions: 6 });

export interface BuiltBlock {
  /** The stored bytes: `[7, block]`. */
  readonly bytes: Uint8Array;
  /** Blake2b-256 of the header's bytes. */
  readonly hash: Uint8Array;
  readonly number: bigint;
  readonly slot: bigint;
  /** Where the header is in `bytes` (what the secondary index records). */
  readonly headerOffset: number;
  readonly headerSize: number;
  /** The transaction bodies' bytes as CSL wrote them, for tests that recompute the ids independently. */
  readonly transactionBodies: readonly Uint8Array[];
}

/** The block before: its hash and number. Undefined for the chain's first block. */
export interface PreviousBlock {
  readonly hash: Uint8Array;
  readonly number: bigint;
}

function blake2b256(bytes: Uint8Array): Uint8Array {
  return blake2b(bytes, { dkLen: 32 });
}

/** CSL objects live in WASM memory: each block frees what it made. */
class Arena {
  readonly #objects: Array<{ free(): void }> = [];
  keep<T extends { free(): void }>(object: T): T {
    this.#objects.push(object);
    return object;
  }
  free(): void {
    for (const object of this.#objects.splice(0)) object.free();
  }
}

interface PoolHeaderKeys {
  readonly coldVerificationKey: Uint8Array;
  readonly kesVerificationKey: Uint8Array;
  readonly issueNumber: number;
  readonly startKesPeriod: number;
  readonly coldSignature: Uint8Array;
}

const poolKeysCache = new Map<string, PoolHeaderKeys>();

function poolHeaderKeys(params: DevnetParameters, index: number): PoolHeaderKeys {
  const key = `${params.seed}\u0000${index}`;
  let keys = poolKeysCache.get(key);
  if (keys === undefined) {
    const pool = devnetPool(params, index);
    pool.kes.destroy();
    keys = Object.freeze({
      coldVerificationKey: pool.cold.verificationKey(),
      kesVerificationKey: pool.opcert.kesVerificationKey,
      issueNumber: Number(pool.opcert.issueNumber),
      startKesPeriod: Number(pool.opcert.startKesPeriod),
      coldSignature: pool.opcert.coldSignature,
    });
    poolKeysCache.set(key, keys);
  }
  return keys;
}

/** Pseudo-random bytes consumed in order. */
class Stream {
  #offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  take(length: number): Uint8Array {
    if (this.#offset + length > this.bytes.length) throw new RangeError('derived stream exhausted');
    const out = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }
  below(bound: number): number {
    const b = this.take(4);
    return ((((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0) % bound;
  }
}

/**
 * Spending keys of the devnet's simulated wallets. A few keys signing natively (node:crypto via
 * ColdSigningKey): CSL's WASM Ed25519 took milliseconds a signature, too slow for a block a slot.
 */
const WALLET_KEYS = 16;
const walletKeys = new Map<string, ColdSigningKey>();

function walletKey(params: DevnetParameters, index: number): ColdSigningKey {
  const id = `${params.seed}\u0000${index}`;
  let key = walletKeys.get(id);
  if (key === undefined) {
    const seed = derive(params.seed, 'wallet key', index);
    key = ColdSigningKey.fromSeed(seed);
    seed.fill(0);
    walletKeys.set(id, key);
  }
  return key;
}

/** Bytes of derived material one transaction may use (every draw below fits). */
const TRANSACTION_ENTROPY = 1024;

/** One transaction's parts as they go in a block, each as CSL serialised it. */
export interface LedgerTransaction {
  readonly body: Uint8Array;
  readonly witnesses: Uint8Array;
  readonly auxiliaryData: Uint8Array | undefined;
  /** A phase-2 failure: listed in the block's invalid transactions. */
  readonly invalid: boolean;
}

/** Transaction `index` of the block in `slot`. */
export function devnetTransaction(params: DevnetParameters, slot: bigint, index: number): LedgerTransaction {
  const arena = new Arena();
  try {
    return transaction(arena, params, slot, index);
  } finally {
    arena.free();
  }
}

function transaction(arena: Arena, params: DevnetParameters, slot: bigint, index: number): LedgerTransaction {
  const r = new Stream(deriveBytes(TRANSACTION_ENTROPY, params.seed, 'transaction', slot, index));
  const inputs = arena.keep(CSL.TransactionInputs.new());
  for (let i = 0, n = 1 + (r.below(1000) % 3); i < n; i += 1) {
    inputs.add(arena.keep(CSL.TransactionInput.new(arena.keep(CSL.TransactionHash.from_bytes(r.take(32))), r.below(1000) % 4)));
  }
  const outputs = arena.keep(CSL.TransactionOutputs.new());
  for (let i = 0, n = 1 + (r.below(1000) % 3); i < n; i += 1) {
    const credential = arena.keep(CSL.Credential.from_keyhash(arena.keep(CSL.Ed25519KeyHash.from_bytes(r.take(28)))));
    const address = arena.keep(arena.keep(CSL.EnterpriseAddress.new(0, credential)).to_address());
    const coin = arena.keep(CSL.BigNum.from_str(String(1_000_000 + r.below(1_000_000_000))));
    const value = arena.keep(CSL.Value.new(coin));
    if (r.below(4) === 0) {
      const assets = arena.keep(CSL.Assets.new());
      assets.insert(arena.keep(CSL.AssetName.new(r.take(8))), arena.keep(CSL.BigNum.from_str(String(1 + r.below(1_000_000)))));
      const multiAsset = arena.keep(CSL.MultiAsset.new());
      multiAsset.insert(arena.keep(CSL.ScriptHash.from_bytes(r.take(28))), assets);
      value.set_multiasset(multiAsset);
    }
    outputs.add(arena.keep(CSL.TransactionOutput.new(address, value)));
  }
  const fee = arena.keep(CSL.BigNum.from_str(String(155_381 + r.below(200_000))));
  const body = arena.keep(CSL.TransactionBody.new_tx_body(inputs, outputs, fee));
  body.set_ttl(arena.keep(CSL.BigNum.from_str(String(slot + 3600n))));
  let aux: CSL.AuxiliaryData | undefined;
  if (r.below(3) === 0) {
    const metadata = arena.keep(CSL.GeneralTransactionMetadata.new());
    const list = arena.keep(CSL.MetadataList.new());
    list.add(arena.keep(CSL.TransactionMetadatum.new_text(`devnet ${params.network} slot ${slot} tx ${index}`)));
    const map = arena.keep(CSL.MetadataMap.new());
    map.insert_str('msg', arena.keep(CSL.TransactionMetadatum.new_list(list)));
    metadata.insert(arena.keep(CSL.BigNum.from_str('674')), arena.keep(CSL.TransactionMetadatum.new_map(map)));
    aux = arena.keep(CSL.AuxiliaryData.new());
    aux.set_metadata(metadata);
    body.set_auxiliary_data_hash(arena.keep(CSL.AuxiliaryDataHash.from_bytes(blake2b256(aux.to_bytes()))));
  }
  const invalid = r.below(20) === 0;
  if (invalid) {
    const collateral = arena.keep(CSL.TransactionInputs.new());
    collateral.add(arena.keep(CSL.TransactionInput.new(arena.keep(CSL.TransactionHash.from_bytes(r.take(32))), 0)));
    body.set_collateral(collateral);
  }
  const bodyHash = blake2b256(body.to_bytes());
  const vkeys = arena.keep(CSL.Vkeywitnesses.new());
  for (let i = 0, n = 1 + (r.below(1000) % 2); i < n; i += 1) {
    const key = walletKey(params, r.below(WALLET_KEYS));
    const vkey = arena.keep(CSL.Vkey.new(arena.keep(CSL.PublicKey.from_bytes(key.verificationKey()))));
    vkeys.add(arena.keep(CSL.Vkeywitness.new(vkey, arena.keep(CSL.Ed25519Signature.from_bytes(key.sign(bodyHash))))));
  }
  const witnesses = arena.keep(CSL.TransactionWitnessSet.new());
  witnesses.set_vkeys(vkeys);
  return { body: body.to_bytes(), witnesses: witnesses.to_bytes(), auxiliaryData: aux?.to_bytes(), invalid };
}

/** The Alonzo-and-later block body hash: Blake2b-256 over the four parts' Blake2b-256 hashes. */
function blockBodyHash(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(32 * parts.length);
  parts.forEach((part, i) => joined.set(blake2b256(part), 32 * i));
  return blake2b256(joined);
}

/** The pool (1-based) that forged the block in `slot`. */
export function blockIssuer(params: DevnetParameters, slot: bigint): number {
  return 1 + Number(deriveBelow(BigInt(params.pools), params.seed, 'block issuer', slot));
}

/**
 * Blocks built lately: the devnet rewrites the open chunk at every slot, with the same blocks
 * plus one. Bounded (a few chunks' worth); keyed by everything a block depends on.
 */
const RECENT_BLOCKS = 256;
const recentBlocks = new Map<string, BuiltBlock>();

/** The block of `slot` following `previous` (undefined: the first block of the chain). */
export function buildBlock(params: DevnetParameters, slot: bigint, previous: PreviousBlock | undefined, shape: BlockShape = DEFAULT_BLOCK_SHAPE): BuiltBlock {
  const key = [
    params.seed,
    params.network,
    params.pools,
    slot,
    previous === undefined ? '-' : Buffer.from(previous.hash).toString('hex'),
    previous?.number,
    shape.minTransactions,
    shape.maxTransactions,
  ].join('\u0000');
  const cached = recentBlocks.get(key);
  if (cached !== undefined) return cached;
  const built = Object.freeze(makeBlock(params, slot, previous, shape));
  if (recentBlocks.size >= RECENT_BLOCKS) recentBlocks.delete(recentBlocks.keys().next().value as string);
  recentBlocks.set(key, built);
  return built;
}

function makeBlock(params: DevnetParameters, slot: bigint, previous: PreviousBlock | undefined, shape: BlockShape): BuiltBlock {
  const count =
    shape.minTransactions + Number(deriveBelow(BigInt(shape.maxTransactions - shape.minTransactions + 1), params.seed, 'transactions in block', slot));
  const transactions = Array.from({ length: count }, (_, i) => devnetTransaction(params, slot, i));
  return assembleBlock(params, slot, previous, transactions);
}

/**
 * The stored Conway block of `slot` after `previous`, carrying `transactions` (in order). The
 * header is made here (see the module comment); its hash is Blake2b-256 of its bytes.
 */
export function assembleBlock(
  params: DevnetParameters,
  slot: bigint,
  previous: PreviousBlock | undefined,
  transactions: readonly LedgerTransaction[],
): BuiltBlock {
  const auxiliaries: Array<[number, Uint8Array]> = [];
  const invalid: number[] = [];
  transactions.forEach((tx, i) => {
    if (tx.auxiliaryData !== undefined) auxiliaries.push([i, tx.auxiliaryData]);
    if (tx.invalid) invalid.push(i);
  });
  const parts = [
    concat([cborHead(4, transactions.length), ...transactions.map((tx) => tx.body)]),
    concat([cborHead(4, transactions.length), ...transactions.map((tx) => tx.witnesses)]),
    auxiliaryDataSet(auxiliaries),
    invalidTransactions(invalid),
  ];
  const bodySize = parts.reduce((size, part) => size + part.length, 0);
  const number = previous === undefined ? 0n : previous.number + 1n;
  const pool = poolHeaderKeys(params, blockIssuer(params, slot));
  const r = new Stream(deriveBytes(32 + 64 + 80 + KES_SIGNATURE_BYTES, params.seed, 'block header material', slot));
  const header = encode([
    [
      number,
      slot,
      previous === undefined ? null : previous.hash,
      pool.coldVerificationKey,
      r.take(32), // VRF verification key
      [r.take(64), r.take(80)], // VRF output and proof
      bodySize,
      blockBodyHash(parts),
      [pool.kesVerificationKey, pool.issueNumber, pool.startKesPeriod, pool.coldSignature],
      [PROTOCOL_VERSION_MAJOR, 0],
    ],
    r.take(KES_SIGNATURE_BYTES),
  ]);
  return {
    bytes: concat([Uint8Array.of(0x82, CONWAY_ERA_TAG, 0x85), header, ...parts]),
    hash: blake2b256(header),
    number,
    slot,
    headerOffset: HEADER_OFFSET,
    headerSize: header.length,
    transactionBodies: transactions.map((tx) => tx.body),
  };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A CBOR head (major type and argument), for containers whose items are already-encoded bytes. */
function cborHead(major: number, value: number): Uint8Array {
  const type = major << 5;
  if (value < 24) return Uint8Array.of(type | value);
  if (value < 0x100) return Uint8Array.of(type | 24, value);
  if (value < 0x10000) return Uint8Array.of(type | 25, value >> 8, value & 0xff);
  return Uint8Array.of(type | 26, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

/** `auxiliary_data_set = {* transaction_index => auxiliary_data}`, each auxiliary data as CSL wrote it. */
function auxiliaryDataSet(entries: ReadonlyArray<readonly [number, Uint8Array]>): Uint8Array {
  return concat([cborHead(5, entries.length), ...entries.flatMap(([index, bytes]) => [cborHead(0, index), bytes])]);
}

/** `invalid_transactions = [* transaction_index]`. */
function invalidTransactions(indexes: readonly number[]): Uint8Array {
  return concat([cborHead(4, indexes.length), ...indexes.map((index) => cborHead(0, index))]);
}
