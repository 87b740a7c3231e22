/**
 * The aggregator's state machine, without effects: `transition(state, observation)` says what the
 * aggregator becomes and what it must do next, as commands (data). The runner
 * (aggregator-runtime.ts) makes the observations, calls `transition` and performs the commands;
 * nothing here reads the chain, the store or the clock, so each transition is one row of a table
 * test (test/state-machine.test.ts).
 *
 * One cycle, as the runner drives it (a command in [brackets] yields the next observation):
 *   cycle-due   → [read-tip]
 *   tip         → an era this binary does not run (or cannot tell): blocked(unsupported-era | unknown-era), nothing more;
 *                 new epoch: idle, enter-epoch, prune, announce-epoch; then [observe-chain]
 *   chain       → cannot continue: blocked(no-genesis | epoch-gap | genesis-epoch | no-signers),
 *                 or, with a devnet genesis signer and next signers, bootstrap-genesis then [observe-chain] again;
 *                 can continue: ready, or signing (open messages), then [open-messages]
 *   messages-opened → signing when a message is open, then retry-aggregations
 * Outside cycles, certificate-sealed (an aggregation sealed a certificate) moves ready ⇄ signing.
 * A cycle in which a command failed is cycle-failed with the consecutive count: at the limit the
 * aggregator is broken (the breaker), which is final: every observation leaves it as it is and
 * commands nothing. `report-state` (log + the `state` event) is commanded exactly when the state's
 * description changes, before the transition's other commands.
 *
 * How this maps to the reference's runtime (mithril-aggregator, runtime/state_machine.rs), whose
 * runner has the states Idle, Ready and Signing:
 * - Idle: no beacon yet or a new epoch. Its IDLE → READY transition updates the stake distribution,
 *   the protocol parameters and the registration round, then checks the certificate chain: ours is
 *   idle + enter-epoch (stake, parameters, signer sets) + the chain observation. Where the reference
 *   stays Idle while the chain cannot be continued, ours says why: blocked with its reason.
 * - Ready: the epoch's chain can be continued and nothing is being signed: ready.
 * - Signing: the reference signs one open message at a time; ours signs every configured signed
 *   entity type at once, so signing counts the open messages. The reference seals in its
 *   SIGNING → READY transition, inside a cycle; ours aggregates when signatures arrive (one
 *   aggregation at a time per open message, retried each cycle) and reports certificate-sealed.
 * - The reference's Critical errors end its runtime; ours end after `maxConsecutiveErrors` failed
 *   cycles (broken: the process exits and is restarted). Its KeepState/ReInit errors are our failed
 *   cycles below that limit: the state is kept, and a new epoch is entered again on the next tip.
 */
import type { Epoch } from '@mithril-ts/protocol';
import { describeState, type AggregatorState } from './state.js';

/** What the runner observed, each the outcome of a command or of something outside the cycle. */
export type Observation =
  /** The run interval elapsed (or `tick()` was called). */
  | { readonly kind: 'cycle-due' }
  /**
   * The chain's tip, the epoch the runner has entered (undefined before the first), and, when the
   * Mithril era at the tip's epoch cannot be run, why.
   */
  | {
      readonly kind: 'tip';
      readonly epoch: Epoch;
      readonly enteredEpoch: Epoch | undefined;
      readonly eraRefusal?: { readonly reason: 'unsupported-era' | 'unknown-era'; readonly message: string };
    }
  /** What decides whether the certificate chain can be continued in the entered epoch. */
  | {
      readonly kind: 'chain';
      readonly epoch: Epoch;
      /** Epoch of the latest certificate; undefined when there is none (not even a genesis). */
      readonly latestCertificateEpoch: Epoch | undefined;
      /** The certificate the epoch's certificates link to: the first of the epoch, else the first of the previous one. */
      readonly master: { readonly epoch: Epoch; readonly genesis: boolean } | undefined;
      /** Whether signers were recorded for E−1 (they sign now) and for E (announced as next). */
      readonly currentSigners: boolean;
      readonly nextSigners: boolean;
      /** Devnet only: a genesis signer is configured to bootstrap the chain. */
      readonly genesisBootstrap: boolean;
      /** Messages open in the epoch. */
      readonly openMessages: number;
    }
  /** What there is to sign was opened; `openMessages` are open in the epoch now. */
  | { readonly kind: 'messages-opened'; readonly epoch: Epoch; readonly openMessages: number }
  /** An aggregation sealed a certificate; `openMessages` are left open in the epoch. */
  | { readonly kind: 'certificate-sealed'; readonly epoch: Epoch; readonly openMessages: number }
  /** A command of the cycle failed; `consecutiveFailures` counts this one. */
  | { readonly kind: 'cycle-failed'; readonly consecutiveFailures: number; readonly maxConsecutiveFailures: number; readonly error: string };

export type ChainObservation = Extract<Observation, { readonly kind: 'chain' }>;

/** What the runner must do, in order. */
export type Command =
  /** Log the new state and emit the `state` event. */
  | { readonly kind: 'report-state'; readonly state: AggregatorState }
  /** Read the chain's tip; observe `tip`. */
  | { readonly kind: 'read-tip' }
  /** Forget the rounds of the last epoch, expire its open messages, load the epoch's context (stake, parameters, signer sets). */
  | { readonly kind: 'enter-epoch'; readonly epoch: Epoch }
  /** Drop per-epoch state older than the retention window (certificates stay). */
  | { readonly kind: 'prune'; readonly epoch: Epoch }
  /** Log the entered epoch and emit the `epoch` event. */
  | { readonly kind: 'announce-epoch'; readonly epoch: Epoch }
  /** Read what the `chain` observation needs. */
  | { readonly kind: 'observe-chain' }
  /** Devnet only: sign and save a genesis certificate for the epoch. */
  | { readonly kind: 'bootstrap-genesis'; readonly epoch: Epoch }
  /** Open a message for each configured signed entity with something new; observe `messages-opened`. */
  | { readonly kind: 'open-messages'; readonly epoch: Epoch }
  /** Try to aggregate each open message of the epoch again (one aggregation at a time per message). */
  | { readonly kind: 'retry-aggregations'; readonly epoch: Epoch };

export interface Transition {
  readonly state: AggregatorState;
  readonly commands: readonly Command[];
}

export function transition(state: AggregatorState, observation: Observation): Transition {
  if (state.kind === 'broken') return { state, commands: [] };
  switch (observation.kind) {
    case 'cycle-due':
      return { state, commands: [{ kind: 'read-tip' }] };
    case 'tip': {
      const { epoch, enteredEpoch, eraRefusal } = observation;
      // Checked before the epoch is entered: nothing of an era this binary does not know is opened or sealed.
      if (eraRefusal !== undefined) return become(state, { kind: 'blocked', epoch, reason: eraRefusal.reason, detail: eraRefusal.message }, []);
      if (enteredEpoch !== undefined && epoch <= enteredEpoch) return { state, commands: [{ kind: 'observe-chain' }] };
      return become(state, { kind: 'idle' }, [
        { kind: 'enter-epoch', epoch },
        { kind: 'prune', epoch },
        { kind: 'announce-epoch', epoch },
        { kind: 'observe-chain' },
      ]);
    }
    case 'chain':
      return chainTransition(state, observation);
    case 'messages-opened': {
      const { epoch, openMessages } = observation;
      const next: AggregatorState = openMessages > 0 ? { kind: 'signing', epoch, openMessages } : state;
      return become(state, next, [{ kind: 'retry-aggregations', epoch }]);
    }
    case 'certificate-sealed': {
      if (state.kind !== 'ready' && state.kind !== 'signing') return { state, commands: [] };
      return become(state, roundsState(observation.epoch, observation.openMessages), []);
    }
    case 'cycle-failed': {
      const { consecutiveFailures, maxConsecutiveFailures, error } = observation;
      if (consecutiveFailures < maxConsecutiveFailures) return { state, commands: [] };
      return become(state, { kind: 'broken', error: `${consecutiveFailures} consecutive failures, last: ${error}` }, []);
    }
  }
}

/** Ready when the chain can be continued in this epoch; blocked (with the reason) otherwise. */
function chainTransition(state: AggregatorState, chain: ChainObservation): Transition {
  const { epoch, latestCertificateEpoch: latest, master } = chain;
  if (latest === undefined || latest + 1n < epoch) {
    if (chain.genesisBootstrap && chain.nextSigners) return { state, commands: [{ kind: 'bootstrap-genesis', epoch }, { kind: 'observe-chain' }] };
    return become(state, { kind: 'blocked', epoch, reason: latest === undefined ? 'no-genesis' : 'epoch-gap' }, []);
  }
  if (master === undefined) return become(state, { kind: 'blocked', epoch, reason: 'epoch-gap' }, []);
  if (master.epoch === epoch && master.genesis) return become(state, { kind: 'blocked', epoch, reason: 'genesis-epoch' }, []);
  if (!chain.currentSigners || !chain.nextSigners) return become(state, { kind: 'blocked', epoch, reason: 'no-signers' }, []);
  return become(state, roundsState(epoch, chain.openMessages), [{ kind: 'open-messages', epoch }]);
}

function roundsState(epoch: Epoch, openMessages: number): AggregatorState {
  return openMessages > 0 ? { kind: 'signing', epoch, openMessages } : { kind: 'ready', epoch };
}

/** The next state, reported first when its description differs from the current one. */
function become(from: AggregatorState, to: AggregatorState, commands: readonly Command[]): Transition {
  if (describeState(to) === describeState(from)) return { state: to, commands };
  return { state: to, commands: [{ kind: 'report-state', state: to }, ...commands] };
}
