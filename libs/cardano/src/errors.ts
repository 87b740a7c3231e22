import { CodecError } from '@mithril-ts/codec';

/** Why a Cardano operation failed; stable strings that callers map to gRPC/HTTP statuses. */
export type CardanoErrorCode =
  /** A key has the wrong size, or a secret key's bytes are not self-consistent. */
  | 'INVALID_KEY'
  /** A signature has the wrong size (verification itself answers false, it does not throw). */
  | 'INVALID_SIGNATURE'
  /** Bytes are not the CBOR item expected (malformed, non-canonical, wrong shape). */
  | 'INVALID_CBOR'
  /** A text envelope is not JSON, lacks a field, has another type, or its cborHex is not hex. */
  | 'INVALID_ENVELOPE'
  /** An operational certificate field is out of range or of the wrong size. */
  | 'INVALID_OPCERT'
  /** A KES period or evolution lies outside what the key or certificate covers. */
  | 'KES_PERIOD_OUT_OF_RANGE'
  /** A KES key cannot evolve further: it is at its last period. */
  | 'KES_KEY_EXPIRED'
  /** A pool id is neither `pool1…` bech32 nor 56 hex digits of a 28-byte hash. */
  | 'INVALID_POOL_ID'
  /** Input above the size limit of its decoder. */
  | 'TOO_LARGE'
  /** An argument of the wrong type or sign (e.g. a negative slot, a zero slots-per-KES-period). */
  | 'INVALID_ARGUMENT'
  /** A `cardano-cli` output is not what that command prints. */
  | 'INVALID_CLI_OUTPUT'
  /** An Ogmios answer is not what that method returns. */
  | 'INVALID_OGMIOS_ANSWER'
  /** CBOR that is not Plutus data (a datum), or above its size or nesting bounds. */
  | 'INVALID_PLUTUS_DATA';

export class CardanoError extends Error {
  constructor(
    readonly code: CardanoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CardanoError';
  }
}

/**
 * Re-raise a codec failure as a CardanoError. `what` names the thing being decoded so the
 * message says which input was wrong; `fallback` is the code for codec failures that are not
 * about size.
 */
export function fromCodecError(error: unknown, what: string, fallback: CardanoErrorCode): CardanoError {
  if (error instanceof CardanoError) return error;
  if (error instanceof CodecError) {
    const code: CardanoErrorCode = error.code === 'TOO_LARGE' ? 'TOO_LARGE' : fallback;
    return new CardanoError(code, `${what}: ${error.message}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CardanoError(fallback, `${what}: ${message}`, { cause: error });
}

export function requireBytes(value: unknown, length: number, what: string, code: CardanoErrorCode): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CardanoError(code, `${what} must be a Uint8Array, got ${describe(value)}`);
  }
  if (value.length !== length) {
    throw new CardanoError(code, `${what} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return typeof value;
}
