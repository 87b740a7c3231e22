/**
 * How a service store reports every failure as its own error class: the shared plumbing's
 * StoreSetupError re-typed with the store's code for it, the store's own errors as they are, any
 * other failure (a database, driver or file-system error) wrapped with what was being done.
 */
import { errorMessage } from '../error-message.js';
import { StoreSetupError, type StoreErrorCode, type StoreSetupErrorCode } from './errors.js';

/** A store's error class: a code, a message and a cause, like StoreSetupError. */
export type StoreErrorClass<E extends Error, C extends string> = new (code: C, message: string, options?: { cause?: unknown }) => E;

export interface StoreErrorCodes<C extends string> {
  /** The store's code for each of the shared plumbing's (a bad location, a failed migration). */
  readonly setup: Readonly<Record<StoreSetupErrorCode, C>>;
  /** The store's code for any other failure. */
  readonly other: C;
}

export interface StoreErrors<E extends Error> {
  /** A StoreSetupError as the store's error; anything else unchanged. */
  retype(error: unknown): unknown;
  /** Any failure as the store's error: its own unchanged, a StoreSetupError re-typed, anything else wrapped as `what: message`. */
  wrap(error: unknown, what: string): E;
  /** `body`'s result; a StoreSetupError it throws comes out re-typed. */
  retyping<T>(body: () => T): T;
  /** `body`'s result; a StoreSetupError it rejects with comes out re-typed. */
  retypingAsync<T>(body: () => Promise<T>): Promise<T>;
}

/** A store whose codes include the common ones: the plumbing's codes kept, any other failure 'DATABASE'. */
const COMMON_CODES: StoreErrorCodes<StoreErrorCode> = { setup: { INVALID_URL: 'INVALID_URL', MIGRATION_FAILED: 'MIGRATION_FAILED' }, other: 'DATABASE' };

export function storeErrors<E extends Error>(errorClass: StoreErrorClass<E, StoreErrorCode>): StoreErrors<E>;
export function storeErrors<E extends Error, C extends string>(errorClass: StoreErrorClass<E, C>, codes: StoreErrorCodes<C>): StoreErrors<E>;
export function storeErrors<E extends Error, C extends string>(
  errorClass: StoreErrorClass<E, C>,
  codes: StoreErrorCodes<C> = COMMON_CODES as unknown as StoreErrorCodes<C>,
): StoreErrors<E> {
  const retype = (error: unknown): unknown =>
    error instanceof StoreSetupError ? new errorClass(codes.setup[error.code], error.message, { cause: error }) : error;
  return {
    retype,
    wrap: (error, what) => {
      const retyped = retype(error);
      if (retyped instanceof errorClass) return retyped;
      return new errorClass(codes.other, `${what}: ${errorMessage(error)}`, { cause: error });
    },
    retyping: (body) => {
      try {
        return body();
      } catch (error) {
        throw retype(error);
      }
    },
    retypingAsync: async (body) => {
      try {
        return await body();
      } catch (error) {
        throw retype(error);
      }
    },
  };
}
