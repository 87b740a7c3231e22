/**
 * Strict, bounded reading of what an aggregator (or a download location) answers. A malformed
 * answer is the aggregator's fault, not a verification failure: it is reported as a network
 * error naming the field.
 */
import { MAX_IMMUTABLE_FILE_NAME_LENGTH, parseImmutableFileName } from '@mithril-ts/cardano';
import { CliError } from '../errors.js';
import type { Compression, ImmutableFileDigest } from './port.js';

const HEX64 = /^[0-9a-f]{64}$/;
/** Far above mainnet (~10,000 trios today). */
export const MAX_DIGESTS = 3_000_000;
const U64_MAX = (1n << 64n) - 1n;

export function malformed(what: string, detail: string, cause?: unknown): CliError {
  return new CliError('network', `the aggregator answered a malformed ${what}: ${detail}`, { reason: 'MALFORMED_RESPONSE', cause });
}

export class Reader {
  constructor(readonly what: string) {}

  fail(detail: string): never {
    throw malformed(this.what, detail);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(`${field} must be an object`);
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string, max: number): unknown[] {
    if (!Array.isArray(value)) this.fail(`${field} must be an array`);
    if (value.length > max) this.fail(`${field} has ${value.length} items, more than ${max}`);
    return value;
  }

  string(value: unknown, field: string, max = 1024): string {
    if (typeof value !== 'string') this.fail(`${field} must be a string`);
    if (value.length > max) this.fail(`${field} is longer than ${max} characters`);
    return value;
  }

  optionalString(value: unknown, field: string, max = 1024): string {
    return value === undefined || value === null ? '' : this.string(value, field, max);
  }

  hex64(value: unknown, field: string): string {
    const text = this.string(value, field, 64);
    if (!HEX64.test(text)) this.fail(`${field} must be 64 lowercase hex digits`);
    return text;
  }

  u64(value: unknown, field: string): bigint {
    let result: bigint;
    if (typeof value === 'bigint') result = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) result = BigInt(value);
    else this.fail(`${field} must be an integer`);
    if (result < 0n || result > U64_MAX) this.fail(`${field} must be a u64`);
    return result;
  }

  number(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(`${field} must be a number`);
    return value;
  }
}

/** Compression names of both transports ("gzip", "zstandard", the proto enum names). */
export function compressionFromText(text: string): Compression {
  switch (text.toLowerCase()) {
    case 'gzip':
    case 'compression_algorithm_gzip':
      return 'gzip';
    case 'zstandard':
    case 'zstd':
    case 'compression_algorithm_zstd':
      return 'zstandard';
    default:
      return 'none';
  }
}

/**
 * A digests list (`[{"immutable_file_name","digest"}]`): every name an immutable file name, every
 * digest a SHA-256, no name twice. Order is kept: the certified Merkle root is over this order.
 */
export function digestsListFromJson(value: unknown, what = 'digests list'): ImmutableFileDigest[] {
  const reader: Reader = new Reader(what);
  const seen = new Set<string>();
  return reader.array(value, what, MAX_DIGESTS).map((item, i) => {
    const entry = reader.object(item, `[${i}]`);
    return checkedDigest(reader, entry.immutable_file_name, entry.digest, i, seen);
  });
}

/** Same checks for entries that arrived already split (gRPC). */
export function digestsListFromEntries(entries: readonly { immutableFileName: string; digest: string }[], what = 'digests list'): ImmutableFileDigest[] {
  const reader: Reader = new Reader(what);
  if (entries.length > MAX_DIGESTS) reader.fail(`${entries.length} entries, more than ${MAX_DIGESTS}`);
  const seen = new Set<string>();
  return entries.map((entry, i) => checkedDigest(reader, entry.immutableFileName, entry.digest, i, seen));
}

function checkedDigest(reader: Reader, name: unknown, digest: unknown, i: number, seen: Set<string>): ImmutableFileDigest {
  // The grammar of @mithril-ts/cardano's immutable DB layout (a u64 number of at least 5 digits, chunk|primary|secondary).
  const fileName = reader.string(name, `[${i}].immutable_file_name`, MAX_IMMUTABLE_FILE_NAME_LENGTH);
  if (parseImmutableFileName(fileName) === undefined) reader.fail(`[${i}].immutable_file_name ${JSON.stringify(fileName)} is not an immutable file name`);
  if (seen.has(fileName)) reader.fail(`${fileName} is listed twice`);
  seen.add(fileName);
  return { name: fileName, digest: reader.hex64(digest, `[${i}].digest`) };
}

/** The immutable file number of a listed file name. */
export function immutableFileNumberOf(name: string): bigint {
  const parsed = parseImmutableFileName(name);
  if (parsed === undefined) throw new CliError('internal', `not an immutable file name: ${name}`);
  return parsed.number;
}
