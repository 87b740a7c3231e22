import { StoreError, storeErrors } from '@mithril-ts/service-kit';

/** The one error class of the aggregator store: every failure it reports carries a code. */
export type AggregatorStoreErrorCode =
  /** The database URL is not one the store can open. */
  | 'INVALID_URL'
  /** A value handed to the store is out of range or malformed. */
  | 'INVALID_ARGUMENT'
  /** Applying (or checking) the versioned SQL migrations failed. */
  | 'MIGRATION_FAILED'
  /** The row an operation needs does not exist. */
  | 'NOT_FOUND'
  /** A row with the same identity already exists (open message, certificate). */
  | 'CONFLICT'
  /** A stored row cannot be decoded into its domain value. */
  | 'CORRUPT_ROW'
  /** The store was closed. */
  | 'CLOSED'
  /** Any other database failure (connection, timeout, constraint not mapped above). */
  | 'DATABASE';

export class AggregatorStoreError extends StoreError<AggregatorStoreErrorCode> {
  override readonly name = 'AggregatorStoreError';
}

/** Every failure of the store as an AggregatorStoreError: the shared plumbing's codes are ours too, any other failure is 'DATABASE'. */
export const aggregatorStoreErrors = storeErrors(AggregatorStoreError, { setup: { INVALID_URL: 'INVALID_URL', MIGRATION_FAILED: 'MIGRATION_FAILED' }, other: 'DATABASE' });

/** Prisma's code for a unique constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/** Prisma's code for "record to update/delete not found". */
export function isRecordNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2025';
}
