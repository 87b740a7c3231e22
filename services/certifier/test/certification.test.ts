import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics, trace } from '@opentelemetry/api';
import { ColdSigningKey, KesSigningKey, issueOperationalCertificate, operationalCertificateToCbor } from '@mithril-ts/cardano';
import { CardanoCliFilesChainObserver, createLogger } from '@mithril-ts/service-kit';
import { Certifier, CertificationError, openCertifierStore, type PrismaOpcertCounterStore, type RegistrationRequest } from '../src/index.js';
import { CURRENT_SLOT, EPOCH, SLOTS_PER_KES_PERIOD, chainDirectory, testPool } from '@mithril-ts/testkit';

const pools = [testPool(0), testPool(1), testPool(2, 5n)];
const outsider = testPool(9);
const directory = chainDirectory(pools);

const opened: PrismaOpcertCounterStore[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
});

async function openStore(url = `file:${join(mkdtempSync(join(tmpdir(), 'counters-')), 'certifier.sqlite')}`): Promise<PrismaOpcertCounterStore> {
  const { store } = await openCertifierStore({ url });
  opened.push(store);
  return store;
}

async function newCertifier(counters?: PrismaOpcertCounterStore) {
  return new Certifier({
    chain: new CardanoCliFilesChainObserver(directory),
    counters: counters ?? (await openStore()),
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
    const certifier = await newCertifier();
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
    const error = await rejection(await newCertifier(), request());
    expect({ kind: error.kind, check: error.check }).toEqual({ kind, check });
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('rejects a replayed older operational certificate once a newer one was seen', async () => {
    const certifier = await newCertifier();
    const pool = pools[2]!; // issue number 5
    await certifier.certify(pool.registration());
    const older = issueOperationalCertificate(pool.cold, pool.kes.verificationKey(), 4n, 10n);
    const error = await rejection(certifier, pool.registration({ opcert: older }));
    expect(error.check).toBe('operational-certificate-counter');
    const newer = issueOperationalCertificate(pool.cold, pool.kes.verificationKey(), 6n, 10n);
    await expect(certifier.certify(pool.registration({ opcert: newer }))).resolves.toMatchObject({ partyId: pool.pool.bech32 });
  });

  it('raises a counter only for a registration otherwise accepted, and keeps it across restarts', async () => {
    const url = `file:${join(mkdtempSync(join(tmpdir(), 'counters-')), 'certifier.sqlite')}`;
    const store = await openStore(url);
    const pool = pools[1]!;
    const newer = issueOperationalCertificate(pool.cold, pool.kes.verificationKey(), 7n, 10n);
    const certifier = await newCertifier(store);
    // Refused for an unknown epoch: its certificate does not raise the counter.
    expect((await rejection(certifier, { ...pool.registration({ opcert: newer }), epoch: EPOCH + 5n })).check).toBe('stake-distribution');
    expect(await store.highest(pool.pool.hex)).toBeUndefined();
    await certifier.certify(pool.registration({ opcert: newer }));
    expect(await store.highest(pool.pool.hex)).toBe(7n);
    await store.close();
    const reopened = await newCertifier(await openStore(url));
    expect((await rejection(reopened, pool.registration())).check).toBe('operational-certificate-counter');
    expect(operationalCertificateToCbor(pool.opcert).length).toBeLessThan(1024);
  });

  it('refuses an issue number beyond what the store keeps as malformed', async () => {
    const pool = pools[0]!;
    const huge = issueOperationalCertificate(pool.cold, pool.kes.verificationKey(), 1n << 63n, 10n);
    const error = await rejection(await newCertifier(), pool.registration({ opcert: huge }));
    expect({ kind: error.kind, check: error.check }).toEqual({ kind: 'malformed', check: 'request' });
  });
});
