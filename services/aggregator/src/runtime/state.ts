/** The aggregator's states (the reference's runtime state machine, see the README). */
import type { Epoch } from '@mithril-ts/protocol';

export type BlockedReason =
  /** No certificate at all: a genesis certificate must be imported (or bootstrapped on a devnet). */
  | 'no-genesis'
  /** The genesis certificate is of this epoch: its AVK is the next signers', nothing can be signed before the next epoch. */
  | 'genesis-epoch'
  /** The latest certificate is older than the previous epoch: the chain cannot continue without a new genesis. */
  | 'epoch-gap'
  /** No signer was recorded for the previous epoch or for this one: nothing can be signed or announced. */
  | 'no-signers'
  /** The Mithril era active at the chain's epoch is not one this binary supports (upgrade it). */
  | 'unsupported-era'
  /** The era markers cannot be read, so the active era is unknown. */
  | 'unknown-era';

export type AggregatorState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'ready'; readonly epoch: Epoch }
  | { readonly kind: 'signing'; readonly epoch: Epoch; readonly openMessages: number }
  /** `detail` says more where the reason alone does not (which era, why the markers are unreadable). */
  | { readonly kind: 'blocked'; readonly epoch: Epoch; readonly reason: BlockedReason; readonly detail?: string }
  /** Too many consecutive failures: the runtime stopped (the process should exit and be restarted). */
  | { readonly kind: 'broken'; readonly error: string };

export function describeState(state: AggregatorState): string {
  switch (state.kind) {
    case 'idle':
      return 'idle';
    case 'ready':
      return `ready (epoch ${state.epoch})`;
    case 'signing':
      return `signing (epoch ${state.epoch}, ${state.openMessages} open message${state.openMessages === 1 ? '' : 's'})`;
    case 'blocked':
      return `blocked: ${state.reason} (epoch ${state.epoch})${state.detail === undefined ? '' : `: ${state.detail}`}`;
    case 'broken':
      return `broken: ${state.error}`;
  }
}
