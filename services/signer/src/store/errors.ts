import { StoreSetupError, errorMessage } from '@mithril-ts/service-kit';

/** The one error class of the signer store: every failure it reports carries a code. */
export type SignerStoreErrorCode =
  /** The store location is not one the store can open. */
  | 'INVALID_URL'
  /** A value handed to the store is out of range or malformed. */
  | 'INVALID_ARGUMENT'
  /** Applying (or checking) the versioned SQL migrations failed. */
  | 'MIGRATION_FAILED'
  /** A stored row cannot be decoded into its domain value. */
  | 'CORRUPT_ROW'
  /** The store was closed. */
  | 'CLOSED'
  /** Any other database failure. */
  | 'DATABASE';

export class SignerStoreError extends Error {
  override readonly name = 'SignerStoreError';

  constructor(
    readonly code: SignerStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The shared store plumbing (location, migrations) reports codes this store also has: re-typed as ours. */
export function fromStoreSetupError(error: unknown): unknown {
  return error instanceof StoreSetupError ? new SignerStoreError(error.code, error.message, { cause: error }) : error;
}

export function asStoreError(error: unknown, what: string): SignerStoreError {
  if (error instanceof SignerStoreError) return error;
  const detail = errorMessage(error);
  return new SignerStoreError('DATABASE', `${what}: ${detail}`, { cause: error });
}
