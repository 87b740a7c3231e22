/**
 * Where the devnet puts things under its root directory:
 *
 *   devnet.json                              parameters, genesis time and pool ids of this devnet
 *   pools/pool-<i>/                          cold.skey cold.vkey kes.skey kes.vkey opcert.cert pool-id.txt
 *   nodes/pool-<i>/db/immutable/             NNNNN.chunk NNNNN.primary NNNNN.secondary
 *   nodes/pool-<i>/db/ledger/<slot>/         state tables/tvar meta (the two newest ledger snapshots)
 *   cardano-cli/tip.json                     `cardano-cli query tip`
 *   cardano-cli/stake-snapshot-<epoch>.json  `cardano-cli query stake-snapshot --all-stake-pools`
 *   cardano-cli/kes-period-info-pool-<i>.json `cardano-cli query kes-period-info`
 */
import { join } from 'node:path';

export interface DevnetLayout {
  readonly root: string;
  readonly configFile: string;
  readonly cardanoCliDirectory: string;
  readonly tipFile: string;
  stakeSnapshotFile(epoch: bigint): string;
  kesPeriodInfoFile(pool: number): string;
  poolDirectory(pool: number): string;
  nodeDatabaseDirectory(pool: number): string;
  immutableDirectory(pool: number): string;
  ledgerDirectory(pool: number): string;
}

export function devnetLayout(root: string): DevnetLayout {
  const cardanoCliDirectory = join(root, 'cardano-cli');
  const nodeDatabaseDirectory = (pool: number) => join(root, 'nodes', `pool-${pool}`, 'db');
  return Object.freeze({
    root,
    configFile: join(root, 'devnet.json'),
    cardanoCliDirectory,
    tipFile: join(cardanoCliDirectory, 'tip.json'),
    stakeSnapshotFile: (epoch: bigint) => join(cardanoCliDirectory, `stake-snapshot-${epoch}.json`),
    kesPeriodInfoFile: (pool: number) => join(cardanoCliDirectory, `kes-period-info-pool-${pool}.json`),
    poolDirectory: (pool: number) => join(root, 'pools', `pool-${pool}`),
    nodeDatabaseDirectory,
    immutableDirectory: (pool: number) => join(nodeDatabaseDirectory(pool), 'immutable'),
    ledgerDirectory: (pool: number) => join(nodeDatabaseDirectory(pool), 'ledger'),
  });
}
