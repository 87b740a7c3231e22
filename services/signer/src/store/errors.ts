import { StoreError, storeErrors } from '@mithril-ts/service-kit';

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

export class SignerStoreError extends StoreError<SignerStoreErrorCode> {
  override readonly name = 'SignerStoreError';
}

/** Every failure of the store as a SignerStoreError: the shared plumbing's codes are ours too, any other failure is 'DATABASE'. */
export const signerStoreErrors = storeErrors(SignerStoreError, { setup: { INVALID_URL: 'INVALID_URL', MIGRATION_FAILED: 'MIGRATION_FAILED' }, other: 'DATABASE' });
