/**
 * The `Range` request header (RFC 9110 §14), for one range of bytes. A header this server does
 * not act on (another unit, several ranges, bad syntax) is ignored — the whole object is sent,
 * as the RFC allows; a well-formed range that selects nothing is unsatisfiable (416).
 */
import type { ByteRange } from '../storage/port.js';

export type RangeRequest =
  /** No usable Range: send the whole object (200). */
  | { readonly kind: 'whole' }
  /** Send these bytes (206). */
  | { readonly kind: 'partial'; readonly range: ByteRange }
  /** The range selects no byte of the object (416). */
  | { readonly kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes[ \t]*=[ \t]*(\d*)-(\d*)[ \t]*$/i;

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined || header.length > 200) return { kind: 'whole' };
  const match = SINGLE_RANGE.exec(header);
  if (match === null) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    // Suffix range: the last N bytes.
    const length = Number(last);
    if (!Number.isSafeInteger(length)) return { kind: 'whole' };
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  const lastPosition = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  // A range whose last position precedes its first is invalid syntax, not unsatisfiable.
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(lastPosition) || lastPosition < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: Math.min(lastPosition, size - 1) } };
}
