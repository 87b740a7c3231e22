/** The protocol parameters in force for each epoch (the epoch settings the aggregator publishes). */
import type { Epoch, ProtocolParameters } from '@mithril-ts/protocol';
import { bigintArg } from './columns.js';
import { AggregatorStoreError } from './errors.js';
import { PrismaRepository } from './repository.js';

export interface EpochSettingsRecord {
  readonly epoch: Epoch;
  readonly protocolParameters: ProtocolParameters;
}

export interface EpochSettingsRepository {
  /** Inserts or replaces the settings of an epoch. */
  save(settings: EpochSettingsRecord): Promise<void>;
  get(epoch: Epoch): Promise<EpochSettingsRecord | null>;
}

export class PrismaEpochSettingsRepository extends PrismaRepository implements EpochSettingsRepository {
  save(settings: EpochSettingsRecord): Promise<void> {
    return this.run('save epoch settings', async () => {
      const epoch = bigintArg(settings.epoch, 'epoch');
      const { k, m, phiF } = settings.protocolParameters;
      if (typeof phiF !== 'number' || !(phiF > 0 && phiF <= 1)) throw new AggregatorStoreError('INVALID_ARGUMENT', 'phi_f must be in (0, 1]');
      const data = { k: bigintArg(k, 'k'), m: bigintArg(m, 'm'), phiF };
      await this.client.epochSettings.upsert({ where: { epoch }, create: { epoch, ...data }, update: data });
    });
  }

  get(epoch: Epoch): Promise<EpochSettingsRecord | null> {
    return this.run('get epoch settings', async () => {
      const row = await this.client.epochSettings.findUnique({ where: { epoch: bigintArg(epoch, 'epoch') } });
      return row === null ? null : { epoch: row.epoch, protocolParameters: { k: row.k, m: row.m, phiF: row.phiF } };
    });
  }
}
