/**
 * Era switches on a devnet (6 s epochs): markers published on chain (a signed datum) say thales
 * until epoch 2, pythagoras (this binary's era) from 2, lagrange from 7. Nothing is registered or
 * signed before epoch 2; the network certifies in pythagoras; from epoch 7 the aggregator is blocked
 * and every signer stops, each naming the era, before anything of epoch 7 is signed.
 */
import { MithrilNetwork, type NetworkEvent } from '../src/launcher/network.js';
import { tempRoot } from './helpers.js';

const DEVNET = { pools: 5, slotLengthMs: 100, slotsPerEpoch: 60, immutableFileEverySlots: 20 };
const MARKERS = [
  { name: 'thales', epoch: 0n },
  { name: 'pythagoras', epoch: 2n },
  { name: 'lagrange', epoch: 7n },
];

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number, explain: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Mithril eras on a devnet', () => {
  it('signs from the epoch its era activates and stops at the epoch an unsupported one does', async () => {
    const events: NetworkEvent[] = [];
    const network = await MithrilNetwork.start({
      root: tempRoot('devnet-era-'),
      devnet: DEVNET,
      protocolParameters: [{ fromEpoch: 0n, k: 12n, m: 50n, phiF: 0.65 }],
      signerRunIntervalMs: 100,
      aggregatorRunIntervalMs: 100,
      insecure: true,
      eraMarkers: MARKERS,
      onEvent: (event) => events.push(event),
    });
    try {
      const lagrange = 'Mithril era lagrange is active since epoch 7 and this binary supports only pythagoras: upgrade it';
      const stoppedSigners = () =>
        new Set(
          events.flatMap((e) =>
            e.type === 'signer' && e.event.type === 'waiting' && e.event.reason === 'unsupported-era' && e.event.message.startsWith(lagrange) ? [e.pool] : [],
          ),
        );
      await waitFor(
        'the aggregator blocked in lagrange and every signer stopped',
        () =>
          // Epoch 7, or a later one when a loaded machine skipped a tip.
          events.some(
            (e) => e.type === 'aggregator-state' && /^blocked: unsupported-era \(epoch \d+\): /.test(e.description) && e.description.endsWith(lagrange),
          ) && stoppedSigners().size === DEVNET.pools
            ? true
            : undefined,
        300_000,
        () =>
          JSON.stringify(
            events.filter((e) => e.type === 'aggregator-state' || e.type === 'epoch' || (e.type === 'signer' && e.event.type === 'waiting')).slice(-40),
            (_, v: unknown) => (typeof v === 'bigint' ? `${v}` : v),
          ),
      );
      // Before pythagoras: refused with thales named, nothing registered.
      expect(
        events.some(
          (e) =>
            e.type === 'aggregator-state' && e.description.includes('unsupported-era') && e.description.includes('Mithril era thales is active since epoch 0'),
        ),
      ).toBe(true);
      const registrations = events.flatMap((e) => (e.type === 'registration' ? [e.recordingEpoch] : []));
      expect(registrations.length).toBeGreaterThan(0);
      expect(registrations.reduce((a, b) => (b < a ? b : a))).toBe(3n); // first registered during epoch 2
      // Pythagoras: certified; lagrange: nothing of epoch 7 signed or sealed.
      const certified = new Set(events.flatMap((e) => (e.type === 'certificate' && e.certificate.previousHash !== '' ? [e.certificate.epoch] : [])));
      expect([...certified].sort()).toEqual([4n, 5n, 6n]);
      expect(events.some((e) => e.type === 'signature' && e.epoch >= 7n)).toBe(false);
      expect(events.some((e) => e.type === 'signer' && e.event.type === 'signed' && e.event.signedEntityType.epoch >= 7n)).toBe(false);
    } finally {
      await network.stop();
    }
  }, 360_000);
});
