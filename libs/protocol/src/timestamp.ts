/**
 * Certificate timestamps with nanosecond precision (JS `Date` keeps milliseconds only, and the
 * certificate hash mixes in nanoseconds), as nanoseconds since the Unix epoch and RFC 3339 text.
 */
import { ProtocolError } from './errors.js';

/** Nanoseconds since 1970-01-01T00:00:00Z (fits an i64 until the year 2262). */
export type Timestamp = bigint;

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseTimestamp(text: string): Timestamp {
  const match = typeof text === 'string' && text.length <= 64 ? RFC3339.exec(text) : null;
  if (match === null) throw new ProtocolError('INVALID_TIMESTAMP', `not an RFC 3339 timestamp: ${JSON.stringify(String(text).slice(0, 64))}`);
  const [, y, mo, d, h, mi, s, fraction = '', zone] = match;
  const millis = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(millis);
  if (
    Number.isNaN(millis) ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    throw new ProtocolError('INVALID_TIMESTAMP', `not a valid date and time: ${text}`);
  }
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  }
  const nanos = BigInt(millis - offsetMinutes * 60_000) * 1_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
  return checkRange(nanos);
}

/** RFC 3339 in UTC, with as many fraction digits as needed (none, 3, 6 or 9) — chrono's style. */
export function formatTimestamp(timestamp: Timestamp): string {
  checkRange(timestamp);
  let seconds = timestamp / 1_000_000_000n;
  let nanos = timestamp % 1_000_000_000n;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += 1_000_000_000n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (nanos === 0n) return `${base}Z`;
  const digits = nanos.toString().padStart(9, '0');
  const trimmed = digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits;
  return `${base}.${trimmed}Z`;
}

export function timestampFromDate(date: Date): Timestamp {
  return checkRange(BigInt(date.getTime()) * 1_000_000n);
}

/** i64 big-endian, as the certificate metadata hash consumes timestamps. */
export function timestampBytes(timestamp: Timestamp): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, checkRange(timestamp));
  return out;
}

function checkRange(nanos: bigint): Timestamp {
  if (nanos < I64_MIN || nanos > I64_MAX) throw new ProtocolError('INVALID_TIMESTAMP', 'timestamp outside the i64 nanosecond range');
  return nanos;
}
