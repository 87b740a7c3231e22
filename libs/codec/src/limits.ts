import { CodecError } from './errors.js';

/**
 * Default ceiling for decoded payloads. Generous enough for a Mithril multi-signature
 * certificate with thousands of signers in JSON-hex, small enough that a hostile peer
 * cannot make us allocate without bound.
 */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export function assertWithinLimit(size: number, maxBytes: number, what: string): void {
  if (size > maxBytes) {
    throw new CodecError('TOO_LARGE', `${what} is ${size} bytes, above the limit of ${maxBytes} bytes`);
  }
}
