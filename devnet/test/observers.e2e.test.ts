/**
 * The network with every service reading the chain through a live chain observer, once behind the
 * devnet's stand-in cardano-cli (a process per query, as beside a node) and once behind the Ogmios
 * double: each certifies three epochs, and the certificates verify back to genesis. Short epochs
 * (10 s) and three pools keep each run near a minute on an idle machine (minutes on a loaded one).
 * Registrations may straddle the short epochs' boundaries, which the observers answer from the
 * stake they keep for the epoch just left (cardano-cli's set snapshot, Ogmios' read on entry).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateChainVerifier, decodeGenesisVerificationKey, type Certificate } from '@mithril-ts/protocol';
import type { ChainObserverKind } from '../src/index.js';
import { MithrilNetwork, type NetworkEvent } from '../src/launcher/network.js';
import { tempRoot } from './helpers.js';

const DEVNET = { pools: 3, slotLengthMs: 100, slotsPerEpoch: 100, immutableFileEverySlots: 20 };
const SCHEDULE = [{ fromEpoch: 0n, k: 10n, m: 50n, phiF: 0.65 }];

async function certifiesThreeEpochs(chainObserver: ChainObserverKind): Promise<void> {
  const root = tempRoot(`observer-${chainObserver}-`);
  const events: NetworkEvent[] = [];
  const network = await MithrilNetwork.start({
    root,
    devnet: DEVNET,
    protocolParameters: SCHEDULE,
    signerRunIntervalMs: 200,
    aggregatorRunIntervalMs: 200,
    insecure: true,
    chainObserver,
    onEvent: (event) => events.push(event),
  });
  try {
    const certificates = () => events.flatMap((e) => (e.type === 'certificate' ? [e.certificate] : []));
    const certifiedEpochs = () =>
      new Set(
        certificates()
          .filter((c) => c.previousHash !== '')
          .map((c) => c.epoch),
      );
    const deadline = Date.now() + 540_000;
    while (certifiedEpochs().size < 3) {
      if (Date.now() > deadline) {
        const waits = events.flatMap((e) => (e.type === 'signer' && 'reason' in e.event ? [String(e.event.reason)] : [])).slice(-5);
        throw new Error(`certified epochs ${[...certifiedEpochs()].join(', ')} only; last signer waits: ${waits.join(' | ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const all = certificates();
    const byHash = new Map<string, Certificate>(all.map((c) => [c.hash, c]));
    const genesisKey = decodeGenesisVerificationKey(readFileSync(join(root, 'genesis', 'genesis.vkey'), 'utf8').trim());
    const latest = all[all.length - 1]!;
    const result = await new CertificateChainVerifier(genesisKey).verifyChain(latest.hash, { getCertificate: async (hash) => byHash.get(hash) });
    expect(result.endedAt.kind).toBe('genesis');
    // The stake the certificates carry is the devnet's mark stake, read through the observer.
    expect(latest.metadata.signers.every((s) => s.stake > 0n)).toBe(true);
  } finally {
    await network.stop();
  }
}

// Generous deadlines, not retries: on a loaded machine process spawns and cycles take seconds, and
// the devnet's clock then runs slower with the services (it never steps more than 2 s at once).
describe('Mithril network behind a live chain observer', () => {
  it('certifies three epochs with every service running the devnet cardano-cli', () => certifiesThreeEpochs('cardano-cli'), 600_000);
  it('certifies three epochs with every service asking the Ogmios double', () => certifiesThreeEpochs('ogmios'), 600_000);
});
