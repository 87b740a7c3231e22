/**
 * The aggregator's status (the reference's GET /status), from its own state: the current epoch's
 * context (parameters, signer sets, the epoch's stake distribution), the era of the last tip its
 * chain observer read, and its settings (network, cardano-node version). A follower replica
 * answers it too, from the context and tip it reads itself (leadership/follower-view.ts).
 */
import type * as proto from '@mithril-ts/proto';
import { aggregatorStatusToProto } from '@mithril-ts/proto';
import { SUPPORTED_ERAS, stakeTally, type StakeTally } from '@mithril-ts/protocol';
import type { EpochContext } from '../runtime/epoch-context.js';
import type { ServingNode, Unary } from './shared.js';

/** What the status reports that the runtime does not know. */
export interface StatusSettings {
  readonly network: string;
  /** The cardano-node version the chain observer talks to (the aggregator's `cardanoNodeVersion` setting). */
  readonly cardanoNodeVersion: string;
  readonly nodeVersion: string;
}

/**
 * The aggregator runs the one Mithril era it supports (libs/protocol SUPPORTED_ERAS); while the
 * era markers make another one active it is blocked (unsupported-era) and takes nothing, so the
 * era it reports is that one.
 */
const MITHRIL_ERA = SUPPORTED_ERAS[0];

interface EpochTallies {
  readonly currentSigners: StakeTally;
  readonly nextSigners: StakeTally;
  readonly cardanoStake: StakeTally;
}

export function statusHandlers(node: Pick<ServingNode, 'context' | 'cardanoEra'>, settings: StatusSettings, unary: Unary) {
  // Cheap to poll (dashboards, probes): the sums over thousands of pools are made once per epoch.
  const talliesOf = new WeakMap<EpochContext, EpochTallies>();
  const tallies = (context: EpochContext): EpochTallies => {
    let found = talliesOf.get(context);
    if (found === undefined) {
      found = {
        currentSigners: stakeTally(context.currentRecords.map((record) => record.stake)),
        nextSigners: stakeTally(context.nextRecords.map((record) => record.stake)),
        // The epoch's distribution as the registrations of this epoch are checked against (pools with stake).
        cardanoStake: stakeTally(context.registrationStake.values()),
      };
      talliesOf.set(context, found);
    }
    return found;
  };
  return {
    getAggregatorStatus: unary<proto.GetAggregatorStatusRequest, proto.GetAggregatorStatusResponse>('GetAggregatorStatus', async () => {
      const context = node.context; // NOT_READY until the first epoch is entered (or, on a follower, read from the store)
      return {
        status: aggregatorStatusToProto({
          epoch: context.epoch,
          cardanoEra: node.cardanoEra,
          cardanoNetwork: settings.network,
          mithrilEra: MITHRIL_ERA,
          cardanoNodeVersion: settings.cardanoNodeVersion,
          aggregatorNodeVersion: settings.nodeVersion,
          currentParameters: context.settings.currentParameters,
          nextParameters: context.settings.nextParameters,
          ...tallies(context),
        }),
      };
    }),
  };
}
