/** The reads behind the state machine's `chain` observation: whether the certificate chain can be continued in the entered epoch. */
import type { AggregatorStore } from '../store/index.js';
import type { EpochContext } from './epoch-context.js';
import type { ChainObservation } from './state-machine.js';

/** What the state machine's chain observation needs: the latest certificate, the epoch's master certificate, the signers, the open messages. */
export async function observeChain(store: AggregatorStore, context: EpochContext, genesisBootstrap: boolean): Promise<ChainObservation> {
  const { epoch, settings } = context;
  const [latest] = await store.certificates.latest({ limit: 1 });
  // Without any certificate there is no master to look for (and no epoch −1 to look in at epoch 0).
  const master = latest === undefined ? null : ((await store.certificates.firstOfEpoch(epoch)) ?? (await store.certificates.firstOfEpoch(epoch - 1n)));
  const open = await store.openMessages.list({ epoch });
  return {
    kind: 'chain',
    epoch,
    latestCertificateEpoch: latest?.epoch,
    master: master === null ? undefined : { epoch: master.epoch, genesis: master.previousHash === '' },
    currentSigners: settings.currentSigners !== undefined,
    nextSigners: settings.nextSigners !== undefined,
    genesisBootstrap,
    openMessages: open.length,
  };
}
