/**
 * Plutus data in its on-chain CBOR (an inline datum as Ogmios v6 returns it: `"datum": "<hex>"`),
 * decoded into cardano-cli's detailed JSON schema — the form `query utxo --output-json` prints —
 * so that one reader (inlineDatumBytesFields) serves the datums of every chain observer:
 *   constructor i   tag 121+i (i < 7), tag 1280+i−7 (i < 128), or tag 102 [i, fields]
 *                   → {"constructor": i, "fields": [...]}
 *   map             → {"map": [{"k": ..., "v": ...}]}
 *   list            → {"list": [...]}
 *   integer         major types 0 and 1, or bignum tags 2 and 3 → {"int": n}
 *   bytes           a byte string, or an indefinite one in chunks (Plutus writes bytes longer than
 *                   64 in 64-byte chunks) → {"bytes": "<hex>"}
 * Anything else (text, floats, simple values, other tags) is not Plutus data and is refused.
 *
 * Written here rather than on cborg, which refuses indefinite-length byte strings, the very form
 * Plutus uses for long bytes. The bytes are untrusted (anyone can pay to an address with any
 * datum): the input size is bounded, nesting is bounded (recursion stays shallow), a claimed
 * length is checked against the bytes left before anything is allocated, and a bignum is bounded.
 */
import { fromHex, toHex } from '@mithril-ts/codec';
import { CardanoError } from './errors.js';
import type { InlineDatum } from './inline-datum.js';

/** A transaction is at most 16 KiB on mainnet, so is any inline datum it creates; this leaves room. */
export const MAX_PLUTUS_DATA_BYTES = 64 * 1024;
const MAX_NESTING = 128;
/** Bytes of a bignum's magnitude: far beyond any integer a datum carries, far below a costly BigInt. */
const MAX_BIGNUM_BYTES = 64;
const BREAK = 0xff;

function invalid(message: string, at: number): CardanoError {
  return new CardanoError('INVALID_PLUTUS_DATA', `Plutus data: ${message} (at byte ${at})`);
}

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw invalid('the bytes end inside an item', this.pos);
    return this.bytes[this.pos++] as number;
  }

  /** The argument of a head with additional info `info`; undefined for an indefinite length (31). */
  argument(info: number, at: number): bigint | undefined {
    if (info < 24) return BigInt(info);
    if (info === 31) return undefined;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) throw invalid(`reserved additional information ${info}`, at);
    let value = 0n;
    for (let i = 0; i < size; i += 1) value = (value << 8n) | BigInt(this.byte());
    return value;
  }

  /** A count or length, which cannot exceed the bytes left (every item or byte takes one). */
  length(value: bigint, at: number): number {
    if (value > BigInt(this.bytes.length - this.pos)) throw invalid(`a length of ${value} runs past the end of the bytes`, at);
    return Number(value);
  }

  take(length: number): Uint8Array {
    const slice = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return slice;
  }
}

const integer = (value: bigint): number | bigint =>
  value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;

/** A byte string's contents, definite or in definite chunks up to a break. */
function byteString(reader: Reader, info: number, at: number): Uint8Array {
  const length = reader.argument(info, at);
  if (length !== undefined) return reader.take(reader.length(length, at));
  const chunks: Uint8Array[] = [];
  for (;;) {
    const chunkAt = reader.pos;
    const head = reader.byte();
    if (head === BREAK) break;
    if (head >> 5 !== 2 || (head & 31) === 31) throw invalid('a chunk of an indefinite byte string is not a definite byte string', chunkAt);
    chunks.push(reader.take(reader.length(reader.argument(head & 31, chunkAt) as bigint, chunkAt)));
  }
  const joined = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

/** The items of an array (definite or up to a break). */
function items(reader: Reader, info: number, at: number, depth: number): InlineDatum[] {
  const count = reader.argument(info, at);
  const list: InlineDatum[] = [];
  if (count !== undefined) {
    const n = reader.length(count, at);
    for (let i = 0; i < n; i += 1) list.push(item(reader, depth + 1));
    return list;
  }
  while (reader.bytes[reader.pos] !== BREAK) list.push(item(reader, depth + 1));
  reader.pos += 1;
  return list;
}

function fieldsOf(reader: Reader, depth: number, what: string): InlineDatum[] {
  const at = reader.pos;
  const head = reader.byte();
  if (head >> 5 !== 4) throw invalid(`the fields of ${what} are not a list`, at);
  return items(reader, head & 31, at, depth);
}

function item(reader: Reader, depth: number): InlineDatum {
  if (depth > MAX_NESTING) throw invalid(`nested deeper than ${MAX_NESTING}`, reader.pos);
  const at = reader.pos;
  const head = reader.byte();
  const major = head >> 5;
  const info = head & 31;
  switch (major) {
    case 0:
    case 1: {
      const value = reader.argument(info, at);
      if (value === undefined) throw invalid('an integer of indefinite length', at);
      return { int: integer(major === 0 ? value : -1n - value) };
    }
    case 2:
      return { bytes: toHex(byteString(reader, info, at)) };
    case 4:
      return { list: items(reader, info, at, depth) };
    case 5: {
      const count = reader.argument(info, at);
      const entries: { k: InlineDatum; v: InlineDatum }[] = [];
      const n = count === undefined ? Infinity : reader.length(count, at);
      for (let i = 0; i < n; i += 1) {
        if (count === undefined && reader.bytes[reader.pos] === BREAK) {
          reader.pos += 1;
          break;
        }
        const k = item(reader, depth + 1);
        entries.push({ k, v: item(reader, depth + 1) });
      }
      return { map: entries };
    }
    case 6: {
      const tag = reader.argument(info, at);
      if (tag === undefined) throw invalid('a tag of indefinite length', at);
      if (tag >= 121n && tag <= 127n) return { constructor: Number(tag - 121n), fields: fieldsOf(reader, depth, `constructor ${tag - 121n}`) };
      if (tag >= 1280n && tag <= 1400n) return { constructor: Number(tag - 1280n + 7n), fields: fieldsOf(reader, depth, `constructor ${tag - 1280n + 7n}`) };
      if (tag === 102n) {
        const pairAt = reader.pos;
        if (reader.byte() !== 0x82) throw invalid('tag 102 is not followed by a [constructor, fields] pair', pairAt);
        const indexAt = reader.pos;
        const indexHead = reader.byte();
        const index = indexHead >> 5 === 0 ? reader.argument(indexHead & 31, indexAt) : undefined;
        if (index === undefined) throw invalid('the constructor of tag 102 is not an unsigned integer', indexAt);
        return { constructor: integer(index), fields: fieldsOf(reader, depth, `constructor ${index}`) };
      }
      if (tag === 2n || tag === 3n) {
        const bytesAt = reader.pos;
        const bytesHead = reader.byte();
        if (bytesHead >> 5 !== 2) throw invalid('a bignum is not a byte string', bytesAt);
        const magnitude = byteString(reader, bytesHead & 31, bytesAt);
        if (magnitude.length > MAX_BIGNUM_BYTES) throw invalid(`a bignum of more than ${MAX_BIGNUM_BYTES} bytes`, bytesAt);
        const value = magnitude.length === 0 ? 0n : BigInt(`0x${toHex(magnitude)}`);
        return { int: integer(tag === 2n ? value : -1n - value) };
      }
      throw invalid(`tag ${tag} is not Plutus data`, at);
    }
    default:
      throw invalid(
        `${major === 3 ? 'a text string' : major === 7 && head === BREAK ? 'a break outside an indefinite item' : 'a float or simple value'} is not Plutus data`,
        at,
      );
  }
}

/** One Plutus data item from its CBOR (hex, as Ogmios sends it, or bytes), in cardano-cli's detailed JSON schema. */
export function decodePlutusData(cbor: string | Uint8Array): InlineDatum {
  let bytes: Uint8Array;
  if (typeof cbor === 'string') {
    if (cbor.length > 2 * MAX_PLUTUS_DATA_BYTES) throw new CardanoError('INVALID_PLUTUS_DATA', `Plutus data: more than ${MAX_PLUTUS_DATA_BYTES} bytes`);
    try {
      bytes = fromHex(cbor);
    } catch (error) {
      throw new CardanoError('INVALID_PLUTUS_DATA', `Plutus data: ${(error as Error).message}`);
    }
  } else {
    bytes = cbor;
  }
  if (bytes.length > MAX_PLUTUS_DATA_BYTES) throw new CardanoError('INVALID_PLUTUS_DATA', `Plutus data: more than ${MAX_PLUTUS_DATA_BYTES} bytes`);
  const reader = new Reader(bytes);
  const datum = item(reader, 0);
  if (reader.pos !== bytes.length) throw invalid(`${bytes.length - reader.pos} byte(s) after the item`, reader.pos);
  return datum;
}
