/**
 * The signer's state machine (the reference's, mithril-signer runtime):
 *   Init → Unregistered{E}
 *   Unregistered{E}: once the aggregator is at E, register a fresh key for E+1, then
 *     → ReadyToSign{E} if the key registered for E (during E−1) is among E's signers,
 *     → RegisteredNotAbleToSign{E} otherwise;
 *   ReadyToSign{E} and RegisteredNotAbleToSign{E} → Unregistered{E'} when the chain reaches E'.
 */
import type { Epoch, SignedEntityType } from '@mithril-ts/protocol';

export type SignerState =
  | { readonly kind: 'Init' }
  | { readonly kind: 'Unregistered'; readonly epoch: Epoch }
  | { readonly kind: 'ReadyToSign'; readonly epoch: Epoch }
  | { readonly kind: 'RegisteredNotAbleToSign'; readonly epoch: Epoch; readonly reason: string };

/** Why a cycle did nothing (or stopped short). */
export type WaitReason =
  | 'node-not-synced'
  | 'incompatible-protocol-version'
  | 'aggregator-not-ready'
  | 'aggregator-unavailable'
  | 'aggregator-epoch-mismatch'
  | 'invalid-epoch-settings'
  | 'stake-distribution-unknown'
  | 'no-stake'
  | 'pool-keys-unusable'
  | 'registration-refused'
  | 'gateway-unavailable'
  | 'no-next-signers'
  | 'immutable-db-unreadable'
  /** The active Mithril era is not one this binary supports: nothing is registered or signed. */
  | 'unsupported-era'
  /** The era markers cannot be read: nothing is registered or signed until they can. */
  | 'era-unknown'
  /** Anything else (store failure, a bug): reported as an 'error' event too. */
  | 'unexpected-error';

export interface Waiting {
  readonly reason: WaitReason;
  readonly message: string;
}

export interface SignerStatus {
  readonly state: SignerState;
  /** What held the last cycle back; undefined when it did all it could. */
  readonly waiting: Waiting | undefined;
  /** When the last cycle ended; undefined before the first. */
  readonly lastCycleAt: Date | undefined;
}

/** Progress, for logs, metrics and a launcher's live display. */
export type SignerEvent =
  | { readonly type: 'state-changed'; readonly from: SignerState; readonly to: SignerState }
  /** Emitted when the reason a cycle is held back appears or changes. */
  | { readonly type: 'waiting'; readonly reason: WaitReason; readonly message: string }
  /** A cycle did all it could again after waiting. */
  | { readonly type: 'resumed' }
  | {
      readonly type: 'registered';
      readonly epoch: Epoch;
      readonly recordingEpoch: Epoch;
      readonly partyId: string;
      readonly stake: bigint;
      readonly kesEvolutions: number;
    }
  | {
      readonly type: 'signed';
      readonly signedEntityType: SignedEntityType;
      readonly signedMessage: string;
      readonly wonIndexes: number;
      readonly status: 'accepted' | 'buffered';
    }
  | { readonly type: 'lottery-lost'; readonly signedEntityType: SignedEntityType; readonly signedMessage: string }
  /** Not sent yet (no open message, gateway unreachable): tried again next cycle while still the latest. */
  | { readonly type: 'signature-deferred'; readonly signedEntityType: SignedEntityType; readonly message: string }
  | { readonly type: 'signature-dropped'; readonly signedEntityType: SignedEntityType; readonly status: 'too-late' | 'rejected'; readonly message: string }
  | { readonly type: 'pruned'; readonly epoch: Epoch; readonly initializers: number; readonly handledEntities: number }
  | { readonly type: 'error'; readonly stage: string; readonly message: string; readonly error: unknown };

export function describeState(state: SignerState): string {
  return state.kind === 'Init' ? 'Init' : `${state.kind}{${state.epoch}}`;
}
