/** Errors of the signer's own layer (the store has SignerStoreError). */
import type { ErrorCode } from '@mithril-ts/proto';

/** Why a call to the aggregator or the signer gateway failed, as the runtime reacts to it. */
export type RemoteFailure =
  /** The server is up but has nothing to say yet (ERROR_CODE_NOT_READY): try again later. */
  | 'not-ready'
  /** Our protocol version and the server's do not match: refuse to act. */
  | 'incompatible-version'
  /** Transport trouble (unreachable, deadline, rate limit): try again later. */
  | 'unavailable'
  /** The server refused the request; `errorCode` says why. */
  | 'rejected'
  /** The answer does not decode. */
  | 'malformed-response';

export class RemoteCallError extends Error {
  override readonly name = 'RemoteCallError';

  constructor(
    /** e.g. "AggregatorService.GetEpochSettings". */
    readonly call: string,
    readonly failure: RemoteFailure,
    message: string,
    /** The typed error the server attached, if any. */
    readonly errorCode?: ErrorCode,
    /** The gRPC status code, if the call reached the transport. */
    readonly grpcCode?: number,
    options?: { cause?: unknown },
  ) {
    super(`${call}: ${message}`, options);
  }
}

/** The pool's key files cannot be used. */
export class PoolKeysError extends Error {
  override readonly name = 'PoolKeysError';
}
