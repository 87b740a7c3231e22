/**
 * What `cardano-cli` prints for the queries a Mithril chain observer makes, computed from the
 * devnet's state instead of asked of a node. Pure: text in, text out.
 *
 *   tip.json                       `cardano-cli query tip`
 *   stake-snapshot-<epoch>.json    `cardano-cli query stake-snapshot --all-stake-pools`, taken
 *                                  during <epoch>: mark = stake of <epoch>, set = of <epoch>−1,
 *                                  go = of <epoch>−2 (before epoch 0, the genesis staking, i.e.
 *                                  epoch 0's distribution, fills every snapshot)
 *   kes-period-info-pool-<i>.json  `cardano-cli query kes-period-info --op-cert-file …`
 *
 * Field names and their computation follow cardano-cli (Cardano.CLI.Type.Output
 * QueryKesPeriodInfoOutput, and its kes-period-info command): end = start + maxKESEvolutions,
 * remaining slots = end · slotsPerKesPeriod − slot while start ≤ current < end, else null.
 */
import { toHex } from '@mithril-ts/codec';
import type { OperationalCertificate, PoolId } from '@mithril-ts/cardano';
import { prettyJson } from './json.js';
import type { DevnetParameters } from './parameters.js';
import type { ChainPosition } from './position.js';
import { stakeDistribution } from './stake.js';

export const ERA = 'Conway';

/**
 * `cardano-cli query tip` at `position`, whose block has header hash `tipHash` (the last block of
 * the immutable files written for it): the node is the chain, so it is always 100 % synced.
 */
export function tipJson(position: ChainPosition, tipHash: Uint8Array): string {
  return prettyJson({
    block: position.blockNumber,
    epoch: position.epoch,
    era: ERA,
    hash: toHex(tipHash),
    slot: position.slot,
    slotInEpoch: position.slotInEpoch,
    slotsToEpochEnd: position.slotsToEpochEnd,
    syncProgress: '100.00',
  });
}

/** `cardano-cli query stake-snapshot --all-stake-pools` during `epoch`; `poolIds[i]` is pool i+1. */
export function stakeSnapshotJson(params: DevnetParameters, poolIds: readonly PoolId[], epoch: bigint): string {
  const mark = stakeDistribution(params, epoch);
  const set = stakeDistribution(params, epoch >= 1n ? epoch - 1n : 0n);
  const go = stakeDistribution(params, epoch >= 2n ? epoch - 2n : 0n);
  const sum = (stakes: bigint[]) => stakes.reduce((a, b) => a + b, 0n);
  const pools: Record<string, { stakeGo: bigint; stakeMark: bigint; stakeSet: bigint }> = {};
  poolIds.forEach((poolId, i) => {
    pools[poolId.hex] = { stakeGo: go[i] as bigint, stakeMark: mark[i] as bigint, stakeSet: set[i] as bigint };
  });
  return prettyJson({ pools, total: { stakeGo: sum(go), stakeMark: sum(mark), stakeSet: sum(set) } });
}

/** `cardano-cli query kes-period-info` for a pool whose node runs with `opcert`. */
export function kesPeriodInfoJson(
  params: DevnetParameters,
  position: ChainPosition,
  opcert: Pick<OperationalCertificate, 'issueNumber' | 'startKesPeriod'>,
): string {
  const slotsPerKesPeriod = BigInt(params.slotsPerKesPeriod);
  const start = opcert.startKesPeriod;
  const end = start + BigInt(params.maxKesEvolutions);
  const current = position.kesPeriod;
  const within = start <= current && current < end;
  return prettyJson({
    qKesCurrentKesPeriod: current,
    qKesEndKesInterval: end,
    // cardano-cli fills this from the system start when it knows it; the devnet leaves it null.
    qKesKesKeyExpiry: null,
    qKesMaxKESEvolutions: params.maxKesEvolutions,
    // Every devnet pool forges with its opcert from the first block on.
    qKesNodeStateOperationalCertificateNumber: opcert.issueNumber,
    qKesOnDiskOperationalCertificateNumber: opcert.issueNumber,
    qKesRemainingSlotsInKesPeriod: within ? end * slotsPerKesPeriod - position.slot : null,
    qKesSlotsPerKesPeriod: params.slotsPerKesPeriod,
    qKesStartKesInterval: start,
  });
}
