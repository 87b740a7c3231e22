import { StoreError, storeErrors, type StoreErrorCode } from '@mithril-ts/service-kit';

/** The one error class of the aggregator store: every failure it reports carries a code (service-kit's common store codes, and these). */
export type AggregatorStoreErrorCode =
  | StoreErrorCode
  /** The row an operation needs does not exist. */
  | 'NOT_FOUND'
  /** A row with the same identity already exists (open message, certificate). */
  | 'CONFLICT';

export class AggregatorStoreError extends StoreError<AggregatorStoreErrorCode> {
  override readonly name = 'AggregatorStoreError';
}

/** Every failure of the store as an AggregatorStoreError: the shared plumbing's codes are ours too, any other failure is 'DATABASE'. */
export const aggregatorStoreErrors = storeErrors(AggregatorStoreError);

/** Prisma's code for a unique constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/** Prisma's code for "record to update/delete not found". */
export function isRecordNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2025';
}
