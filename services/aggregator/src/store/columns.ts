/**
 * How the repositories check the values handed to them before they reach a column, and read back
 * what a column holds: one set of rules for every repository, so a bad value is refused the same
 * way (AggregatorStoreError 'INVALID_ARGUMENT') and a bad row reported the same way ('CORRUPT_ROW').
 */
import { parseJson, stringifyJson } from '@mithril-ts/codec';
import { signedEntityTypeFromJson, signedEntityTypeToJson, type SignedEntityType } from '@mithril-ts/protocol';
import { AggregatorStoreError } from './errors.js';
import type { Page } from './types.js';

export const U64_MAX = (1n << 64n) - 1n;
/** BIGINT columns are signed 64-bit in both dialects. */
export const I64_MAX = (1n << 63n) - 1n;

/** The beacon column: the reference JSON of the signed entity type (bigints as bare integers). */
export function beaconText(type: SignedEntityType): string {
  return stringifyJson(signedEntityTypeToJson(type));
}

export function parseBeacon(text: string, where: string): SignedEntityType {
  try {
    return signedEntityTypeFromJson(parseJson(text));
  } catch (cause) {
    throw new AggregatorStoreError('CORRUPT_ROW', `${where}: stored signed entity type ${JSON.stringify(text)} does not decode`, { cause });
  }
}

export function bigintArg(value: bigint, what: string, max: bigint = I64_MAX): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > max) {
    throw new AggregatorStoreError('INVALID_ARGUMENT', `${what} must be an integer in [0, ${max}], got ${String(value)}`);
  }
  return value;
}

export function textArg(value: string, what: string, maxLength = 256): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new AggregatorStoreError('INVALID_ARGUMENT', `${what} must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

export function bytesArg(value: Uint8Array, what: string): Uint8Array<ArrayBuffer> {
  if (!(value instanceof Uint8Array)) throw new AggregatorStoreError('INVALID_ARGUMENT', `${what} must be bytes`);
  return new Uint8Array(value);
}

export function limitArg(page: Page): { take: number; skip: number } {
  const { limit, offset = 0 } = page;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000)
    throw new AggregatorStoreError('INVALID_ARGUMENT', 'page limit must be an integer in [1, 10000]');
  if (!Number.isSafeInteger(offset) || offset < 0) throw new AggregatorStoreError('INVALID_ARGUMENT', 'page offset must be a non-negative integer');
  return { take: limit, skip: offset };
}

/** A plain Uint8Array copy of a bytes column (the drivers hand back Buffers). */
export const bytes = (value: Uint8Array): Uint8Array => new Uint8Array(value);
