import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics, trace } from '@opentelemetry/api';
import { ColdSigningKey, KesSigningKey, issueOperationalCertificate, operationalCertificateToCbor } from '@mithril-ts/cardano';
import { CardanoCliFilesChainObserver, createLogger } from '@mithril-ts/service-kit';
import { Certifier, CertificationError, JsonFileCounterStore, type RegistrationRequest } from '../src/index.js';
import { CURRENT_SLOT, EPOCH, SLOTS_PER_KES_PERIOD, chainDirectory, testPool } from '@mithril-ts/testkit';

const pools = [testPool(0), testPool(1), testPool(2, 5n)];
const outsider = testPool(9);
const directory = chainDirectory(pools);

function newCertifier() {
  return new Certifier({
    chain: new CardanoCliFilesChainObserver(directory),
    counters: new JsonFileCounterStore(join(mkdtempSync(join(tmpdir(), 'counters-')), 'counters.json')),
    slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
    tracer: trace.getTracer('test'),
    meter: metrics.getMeter('test'),
    logger: createLogger('certifier-test', 'silent'),
  });
}

async function rejection(certifier: Certifier, request: RegistrationRequest): Promise<CertificationError> {
  try {
    await certifier.certify(request);
  } catch (error) {
    if (error instanceof CertificationError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('certifying registrations', () => {
  it('certifies a valid registration at each accepted evolution and answers with the pool and its stake', async () => {
    const certifier = newCertifier();
    for (const evolution of [1, 2, 3]) {
      const certification = await certifier.certify(pools[0]!.registration({ evolution }));
      expect(certification).toEqual({ partyId: pools[0]!.pool.bech32, poolIdHex: pools[0]!.pool.hex, stake: pools[0]!.stake, epoch: EPOCH });
    }
    expect(CURRENT_SLOT / SLOTS_PER_KES_PERIOD).toBe(12n);
  });

  const otherCold = ColdSigningKey.fromSeed(new Uint8Array(32).fill(3));
  const forgedOpcert = { ...pools[0]!.opcert, coldSignature: otherCold.sign(new Uint8Array(48)) };
  const otherKes = KesSigningKey.fromSeed(new Uint8Array(32).fill(4));
  const table: [string, () => RegistrationRequest, CertificationError['kind'], CertificationError['check']][] = [
    [
      'an opcert not signed by its cold key (wrong cold key)',
      () => pools[0]!.registration({ opcert: forgedOpcert }),
      'denied',
      'operational-certificate-signature',
    ],
    ['an opcert of another pool (spoofed pool id)', () => pools[0]!.registration({ partyId: pools[1]!.pool.bech32 }), 'denied', 'pool-id'],
    ['a KES signature by another KES key', () => pools[0]!.registration({ kes: otherKes }), 'denied', 'kes-signature'],
    ['an expired KES evolution', () => pools[0]!.registration({ evolution: 0 }), 'denied', 'kes-period'],
    ['a future KES evolution', () => pools[0]!.registration({ evolution: 4 }), 'denied', 'kes-period'],
    ['a pool without stake in the epoch', () => outsider.registration(), 'denied', 'stake-distribution'],
    ['an unknown epoch', () => ({ ...pools[0]!.registration(), epoch: EPOCH + 5n }), 'unavailable', 'stake-distribution'],
    ['garbage opcert CBOR', () => ({ ...pools[0]!.registration(), operationalCertificate: Uint8Array.of(0x84, 0xff, 0x00) }), 'malformed', 'request'],
    ['an oversized opcert', () => ({ ...pools[0]!.registration(), operationalCertificate: new Uint8Array(5000) }), 'malformed', 'request'],
    ['an oversized verification key', () => ({ ...pools[0]!.registration(), verificationKey: new Uint8Array(193) }), 'malformed', 'request'],
    ['a truncated KES signature', () => ({ ...pools[0]!.registration(), verificationKeySignature: new Uint8Array(447) }), 'malformed', 'request'],
    ['a KES evolution beyond the key life', () => ({ ...pools[0]!.registration(), kesEvolutions: 64 }), 'malformed', 'request'],
    ['a party id that is not a pool id', () => ({ ...pools[0]!.registration(), partyId: 'addr1xyz' }), 'malformed', 'request'],
    ['no KES material', () => ({ ...pools[0]!.registration(), operationalCertificate: undefined }), 'malformed', 'request'],
  ];
  it.each(table)('rejects %s', async (_, request, kind, check) => {
    const error = await rejection(newCertifier(), request());
    expect({ kind: error.kind, check: error.check }).toEqual({ kind, check });
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('rejects a replayed older operational certificate once a newer one was seen', async () => {
    const certifier = newCertifier();
    const pool = pools[2]!; // issue number 5
    await certifier.certify(pool.registration());
    const older = issueOperationalCertificate(pool.cold, pool.kes.verificationKey(), 4n, 10n);
    const error = await rejection(certifier, pool.registration({ opcert: older }));
    expect(error.check).toBe('operational-certificate-counter');
    const newer = issueOperationalCertificate(pool.cold, pool.kes.verificationKey(), 6n, 10n);
    await expect(certifier.certify(pool.registration({ opcert: newer }))).resolves.toMatchObject({ partyId: pool.pool.bech32 });
  });

  it('keeps the counters across restarts (file store)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'counters-')), 'counters.json');
    await new JsonFileCounterStore(path).record(pools[1]!.pool.hex, 7n);
    const reopened = new JsonFileCounterStore(path);
    expect(await reopened.highest(pools[1]!.pool.hex)).toBe(7n);
    await reopened.record(pools[1]!.pool.hex, 3n);
    expect(await new JsonFileCounterStore(path).highest(pools[1]!.pool.hex)).toBe(7n);
    expect(operationalCertificateToCbor(pools[1]!.opcert).length).toBeLessThan(1024);
  });
});
