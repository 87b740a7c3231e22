/**
 * The devnet behind the two live chain observers, without the services: the stand-in cardano-cli
 * and the Ogmios double answer one chain (tip, stake, the era markers datum), read through the
 * services' own observers and era reader.
 */
import { CardanoChainEraReader, createChainObserver } from '@mithril-ts/service-kit';
import { decodeEraMarkersVerificationKey } from '@mithril-ts/protocol';
import { Devnet, devnetChainAccess } from '../src/index.js';
import { publishEraMarkers } from '../src/launcher/era.js';
import { GENESIS_MS, atSlot, tempRoot } from './helpers.js';

const MARKERS = [
  { name: 'pythagoras', epoch: 0n },
  { name: 'lagrange', epoch: 12n },
];

describe('devnet chain access', () => {
  it('answers the same tip, stake and era markers through cardano-cli and Ogmios', async () => {
    const devnet = await Devnet.create(tempRoot('devnet-observers-'), { pools: 3, slotsPerEpoch: 20 }, { genesisTimeMs: GENESIS_MS });
    await devnet.advanceTo(atSlot(45));
    const era = await publishEraMarkers(devnet.layout.cardanoCliDirectory, MARKERS);
    const accesses = [await devnetChainAccess(devnet, 'cardano-cli'), await devnetChainAccess(devnet, 'ogmios')];
    const observers = accesses.map((access) => createChainObserver(access.settings));
    try {
      const [cli, ogmios] = observers.map((observer) => observer.chain) as [(typeof observers)[0]['chain'], (typeof observers)[0]['chain']];
      const [cliTip, ogmiosTip] = await Promise.all([cli.currentTip(), ogmios.currentTip()]);
      expect(cliTip).toMatchObject({ epoch: 2n, slot: 45n, era: 'Conway', syncProgress: 100 });
      expect(ogmiosTip).toMatchObject({ epoch: 2n, slot: 45n, hash: cliTip.hash, era: 'Conway' });
      const present = await cli.stakeDistribution(2n);
      expect(present?.size).toBe(3);
      expect(await ogmios.stakeDistribution(2n)).toEqual(present);
      // The epoch just left: cardano-cli's set snapshot is the mark the files observer reads for it.
      const files = createChainObserver({ chainObserver: 'files', chainDirectory: devnet.layout.cardanoCliDirectory });
      expect(await cli.stakeDistribution(1n)).toEqual(await files.chain.stakeDistribution(1n));
      // The era markers: a signed datum read back through each observer (Ogmios' as CBOR).
      const key = decodeEraMarkersVerificationKey(era.eraMarkersVerificationKey);
      for (const observer of observers) expect(await new CardanoChainEraReader(observer.datums, era.eraMarkersAddress, key).read()).toEqual(MARKERS);
    } finally {
      await Promise.all(observers.map((observer) => observer.close()));
      await Promise.all(accesses.map((access) => access.stop()));
    }
  });
});
