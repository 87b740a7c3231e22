/**
 * A registration made from a devnet pool's key files, as an SPO's signer would make it, is
 * accepted by the certifier's rules at the devnet's tip, and the pool has stake in the epoch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KesSigningKey, kesEvolutionAt, operationalCertificateFromTextEnvelope, operationalCertificateToCbor } from '@mithril-ts/cardano';
import { parseCardanoCliStakeSnapshot as parseStakeSnapshot, parseCardanoCliTip as parseTip } from '@mithril-ts/cardano';
import { parseRegistration, stakeOf, verifyRegistration, CertificationError } from '@mithril-ts/certifier';
import { parseJson } from '@mithril-ts/codec';
import { Devnet, type DevnetPoolInfo } from '../src/index.js';
import { GENESIS_MS, atSlot, tempRoot } from './helpers.js';

/** Stands for a Mithril verification key and its proof of possession (192 bytes). */
const MITHRIL_KEY = Uint8Array.from({ length: 192 }, (_, i) => (i * 7 + 3) & 0xff);

function registration(pool: DevnetPoolInfo, slot: bigint, slotsPerKesPeriod: number, epoch: bigint, evolution?: number) {
  const read = (name: string) => readFileSync(join(pool.keysDirectory, name), 'utf8');
  const opcert = operationalCertificateFromTextEnvelope(read('opcert.cert'));
  const kes = KesSigningKey.fromTextEnvelope(read('kes.skey'));
  const kesEvolutions = evolution ?? kesEvolutionAt(slot, BigInt(slotsPerKesPeriod), opcert.startKesPeriod);
  kes.evolveTo(kesEvolutions);
  const [partyId] = read('pool-id.txt').split('\n');
  return {
    epoch,
    partyId: partyId as string,
    verificationKey: MITHRIL_KEY,
    verificationKeySignature: kes.sign(MITHRIL_KEY),
    operationalCertificate: operationalCertificateToCbor(opcert),
    kesEvolutions,
  };
}

describe('devnet pools register with the certifier', () => {
  it('accepts a registration signed with the KES key evolved to the current period, at the tip slot', async () => {
    const root = tempRoot();
    const devnet = await Devnet.create(root, { pools: 3 }, { genesisTimeMs: GENESIS_MS });
    await devnet.advanceTo(atSlot(327, 40)); // epoch 3, KES period 6
    const chain = join(root, 'cardano-cli');
    const tip = parseTip(parseJson(readFileSync(join(chain, 'tip.json'), 'utf8')));
    expect(tip.slot).toBe(327n);
    const { slotsPerKesPeriod } = devnet.parameters;
    const stake = parseStakeSnapshot(parseJson(readFileSync(join(chain, `stake-snapshot-${tip.epoch}.json`), 'utf8')));

    for (const pool of devnet.pools) {
      const request = registration(pool, tip.slot, slotsPerKesPeriod, tip.epoch);
      expect(request.kesEvolutions).toBe(6);
      const certified = verifyRegistration(parseRegistration(request), tip.slot, BigInt(slotsPerKesPeriod));
      expect(certified.hex).toBe(pool.poolId.hex);
      expect(stakeOf(stake, certified, tip.epoch)).toBeGreaterThan(0n);
    }

    // The window is the current evolution ± 1: a key left two periods behind is refused.
    const [first] = devnet.pools as [DevnetPoolInfo];
    expect(() =>
      verifyRegistration(parseRegistration(registration(first, tip.slot, slotsPerKesPeriod, tip.epoch, 4)), tip.slot, BigInt(slotsPerKesPeriod)),
    ).toThrow(CertificationError);
    expect(verifyRegistration(parseRegistration(registration(first, tip.slot, slotsPerKesPeriod, tip.epoch, 5)), tip.slot, BigInt(slotsPerKesPeriod)).hex).toBe(
      first.poolId.hex,
    );
  });
});
