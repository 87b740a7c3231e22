/**
 * The one error of the shared store plumbing. Its codes are the ones the services' own store errors
 * already use, so each service re-types it at its boundary without losing what went wrong.
 */
export type StoreSetupErrorCode =
  /** The store location is not one the store can open. */
  | 'INVALID_URL'
  /** Reading, checking or applying the versioned SQL migrations failed. */
  | 'MIGRATION_FAILED';

export class StoreSetupError extends Error {
  override readonly name = 'StoreSetupError';

  constructor(
    readonly code: StoreSetupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
