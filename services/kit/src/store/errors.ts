/**
 * The one error of the shared store plumbing. Its codes are the ones the services' own store errors
 * already use, so each service re-types it at its boundary without losing what went wrong.
 */
export type StoreSetupErrorCode =
  /** The store location is not one the store can open. */
  | 'INVALID_URL'
  /** Reading, checking or applying the versioned SQL migrations failed. */
  | 'MIGRATION_FAILED';

/** The codes every service store reports (a store may add its own, such as NOT_FOUND). */
export type StoreErrorCode =
  | StoreSetupErrorCode
  /** A value handed to the store is out of range or malformed. */
  | 'INVALID_ARGUMENT'
  /** A stored row cannot be decoded into its domain value. */
  | 'CORRUPT_ROW'
  /** The store was closed. */
  | 'CLOSED'
  /** Any other database failure (connection, timeout, constraint the store does not map). */
  | 'DATABASE';

/** The base of the store error classes: a code saying what went wrong, a message, a cause. */
export class StoreError<C extends string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class StoreSetupError extends StoreError<StoreSetupErrorCode> {
  override readonly name = 'StoreSetupError';
}
