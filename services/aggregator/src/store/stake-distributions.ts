/** The Cardano stake distribution of each epoch, per pool. */
import type { Epoch } from '@mithril-ts/protocol';
import { bigintArg, textArg } from './columns.js';
import { AggregatorStoreError } from './errors.js';
import { PrismaRepository } from './repository.js';

export interface StakeEntry {
  readonly partyId: string;
  readonly stake: bigint;
}

export interface StakeDistributionRepository {
  /** Replaces the stake distribution of an epoch. */
  save(epoch: Epoch, entries: readonly StakeEntry[]): Promise<void>;
  /** The stake distribution of an epoch, ordered by party id (empty when unknown). */
  get(epoch: Epoch): Promise<StakeEntry[]>;
}

export class PrismaStakeDistributionRepository extends PrismaRepository implements StakeDistributionRepository {
  save(epoch: Epoch, entries: readonly StakeEntry[]): Promise<void> {
    return this.run('save stake distribution', async () => {
      const e = bigintArg(epoch, 'epoch');
      const seen = new Set<string>();
      const data = entries.map((entry) => {
        const partyId = textArg(entry.partyId, 'party id');
        if (seen.has(partyId)) throw new AggregatorStoreError('INVALID_ARGUMENT', `stake distribution of epoch ${e} lists ${partyId} twice`);
        seen.add(partyId);
        return { epoch: e, partyId, stake: bigintArg(entry.stake, 'stake') };
      });
      await this.client.$transaction([this.client.stakeDistribution.deleteMany({ where: { epoch: e } }), this.client.stakeDistribution.createMany({ data })]);
    });
  }

  get(epoch: Epoch): Promise<StakeEntry[]> {
    return this.run('get stake distribution', async () => {
      const rows = await this.client.stakeDistribution.findMany({ where: { epoch: bigintArg(epoch, 'epoch') }, orderBy: { partyId: 'asc' } });
      return rows.map((row) => ({ partyId: row.partyId, stake: row.stake }));
    });
  }
}
