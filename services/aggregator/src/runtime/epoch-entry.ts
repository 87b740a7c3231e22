/**
 * Entering an epoch: what was open in past epochs expires, the epoch's context is loaded (see
 * epoch-context.ts), and per-epoch state older than the retention window is pruned.
 */
import type { ChainObserver } from '@mithril-ts/cardano';
import type { Epoch, ProtocolParametersSchedule } from '@mithril-ts/protocol';
import type { Logger } from '@mithril-ts/service-kit';
import type { AggregatorStore } from '../store/index.js';
import { loadEpochContext, type EpochContext, type SignerSetCache } from './epoch-context.js';

export interface EpochEntryOptions {
  readonly store: AggregatorStore;
  readonly chain: ChainObserver;
  readonly schedule: ProtocolParametersSchedule;
  /** Signer sets closed in earlier epochs, reused (see SignerSetCache). */
  readonly signerSets: SignerSetCache;
}

export async function enterEpoch(options: EpochEntryOptions, epoch: Epoch): Promise<EpochContext> {
  const { store } = options;
  // Messages of past epochs can no longer be certified (their signers have changed).
  for (const message of await store.openMessages.list()) {
    if (message.epoch < epoch) await store.openMessages.markExpired(message.id);
  }
  return loadEpochContext(store, options.chain, options.schedule, epoch, options.signerSets);
}

/** Keeps `retentionEpochs` epochs of registrations, stake, messages and signatures; certificates stay. */
export async function pruneEpochs(store: AggregatorStore, epoch: Epoch, retentionEpochs: bigint, logger: Logger): Promise<void> {
  if (epoch < retentionEpochs) return;
  const pruned = await store.prune({ currentEpoch: epoch, epochsToKeep: retentionEpochs });
  logger.debug({ pruned }, 'pruned old epochs');
}
