import { createCipheriv } from 'node:crypto';
import { fromHex, toHex } from '@mithril-ts/codec';
import { CardanoError, type CardanoErrorCode } from '../src/index.js';

export { fromHex, toHex };

/**
 * The first bytes of the ChaCha20 keystream for a zero key and zero nonce: what rand_chacha's
 * `ChaCha20Rng::from_seed([0; 32])` yields first, hence the cold key of Mithril's
 * `ColdKeyGenerator::create_deterministic_keypair([0; 32])` (its first 32 bytes).
 */
export function chacha20ZeroKeystream(length: number): Uint8Array {
  const cipher = createCipheriv('chacha20', Buffer.alloc(32), Buffer.alloc(16));
  return new Uint8Array(cipher.update(Buffer.alloc(length)));
}

export function seedWithFirstByte(first: number): Uint8Array {
  const seed = new Uint8Array(32);
  seed[0] = first;
  return seed;
}

/** Run `action`, expect a CardanoError with `code`, and return it for further checks. */
export function expectCardanoError(action: () => unknown, code: CardanoErrorCode, messagePart?: string | RegExp): CardanoError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CardanoError);
  const error = thrown as CardanoError;
  expect(error.code).toBe(code);
  if (messagePart !== undefined) expect(error.message).toMatch(messagePart);
  return error;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A text envelope with the given fields, in cardano-cli's layout. */
export function envelope(type: string, description: string, cborHex: string): string {
  return `{\n    "type": ${JSON.stringify(type)},\n    "description": ${JSON.stringify(description)},\n    "cborHex": "${cborHex}"\n}\n`;
}
