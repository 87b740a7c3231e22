import { StoreSetupError, errorMessage } from '@mithril-ts/service-kit';

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

export class AggregatorStoreError extends Error {
  override readonly name = 'AggregatorStoreError';

  constructor(
    readonly code: AggregatorStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The shared store plumbing (URL, migrations) reports codes this store also has: re-typed as ours. */
export function fromStoreSetupError(error: unknown): unknown {
  return error instanceof StoreSetupError ? new AggregatorStoreError(error.code, error.message, { cause: error }) : error;
}

/** Prisma's code for a unique constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/** Prisma's code for "record to update/delete not found". */
export function isRecordNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2025';
}

/** Wraps anything that is not already a store error. */
export function asStoreError(error: unknown, what: string): AggregatorStoreError {
  if (error instanceof AggregatorStoreError) return error;
  const detail = errorMessage(error);
  return new AggregatorStoreError('DATABASE', `${what}: ${detail}`, { cause: error });
}
