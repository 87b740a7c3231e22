/**
 * Entering an epoch: what was open in past epochs expires, the epoch's context is loaded (see
 * epoch-context.ts), and per-epoch state older than the retention window is pruned.
 */
import type { ChainObserver } from '@mithril-ts/cardano';
import type { Epoch, EpochKeyCache, ProtocolParametersSchedule } from '@mithril-ts/protocol';
import type { Logger } from '@mithril-ts/service-kit';
import type { AggregatorStore } from '../store/index.js';
import { loadEpochContext, type EpochContext, type SignerSetCache } from './epoch-context.js';

export interface EpochEntryOptions {
  readonly store: AggregatorStore;
  readonly chain: ChainObserver;
  readonly schedule: ProtocolParametersSchedule;
  /** Signer sets closed in earlier epochs, reused (see SignerSetCache). */
  readonly signerSets: SignerSetCache;
  /** Keys decoded (and PoP-checked) at registration: the sets close without decoding them again. */
  readonly keys: EpochKeyCache;
}

export async function enterEpoch(options: EpochEntryOptions, epoch: Epoch): Promise<EpochContext> {
  const { store } = options;
  // Messages of past epochs can no longer be certified (their signers have changed).
  for (const message of await store.openMessages.list()) {
    if (message.epoch < epoch) await store.openMessages.markExpired(message.id);
  }
  // Sets of recording epochs E−1 and E are closed while in E (and kept in signerSets); registrations go to E+1.
  options.keys.evictBefore(epoch - 1n);
  return loadEpochContext(store, options.chain, options.schedule, epoch, options.signerSets, { keys: options.keys });
}

/** Keeps `retentionEpochs` epochs of registrations, stake, messages and signatures; certificates stay. */
export async function pruneEpochs(store: AggregatorStore, epoch: Epoch, retentionEpochs: bigint, logger: Logger): Promise<void> {
  if (epoch < retentionEpochs) return;
  const pruned = await store.prune({ currentEpoch: epoch, epochsToKeep: retentionEpochs });
  logger.debug({ pruned }, 'pruned old epochs');
}
