import {
  CardanoError,
  ColdSigningKey,
  KesSigningKey,
  certifyMithrilKey,
  issueOperationalCertificate,
  operationalCertificateFromCbor,
  verifyKesSignature,
} from '../src/index.js';

const cold = ColdSigningKey.fromSeed(new Uint8Array(32).fill(1));
const kesSeed = new Uint8Array(32).fill(2);
const opcert = issueOperationalCertificate(cold, KesSigningKey.fromSeed(kesSeed).verificationKey(), 3n, 100n);
const mithrilKey = new Uint8Array(192).fill(9);

function code(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof CardanoError) return error.code;
    throw error;
  }
  return 'none';
}

describe('certifying a Mithril key with the KES key', () => {
  it('evolves to the chain evolution and signs what a certifier verifies', () => {
    const kesKey = KesSigningKey.fromSeed(kesSeed);
    // Slot 10,450 with 100 slots per KES period is period 104: evolution 4 of an opcert starting at 100.
    const certification = certifyMithrilKey({ kesKey, opcert, mithrilKey, slot: 10_450n, slotsPerKesPeriod: 100n });
    expect(certification.kesEvolutions).toBe(4);
    expect(kesKey.period).toBe(4);
    expect(verifyKesSignature(opcert.kesVerificationKey, 4, mithrilKey, certification.verificationKeySignature)).toBe(true);
    expect(operationalCertificateFromCbor(certification.operationalCertificate)).toEqual(opcert);
  });

  it('refuses another KES key, a key past the evolution, and a slot outside the certificate', () => {
    expect(
      code(() => certifyMithrilKey({ kesKey: KesSigningKey.fromSeed(new Uint8Array(32).fill(3)), opcert, mithrilKey, slot: 10_450n, slotsPerKesPeriod: 100n })),
    ).toBe('INVALID_KEY');
    const evolved = KesSigningKey.fromSeed(kesSeed);
    evolved.evolveTo(6);
    expect(code(() => certifyMithrilKey({ kesKey: evolved, opcert, mithrilKey, slot: 10_450n, slotsPerKesPeriod: 100n }))).toBe('KES_PERIOD_OUT_OF_RANGE');
    expect(code(() => certifyMithrilKey({ kesKey: KesSigningKey.fromSeed(kesSeed), opcert, mithrilKey, slot: 9_000n, slotsPerKesPeriod: 100n }))).toBe(
      'KES_PERIOD_OUT_OF_RANGE',
    );
  });
});
