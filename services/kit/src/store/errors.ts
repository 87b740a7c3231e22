/**
 * The one error of the shared store plumbing. Its codes are the ones the services' own store errors
 * already use, so each service re-types it at its boundary without losing what went wrong.
 */
export type StoreSetupErrorCode =
  /** The store location is not one the store can open. */
  | 'INVALID_URL'
  /** Reading, checking or applying the versioned SQL migrations failed. */
  | 'MIGRATION_FAILED';

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
