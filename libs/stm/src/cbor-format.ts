/**
 * The reference's current binary format ("CBOR v1", mithril-stm >= 0.10): `0x01 ‖ CBOR(value)`,
 * where the CBOR is what Rust `ciborium` writes for the reference's serde types:
 *
 * - structs are definite-length maps with text keys in declaration order;
 * - `SingleSignature` (a struct with a `#[serde(flatten)]` field) is an indefinite-length map
 *   `0xbf … 0xff`;
 * - byte vectors and BLS points are arrays of unsigned integers, except the aggregate
 *   signature's `proof_bytes` (`serde_bytes`, v0.12.2+), a byte string;
 * - integers take their shortest form; `PhantomData` fields (`hasher`) are `null`;
 * - an f64 takes the shortest of f16, f32, f64 that holds it exactly;
 * - composite types nest envelopes: a field holds the whole `to_bytes()` of the inner value,
 *   its 0x01 prefix included.
 *
 * Every `xxxFromBytes` accepts both this form and the legacy big-endian form (decoded by
 * `encoding.ts`), as the reference's `from_bytes` does: a first byte 0x01 selects CBOR. The
 * aggregate signature's legacy form may itself start with 0x01 (the SNARK proof type), so there,
 * as in the reference, CBOR is tried first and the legacy decoder second.
 *
 * Decoding follows ciborium where it matters for interoperability (any key order, unknown keys
 * ignored, byte vectors as arrays of integers or byte strings, definite or indefinite maps and
 * arrays) and is otherwise strict: one item and no trailing bytes, shortest-form integers and
 * lengths, text map keys only, no duplicate keys, no tags, exact lengths for keys, signatures and
 * hashes, and every value checked by the same constructors as the legacy decoders.
 */
import { Token, Tokenizer, Type, decodeFirst, type DecodeOptions } from 'cborg';
import { concatBytes } from '@noble/hashes/utils.js';
import type { AggregateSignature, SignatureWithParty } from './aggregate.js';
import { ByteReader } from './bytes.js';
import {
  SIGMA_BYTES,
  VERIFICATION_KEY_BYTES,
  decodeAggregateSignature,
  decodeRegisteredParty,
  decodeSignatureWithParty,
  decodeSingleSignature,
  encodeAggregateSignature,
  encodeRegisteredParty,
  encodeSignatureWithParty,
  encodeSingleSignature,
  type EncodedAggregateSignature,
  type EncodedRegisteredParty,
  type EncodedSignatureWithParty,
  type EncodedSingleSignature,
} from './encoded.js';
import {
  MAX_ENCODED_BYTES,
  avkFromLegacyBytes as legacyAvkFromBytes,
  batchPathFromLegacyBytes as legacyBatchPathFromBytes,
  encodedAggregateSignatureFromLegacyBytes,
  encodedRegisteredPartyFromLegacyBytes,
  encodedSingleSignatureFromLegacyBytes,
  parametersFromLegacyBytes as legacyParametersFromBytes,
} from './encoding.js';
import { StmError } from './errors.js';
import { MERKLE_HASH_BYTES, type MerkleBatchPath } from './merkle.js';
import { validateParameters, type Parameters } from './parameters.js';
import type { AggregateVerificationKey, RegisteredParty } from './registration.js';
import type { SingleSignature } from './single-signature.js';

/** Version byte of the CBOR v1 format (the reference's `CODEC_VERSION_CBOR_V1`). */
export const CBOR_V1_PREFIX = 0x01;

/** Same bounds as the legacy decoders. */
const MAX_INDEXES = 1 << 24;
const MAX_SIGNATURES = 1 << 20;
const MAX_LEAVES = MAX_SIGNATURES * 64;
const U64_LIMIT = 1n << 64n;

/** Aggregate signature types (the reference's `AggregateSignatureType` prefix byte). */
const CONCATENATION_PROOF = 0;

// ================================================================ encoding

/*
 * The writer builds the bytes directly: CBOR heads (major type and shortest-form argument),
 * text keys, byte vectors as arrays of uints, and the two things cborg's encoder cannot give
 * (the indefinite-length map of a single signature, which cborg never writes, and floats in
 * ciborium's width: cborg's f16 encoder drops the low bits of f16 subnormals). It did go through
 * cborg token by token, but a mainnet-size multi-signature holds ~4 array items per byte of key
 * and signature (nested envelopes included) and that took half a second; this takes a few
 * milliseconds. cborg remains the reader, and the oracle of the writer's heads in the tests;
 * the reference's golden bytes pin the whole.
 */

/** Encoded CBOR, concatenated by {@link encodeNodes}. */
type Node = Uint8Array | readonly Node[];

/** A CBOR head: major type and argument, in the shortest form (RFC 8949 §3 and §4.2.1). */
export function cborHead(major: number, argument: number | bigint): Uint8Array {
  if (typeof argument === 'number' && argument < 0x10000) {
    const type = major << 5;
    if (argument < 24) return Uint8Array.of(type | argument);
    if (argument < 0x100) return Uint8Array.of(type | 24, argument);
    return Uint8Array.of(type | 25, argument >> 8, argument & 0xff);
  }
  const value = BigInt(argument);
  const type = major << 5;
  if (value < 24n) return Uint8Array.of(type | Number(value));
  if (value < 0x100n) return Uint8Array.of(type | 24, Number(value));
  if (value < 0x10000n) return Uint8Array.of(type | 25, Number(value >> 8n), Number(value & 0xffn));
  const out = new Uint8Array(value < 0x100000000n ? 5 : 9);
  out[0] = type | (out.length === 5 ? 26 : 27);
  const view = new DataView(out.buffer);
  if (out.length === 5) view.setUint32(1, Number(value));
  else view.setBigUint64(1, value);
  return out;
}

const MAJOR_UINT = 0;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;

function encodeNodes(root: Node): Uint8Array {
  const chunks: Uint8Array[] = [Uint8Array.of(CBOR_V1_PREFIX)];
  const visit = (node: Node): void => {
    if (node instanceof Uint8Array) chunks.push(node);
    else for (const child of node) visit(child);
  };
  visit(root);
  return concatBytes(...chunks);
}

/** Struct field names are a handful of constants: each encoded once. */
const textCache = new Map<string, Uint8Array>();
const utf8 = new TextEncoder();

function text(value: string): Uint8Array {
  let encoded = textCache.get(value);
  if (encoded === undefined) {
    const bytes = utf8.encode(value);
    encoded = concatBytes(cborHead(MAJOR_TEXT, bytes.length), bytes);
    textCache.set(value, encoded);
  }
  return encoded;
}

function uint(value: bigint | number, what: string): Uint8Array {
  const ok = typeof value === 'bigint' ? value >= 0n && value < U64_LIMIT : Number.isSafeInteger(value) && value >= 0;
  if (!ok) throw new StmError('INVALID_ENCODING', `${what}: ${String(value)} is not a u64`);
  return cborHead(MAJOR_UINT, value);
}

/** A byte vector as serde writes `Vec<u8>` / `[u8; N]`: an array of unsigned integers, each `b` below 24, else `0x18 b`. */
function byteArray(bytes: Uint8Array): Uint8Array {
  const head = cborHead(MAJOR_ARRAY, bytes.length);
  const out = new Uint8Array(head.length + 2 * bytes.length);
  out.set(head, 0);
  let at = head.length;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i]!;
    if (byte < 24) out[at++] = byte;
    else {
      out[at++] = 0x18;
      out[at++] = byte;
    }
  }
  return out.subarray(0, at);
}

/** A byte string (serde_bytes). */
function byteString(bytes: Uint8Array): Node[] {
  return [cborHead(MAJOR_BYTES, bytes.length), bytes];
}

function uintArray(values: readonly (number | bigint)[], what: string): Node[] {
  return [cborHead(MAJOR_ARRAY, values.length), ...values.map((value) => uint(value, what))];
}

function array(items: readonly Node[]): Node[] {
  return [cborHead(MAJOR_ARRAY, items.length), ...items];
}

/** A struct: definite-length map, text keys in declaration order. */
function struct(fields: readonly [string, Node][]): Node[] {
  return [cborHead(MAJOR_MAP, fields.length), ...fields.flatMap(([key, value]) => [text(key), value])];
}

/** A struct with a flattened field: ciborium writes an indefinite-length map. */
function flattenedStruct(fields: readonly [string, Node][]): Node[] {
  return [Uint8Array.of(0xbf), ...fields.flatMap(([key, value]) => [text(key), value]), Uint8Array.of(0xff)];
}

const NULL = Uint8Array.of(0xf6);

/**
 * An f64 as ciborium writes it: f16 if that holds the value bit for bit, else f32 if that does,
 * else f64.
 */
export function floatBytes(value: number): Uint8Array {
  const half = exactHalf(value);
  if (half !== undefined) return Uint8Array.of(0xf9, half >> 8, half & 0xff);
  const out = new Uint8Array(9);
  const view = new DataView(out.buffer);
  if (Object.is(Math.fround(value), value) || Number.isNaN(value)) {
    out[0] = 0xfa;
    view.setFloat32(1, value);
    return out.subarray(0, 5);
  }
  out[0] = 0xfb;
  view.setFloat64(1, value);
  return out;
}

/** The binary16 bits of `value` when binary16 holds it exactly (NaN as the canonical 0x7e00). */
function exactHalf(value: number): number | undefined {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === 0) return sign;
  if (magnitude === Infinity) return sign | 0x7c00;
  if (magnitude < 2 ** -14) {
    const units = magnitude / 2 ** -24; // exact: a power-of-two scaling
    return Number.isInteger(units) ? sign | units : undefined;
  }
  if (magnitude > 65504) return undefined;
  const exponent = Math.floor(Math.log2(magnitude));
  // log2 may be off by one near powers of two; settle the exponent exactly.
  const e = 2 ** exponent > magnitude ? exponent - 1 : 2 ** (exponent + 1) <= magnitude ? exponent + 1 : exponent;
  const fraction = (magnitude / 2 ** e - 1) * 1024; // exact: mantissa shifted by 10 bits
  return Number.isInteger(fraction) ? sign | ((e + 15) << 10) | fraction : undefined;
}

function parametersNode(params: Parameters): Node[] {
  if (typeof params.phiF !== 'number') throw new StmError('INVALID_ENCODING', 'parameters: phi_f must be a number');
  return struct([
    ['m', uint(params.m, 'parameters.m')],
    ['k', uint(params.k, 'parameters.k')],
    ['phi_f', floatBytes(params.phiF)],
  ]);
}

/** `01 a3 {"m", "k", "phi_f"}`. */
export function parametersToBytes(params: Parameters): Uint8Array {
  return encodeNodes(parametersNode(params));
}

/** `01 bf {"sigma": [48], "indexes": [...], "signer_index": n} ff`. */
export function encodedSingleSignatureToBytes(sig: EncodedSingleSignature): Uint8Array {
  return encodeNodes(
    flattenedStruct([
      ['sigma', byteArray(sig.sigma)],
      ['indexes', uintArray(sig.indexes, 'single signature index')],
      ['signer_index', uint(sig.signerIndex, 'single signature signer index')],
    ]),
  );
}

export function singleSignatureToBytes(sig: SingleSignature): Uint8Array {
  return encodedSingleSignatureToBytes(encodeSingleSignature(sig));
}

/** The closed registration entry envelope: `01 a2 {"verification_key_bytes": [96], "stake": n}`. */
export function encodedRegisteredPartyToBytes(party: EncodedRegisteredParty): Uint8Array {
  return encodeNodes(
    struct([
      ['verification_key_bytes', byteArray(party.vk)],
      ['stake', uint(party.stake, 'registered party stake')],
    ]),
  );
}

export function registeredPartyToBytes(party: RegisteredParty): Uint8Array {
  return encodedRegisteredPartyToBytes(encodeRegisteredParty(party));
}

/** `01 a2 {"mt_commitment": {"root": [32], "nr_leaves": n, "hasher": null}, "total_stake": n}`. */
export function avkToBytes(avk: AggregateVerificationKey): Uint8Array {
  return encodeNodes(
    struct([
      [
        'mt_commitment',
        struct([
          ['root', byteArray(avk.commitment.root)],
          ['nr_leaves', uint(avk.commitment.nrLeaves, 'aggregate verification key nr_leaves')],
          ['hasher', NULL],
        ]),
      ],
      ['total_stake', uint(avk.totalStake, 'aggregate verification key total stake')],
    ]),
  );
}

/** `01 a3 {"values": [[32], ...], "indices": [...], "hasher": null}`. */
export function batchPathToBytes(path: MerkleBatchPath): Uint8Array {
  return encodeNodes(
    struct([
      ['values', array(path.values.map(byteArray))],
      ['indices', uintArray(path.indices, 'batch path index')],
      ['hasher', NULL],
    ]),
  );
}

/**
 * The reference's `SingleSignatureWithRegisteredParty` envelope:
 * `01 a2 {"signature_bytes": [SingleSignature v1 bytes], "registration_entry_bytes": [entry v1 bytes]}`.
 */
export function encodedSignatureWithPartyToBytes(entry: EncodedSignatureWithParty): Uint8Array {
  return encodeNodes(
    struct([
      ['signature_bytes', byteArray(encodedSingleSignatureToBytes(entry.signature))],
      ['registration_entry_bytes', byteArray(encodedRegisteredPartyToBytes(entry.party))],
    ]),
  );
}

export function signatureWithPartyToBytes(entry: SignatureWithParty): Uint8Array {
  return encodedSignatureWithPartyToBytes(encodeSignatureWithParty(entry));
}

/**
 * The reference's `ConcatenationProof::to_bytes()` (what an aggregate signature's `proof_bytes`
 * holds): `01 a2 {"signature_bytes": [[entry v1 bytes], ...], "batch_proof_bytes": [path v1 bytes]}`.
 */
function encodedConcatenationProofToBytes(aggregate: EncodedAggregateSignature): Uint8Array {
  return encodeNodes(
    struct([
      ['signature_bytes', array(aggregate.signatures.map((entry) => byteArray(encodedSignatureWithPartyToBytes(entry))))],
      ['batch_proof_bytes', byteArray(batchPathToBytes(aggregate.batchProof))],
    ]),
  );
}

export function concatenationProofToBytes(aggregate: AggregateSignature): Uint8Array {
  return encodedConcatenationProofToBytes(encodeAggregateSignature(aggregate));
}

export interface AggregateSignatureCborOptions {
  /**
   * How `proof_bytes` is written: a byte string as the reference does since v0.12.2 (default),
   * or an array of integers as v0.10 to v0.12.1 did. Every version decodes both.
   */
  proofBytes?: 'byte-string' | 'integer-array';
}

/** `01 a2 {"signature_type": 0, "proof_bytes": <concatenation proof v1 bytes>}`. */
export function aggregateSignatureToBytes(aggregate: AggregateSignature, options: AggregateSignatureCborOptions = {}): Uint8Array {
  return encodedAggregateSignatureToBytes(encodeAggregateSignature(aggregate), options);
}

export function encodedAggregateSignatureToBytes(aggregate: EncodedAggregateSignature, options: AggregateSignatureCborOptions = {}): Uint8Array {
  const proof = encodedConcatenationProofToBytes(aggregate);
  return encodeNodes(
    struct([
      ['signature_type', uint(CONCATENATION_PROOF, 'signature type')],
      ['proof_bytes', options.proofBytes === 'integer-array' ? byteArray(proof) : byteString(proof)],
    ]),
  );
}

// ================================================================ decoding

/** A decoded CBOR float, kept apart from integers (cborg gives both as JS numbers). */
class CborFloat {
  constructor(readonly value: number) {}
}

const DECODE_OPTIONS: DecodeOptions = {
  strict: true, // shortest-form integers and lengths only
  useMaps: true, // keep non-text keys visible so they can be rejected by name
  rejectDuplicateMapKeys: true,
  allowIndefinite: true, // SingleSignature is an indefinite map
  allowUndefined: false,
  allowNaN: true, // NaN/infinite phi_f are rejected by validateParameters with a clear message
  allowInfinity: true,
  allowBigInt: true,
};

/**
 * cborg's tokenizer, with float tokens tagged so that 1.0 and 1 stay distinguishable, and with a
 * definite, non-empty array of unsigned integers below 256 in shortest form (serde's byte vector)
 * read as one byte-string token: such arrays are ~4 bytes in 5 of a multi-signature (keys and
 * signatures nested in envelopes), and a token per byte made a mainnet-size one take 100 ms and
 * more to read. Readers take byte strings wherever they take byte vectors (as ciborium does), and
 * integer lists from either. Anything else in such an array (a larger or non-shortest integer, a
 * nested item, a truncated array) is left to cborg, which reads or refuses it as before.
 */
class TypedTokenizer {
  #inner: Tokenizer;
  /** Where #inner's data starts in the whole item (it restarts after each byte run). */
  #base = 0;

  constructor(private readonly data: Uint8Array) {
    this.#inner = new Tokenizer(data, DECODE_OPTIONS);
  }
  done(): boolean {
    return this.pos() >= this.data.length;
  }
  pos(): number {
    return this.#base + this.#inner.pos();
  }
  next(): Token {
    const at = this.pos();
    const run = byteRunAt(this.data, at);
    if (run !== undefined) {
      this.#base = run.end;
      this.#inner = new Tokenizer(this.data.subarray(run.end), DECODE_OPTIONS);
      return new Token(Type.bytes, run.bytes, run.end - at);
    }
    const token = this.#inner.next();
    return Type.equals(token.type, Type.float) ? new Token(Type.float, new CborFloat(token.value as number), token.encodedLength) : token;
  }
}

/** The bytes of a non-empty definite array of shortest-form uints below 256 starting at `at`, and where it ends; undefined for anything else. */
function byteRunAt(data: Uint8Array, at: number): { bytes: Uint8Array; end: number } | undefined {
  const head = data[at];
  if (head === undefined || head >> 5 !== 4) return undefined;
  const minor = head & 0x1f;
  let length: number;
  let p = at + 1;
  if (minor < 24) length = minor;
  else if (minor === 24 && p < data.length && data[p]! >= 24) length = data[p++]!;
  else if (minor === 25 && p + 1 < data.length) {
    length = (data[p]! << 8) | data[p + 1]!;
    p += 2;
    if (length < 256) return undefined;
  } else if (minor === 26 && p + 3 < data.length) {
    length = ((data[p]! << 24) >>> 0) + (data[p + 1]! << 16) + (data[p + 2]! << 8) + data[p + 3]!;
    p += 4;
    if (length < 65536) return undefined;
  } else return undefined;
  if (length === 0 || length > data.length - p) return undefined;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) {
    const item = data[p];
    if (item === undefined) return undefined;
    if (item < 24) {
      bytes[i] = item;
      p += 1;
    } else if (item === 0x18 && p + 1 < data.length && data[p + 1]! >= 24) {
      bytes[i] = data[p + 1]!;
      p += 2;
    } else return undefined;
  }
  return { bytes, end: p };
}

function decodeItem(cbor: Uint8Array, what: string): unknown {
  let value: unknown;
  let rest: Uint8Array;
  try {
    [value, rest] = decodeFirst(cbor, { ...DECODE_OPTIONS, tokenizer: new TypedTokenizer(cbor) });
  } catch (cause) {
    // cborg errors, and a RangeError if hostile nesting exhausts the stack.
    const message = (cause as Error)?.message ?? String(cause);
    throw new StmError('INVALID_ENCODING', `${what}: invalid CBOR (${message.replace(/^CBOR decode error: /, '')})`);
  }
  if (rest.length > 0) throw new StmError('INVALID_ENCODING', `${what}: ${rest.length} trailing bytes after the CBOR item`);
  return value;
}

function limit(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new StmError('INVALID_ENCODING', `${what}: expected bytes`);
  if (bytes.length > MAX_ENCODED_BYTES) throw new StmError('INVALID_ENCODING', `${what}: ${bytes.length} bytes exceeds the limit`);
}

const isCborV1 = (bytes: Uint8Array): boolean => bytes.length > 0 && bytes[0] === CBOR_V1_PREFIX;

/** The map of a struct; only text keys, as ciborium reads struct field names. */
class Fields {
  private readonly map: Map<unknown, unknown>;

  constructor(
    value: unknown,
    private readonly what: string,
  ) {
    if (!(value instanceof Map)) throw new StmError('INVALID_ENCODING', `${what}: expected a CBOR map, got ${describe(value)}`);
    for (const key of value.keys()) {
      if (typeof key !== 'string') throw new StmError('INVALID_ENCODING', `${what}: map key ${describe(key)} is not text`);
    }
    this.map = value;
  }

  /** A field the reference requires; unknown fields are ignored, as serde does by default. */
  required(key: string): unknown {
    if (!this.map.has(key)) throw new StmError('INVALID_ENCODING', `${this.what}: missing field "${key}"`);
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  name(key: string): string {
    return `${this.what}.${key}`;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof CborFloat) return 'a float';
  if (value instanceof Uint8Array) return 'a byte string';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Map) return 'a map';
  if (typeof value === 'number' || typeof value === 'bigint') return 'an integer';
  return `a ${typeof value}`;
}

function expectU64(value: unknown, what: string): bigint {
  const n = typeof value === 'number' ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < 0n || n >= U64_LIMIT) {
    throw new StmError('INVALID_ENCODING', `${what}: expected an unsigned integer, got ${describe(value)}`);
  }
  return n;
}

function expectSafeUint(value: unknown, what: string, max: number = Number.MAX_SAFE_INTEGER): number {
  const n = expectU64(value, what);
  if (n > BigInt(max)) throw new StmError('INVALID_ENCODING', `${what}: ${n} exceeds ${max}`);
  return Number(n);
}

function expectFloat(value: unknown, what: string): number {
  // ciborium reads an f64 only from a CBOR float (integers are refused by default).
  if (!(value instanceof CborFloat)) throw new StmError('INVALID_ENCODING', `${what}: expected a float, got ${describe(value)}`);
  return value.value;
}

function expectArray(value: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new StmError('INVALID_ENCODING', `${what}: expected an array, got ${describe(value)}`);
  if (value.length > max) throw new StmError('INVALID_ENCODING', `${what}: ${value.length} entries exceeds ${max}`);
  return value;
}

/** A byte vector: ciborium accepts an array of integers 0..255 or a byte string. */
function expectBytes(value: unknown, what: string, size: { exact: number } | { max: number }): Uint8Array {
  let length: number;
  if (value instanceof Uint8Array || Array.isArray(value)) length = value.length;
  else throw new StmError('INVALID_ENCODING', `${what}: expected bytes, got ${describe(value)}`);
  if ('exact' in size ? length !== size.exact : length > size.max) {
    const expected = 'exact' in size ? `${size.exact}` : `at most ${size.max}`;
    throw new StmError('INVALID_ENCODING', `${what}: expected ${expected} bytes, got ${length}`);
  }
  if (value instanceof Uint8Array) return value.slice();
  const out = new Uint8Array(length);
  value.forEach((byte, i) => {
    if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 255) {
      throw new StmError('INVALID_ENCODING', `${what}[${i}]: expected a byte, got ${describe(byte)}`);
    }
    out[i] = byte;
  });
  return out;
}

/** A `Vec<u64>`/`Vec<usize>` of values that must be exact JS numbers (ciborium also reads one from a byte string). */
function expectUintList(value: unknown, what: string, max: number): number[] {
  if (value instanceof Uint8Array) {
    if (value.length > max) throw new StmError('INVALID_ENCODING', `${what}: ${value.length} entries exceeds ${max}`);
    return [...value];
  }
  return expectArray(value, what, max).map((item, i) => expectSafeUint(item, `${what}[${i}]`));
}

/** A `PhantomData` field: ciborium writes and expects `null`. Tolerated when absent. */
function expectNullIfPresent(fields: Fields, key: string): void {
  if (fields.has(key) && fields.required(key) !== null) {
    throw new StmError('INVALID_ENCODING', `${fields.name(key)}: expected null`);
  }
}

function cborFields(bytes: Uint8Array, what: string): Fields {
  return new Fields(decodeItem(bytes.subarray(1), what), what);
}

// ---------------------------------------------------------------- per type

/** Parameters from v1 CBOR or legacy bytes. */
export function parametersFromBytes(bytes: Uint8Array): Parameters {
  limit(bytes, 'parameters');
  if (!isCborV1(bytes)) return legacyParametersFromBytes(bytes);
  const fields = cborFields(bytes, 'parameters');
  return validateParameters({
    m: expectU64(fields.required('m'), 'parameters.m'),
    k: expectU64(fields.required('k'), 'parameters.k'),
    phiF: expectFloat(fields.required('phi_f'), 'parameters.phi_f'),
  });
}

/** A single signature from v1 CBOR (definite or indefinite map) or legacy bytes, sigma not decoded. */
export function encodedSingleSignatureFromBytes(bytes: Uint8Array): EncodedSingleSignature {
  limit(bytes, 'single signature');
  if (!isCborV1(bytes)) return encodedSingleSignatureFromLegacyBytes(bytes);
  const fields = cborFields(bytes, 'single signature');
  const sigma = expectBytes(fields.required('sigma'), fields.name('sigma'), { exact: SIGMA_BYTES });
  const indexes = expectUintList(fields.required('indexes'), fields.name('indexes'), MAX_INDEXES);
  const signerIndex = expectSafeUint(fields.required('signer_index'), fields.name('signer_index'));
  return { sigma, indexes, signerIndex };
}

/** A single signature from v1 CBOR (definite or indefinite map) or legacy bytes. */
export function singleSignatureFromBytes(bytes: Uint8Array): SingleSignature {
  return decodeSingleSignature(encodedSingleSignatureFromBytes(bytes));
}

/** A registered party (the reference's closed registration entry) from v1 CBOR or legacy bytes, its key not decoded. */
export function encodedRegisteredPartyFromBytes(bytes: Uint8Array): EncodedRegisteredParty {
  limit(bytes, 'registered party');
  if (!isCborV1(bytes)) return encodedRegisteredPartyFromLegacyBytes(bytes);
  const fields = cborFields(bytes, 'registered party');
  const vk = expectBytes(fields.required('verification_key_bytes'), fields.name('verification_key_bytes'), { exact: VERIFICATION_KEY_BYTES });
  return { vk, stake: expectU64(fields.required('stake'), fields.name('stake')) };
}

/** A registered party (the reference's closed registration entry) from v1 CBOR or legacy bytes. */
export function registeredPartyFromBytes(bytes: Uint8Array): RegisteredParty {
  return decodeRegisteredParty(encodedRegisteredPartyFromBytes(bytes));
}

/** An aggregate verification key from v1 CBOR or legacy bytes. */
export function avkFromBytes(bytes: Uint8Array): AggregateVerificationKey {
  limit(bytes, 'aggregate verification key');
  if (!isCborV1(bytes)) return legacyAvkFromBytes(bytes);
  const fields = cborFields(bytes, 'aggregate verification key');
  const commitment = new Fields(fields.required('mt_commitment'), fields.name('mt_commitment'));
  const root = expectBytes(commitment.required('root'), commitment.name('root'), { exact: MERKLE_HASH_BYTES });
  const nrLeaves = expectSafeUint(commitment.required('nr_leaves'), commitment.name('nr_leaves'), MAX_LEAVES);
  expectNullIfPresent(commitment, 'hasher');
  const totalStake = expectU64(fields.required('total_stake'), fields.name('total_stake'));
  // The legacy decoder's checks.
  if (nrLeaves < 1) throw new StmError('INVALID_ENCODING', 'aggregate verification key: no leaves');
  if (totalStake < 1n) throw new StmError('INVALID_ENCODING', 'aggregate verification key: zero total stake');
  return { commitment: { root, nrLeaves }, totalStake };
}

/** A Merkle batch path from v1 CBOR or legacy bytes. */
export function batchPathFromBytes(bytes: Uint8Array): MerkleBatchPath {
  limit(bytes, 'batch path');
  if (!isCborV1(bytes)) return legacyBatchPathFromBytes(bytes);
  const fields = cborFields(bytes, 'batch path');
  const values = expectArray(fields.required('values'), fields.name('values'), MAX_LEAVES).map((value, i) =>
    expectBytes(value, `${fields.name('values')}[${i}]`, { exact: MERKLE_HASH_BYTES }),
  );
  const indices = expectUintList(fields.required('indices'), fields.name('indices'), MAX_SIGNATURES);
  expectNullIfPresent(fields, 'hasher');
  return { values, indices };
}

/**
 * A single signature with its registered party, from the v1 envelope (whose inner values may be
 * v1 or legacy, as in the reference) or the legacy `len ‖ party ‖ len ‖ signature` layout.
 */
export function encodedSignatureWithPartyFromBytes(bytes: Uint8Array): EncodedSignatureWithParty {
  limit(bytes, 'signature with party');
  if (!isCborV1(bytes)) {
    const reader = new ByteReader(bytes, 'signature with party');
    const party = encodedRegisteredPartyFromBytes(reader.take(reader.safeU64('registered party length'), 'registered party'));
    const signature = encodedSingleSignatureFromBytes(reader.take(reader.safeU64('single signature length'), 'single signature'));
    reader.end();
    return { signature, party };
  }
  const fields = cborFields(bytes, 'signature with party');
  const signature = encodedSingleSignatureFromBytes(
    expectBytes(fields.required('signature_bytes'), fields.name('signature_bytes'), { max: MAX_ENCODED_BYTES }),
  );
  const party = encodedRegisteredPartyFromBytes(
    expectBytes(fields.required('registration_entry_bytes'), fields.name('registration_entry_bytes'), { max: MAX_ENCODED_BYTES }),
  );
  return { signature, party };
}

export function signatureWithPartyFromBytes(bytes: Uint8Array): SignatureWithParty {
  return decodeSignatureWithParty(encodedSignatureWithPartyFromBytes(bytes));
}

/** The reference's concatenation proof (v1 envelope or legacy layout), points not decoded. */
function encodedConcatenationProofFromBytes(bytes: Uint8Array): EncodedAggregateSignature {
  limit(bytes, 'concatenation proof');
  if (!isCborV1(bytes)) {
    // The legacy aggregate signature is the proof-type byte 0 followed by the legacy proof.
    return encodedAggregateSignatureFromLegacyBytes(concatBytes(Uint8Array.of(CONCATENATION_PROOF), bytes));
  }
  const fields = cborFields(bytes, 'concatenation proof');
  const entries = expectArray(fields.required('signature_bytes'), fields.name('signature_bytes'), MAX_SIGNATURES);
  const signatures = entries.map((entry, i) =>
    encodedSignatureWithPartyFromBytes(expectBytes(entry, `${fields.name('signature_bytes')}[${i}]`, { max: MAX_ENCODED_BYTES })),
  );
  const batchProof = batchPathFromBytes(expectBytes(fields.required('batch_proof_bytes'), fields.name('batch_proof_bytes'), { max: MAX_ENCODED_BYTES }));
  return { signatures, batchProof };
}

/** The reference's concatenation proof (v1 envelope or legacy layout), as an AggregateSignature. */
export function concatenationProofFromBytes(bytes: Uint8Array): AggregateSignature {
  return decodeAggregateSignature(encodedConcatenationProofFromBytes(bytes));
}

/**
 * An aggregate signature from the v1 envelope (`proof_bytes` as a byte string or, as before
 * v0.12.2, an array of integers) or the legacy layout (proof-type byte, then the proof).
 *
 * As in the reference: a first byte 0x01 is tried as CBOR first and, failing that, as the legacy
 * layout (where 0x01 would be a SNARK proof, which this library does not support); a first byte
 * 0x00 is a concatenation proof in either inner format.
 */
export function aggregateSignatureFromBytes(bytes: Uint8Array): AggregateSignature {
  return decodeAggregateSignature(encodedAggregateSignatureFromBytes(bytes));
}

/** {@link aggregateSignatureFromBytes} without decoding the points (see encoded.ts). */
export function encodedAggregateSignatureFromBytes(bytes: Uint8Array): EncodedAggregateSignature {
  limit(bytes, 'aggregate signature');
  if (isCborV1(bytes)) {
    try {
      return aggregateSignatureFromCbor(bytes);
    } catch (cborError) {
      if (!(cborError instanceof StmError)) throw cborError;
      try {
        return encodedAggregateSignatureFromLegacyBytes(bytes);
      } catch (legacyError) {
        if (!(legacyError instanceof StmError)) throw legacyError;
        throw cborError; // the more telling of the two
      }
    }
  }
  if (bytes.length > 0 && bytes[0] === CONCATENATION_PROOF) return encodedConcatenationProofFromBytes(bytes.subarray(1));
  return encodedAggregateSignatureFromLegacyBytes(bytes);
}

function aggregateSignatureFromCbor(bytes: Uint8Array): EncodedAggregateSignature {
  const fields = cborFields(bytes, 'aggregate signature');
  const type = expectSafeUint(fields.required('signature_type'), fields.name('signature_type'), 255);
  const proof = expectBytes(fields.required('proof_bytes'), fields.name('proof_bytes'), { max: MAX_ENCODED_BYTES });
  if (type !== CONCATENATION_PROOF) {
    throw new StmError('INVALID_ENCODING', `aggregate signature: unsupported signature type ${type}`);
  }
  return encodedConcatenationProofFromBytes(proof);
}
