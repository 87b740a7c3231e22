import { hex } from '@scure/base';
import { CodecError } from './errors.js';
import { assertWithinLimit } from './limits.js';

export interface HexDecodeOptions {
  /** Reject inputs that would decode to more than this many bytes (checked before scanning). */
  maxBytes?: number;
}

const HEX_DIGITS = /^[0-9a-fA-F]*$/;

/** Lowercase hex, the form every Mithril and Cardano tool writes. */
export function toHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) {
    throw new CodecError('WRONG_TYPE', `expected a Uint8Array to hex-encode, got ${typeof bytes}`);
  }
  return hex.encode(bytes);
}

/** Strict hex: even length, hex digits only, either case; no prefix, no whitespace. */
export function fromHex(text: string, options: HexDecodeOptions = {}): Uint8Array {
  if (typeof text !== 'string') {
    throw new CodecError('WRONG_TYPE', `expected a hex string, got ${typeof text}`);
  }
  if (options.maxBytes !== undefined) {
    assertWithinLimit(Math.ceil(text.length / 2), options.maxBytes, 'hex input');
  }
  if (text.length % 2 !== 0) {
    throw new CodecError('INVALID_HEX', `hex string has odd length ${text.length}`);
  }
  if (!HEX_DIGITS.test(text)) {
    const bad = text.search(/[^0-9a-fA-F]/);
    throw new CodecError(
      'INVALID_HEX',
      `hex string has a non-hex character ${JSON.stringify(text.charAt(bad))} at position ${bad}`,
    );
  }
  return hex.decode(text.toLowerCase());
}
