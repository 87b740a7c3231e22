/** `GET /status`: the reference's AggregatorStatusMessage, from the aggregator's GetAggregatorStatus. */
import { aggregatorStatusFromProto } from '@mithril-ts/proto';
import type * as proto from '@mithril-ts/proto';

/**
 * The reference requires `cardano_era`; an aggregator whose node reports no era (a tip without
 * `era`) sends none, and this word says so rather than an empty string a reader could take for a name.
 */
export const UNKNOWN_CARDANO_ERA = 'unknown';

export function aggregatorStatusMessage(response: proto.GetAggregatorStatusResponse): Record<string, unknown> {
  // Strict (libs/proto): an answer missing a field the reference requires is not served.
  const status = aggregatorStatusFromProto(response.status);
  const parameters = ({ k, m, phiF }: { k: bigint; m: bigint; phiF: number }) => ({ k, m, phi_f: phiF });
  return {
    epoch: status.epoch,
    cardano_era: status.cardanoEra ?? UNKNOWN_CARDANO_ERA,
    cardano_network: status.cardanoNetwork,
    mithril_era: status.mithrilEra,
    cardano_node_version: status.cardanoNodeVersion,
    aggregator_node_version: status.aggregatorNodeVersion,
    protocol: parameters(status.currentParameters),
    next_protocol: parameters(status.nextParameters),
    total_signers: status.currentSigners.count,
    total_next_signers: status.nextSigners.count,
    total_stakes_signers: status.currentSigners.stake,
    total_next_stakes_signers: status.nextSigners.stake,
    total_cardano_spo: status.cardanoStake.count,
    total_cardano_stake: status.cardanoStake.stake,
  };
}
