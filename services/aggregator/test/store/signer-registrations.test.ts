/** The signer registrations repository (store.signerRegistrations) on each dialect. */
import { I64_MAX, bytes, describeOnEachDialect, expectStoreError, pool } from './dialects.js';

describeOnEachDialect('signer registrations', (t) => {
  it('round-trips signer registrations and upserts per (epoch, party)', async () => {
    const { store } = t;
    const vk = bytes(192, 1);
    const first = await store.signerRegistrations.save({
      epoch: 10n,
      partyId: pool(2),
      verificationKey: vk,
      kesSignature: bytes(448, 2),
      operationalCertificate: bytes(120, 3),
      kesEvolutions: 7,
      stake: I64_MAX,
      registeredAt: new Date('2026-01-02T03:04:05.678Z'),
    });
    expect(first.verificationKey).toEqual(vk);
    await store.signerRegistrations.save({
      epoch: 10n,
      partyId: pool(1),
      verificationKey: bytes(192, 4),
      kesSignature: null,
      operationalCertificate: null,
      kesEvolutions: null,
      stake: 1n,
    });
    await store.signerRegistrations.save({
      epoch: 11n,
      partyId: pool(1),
      verificationKey: bytes(192, 5),
      kesSignature: null,
      operationalCertificate: null,
      kesEvolutions: null,
      stake: 2n,
    });

    const signers = await store.signerRegistrations.list(10n);
    expect(signers.map((s) => s.partyId)).toEqual([pool(1), pool(2)]);
    expect(signers[1]).toEqual({
      epoch: 10n,
      partyId: pool(2),
      verificationKey: vk,
      kesSignature: bytes(448, 2),
      operationalCertificate: bytes(120, 3),
      kesEvolutions: 7,
      stake: I64_MAX,
      registeredAt: new Date('2026-01-02T03:04:05.678Z'),
    });
    expect(signers[0]!.kesSignature).toBeNull();

    // Registering again for the same (epoch, party) replaces the registration.
    await store.signerRegistrations.save({
      epoch: 10n,
      partyId: pool(2),
      verificationKey: bytes(192, 9),
      kesSignature: null,
      operationalCertificate: null,
      kesEvolutions: 8,
      stake: 3n,
    });
    const replaced = await store.signerRegistrations.get(10n, pool(2));
    expect(replaced?.verificationKey).toEqual(bytes(192, 9));
    expect(replaced?.stake).toBe(3n);
    expect(await store.signerRegistrations.list(10n)).toHaveLength(2);
    expect(await store.signerRegistrations.get(12n, pool(2))).toBeNull();
    await expectStoreError(
      store.signerRegistrations.save({
        epoch: 1n << 64n,
        partyId: pool(1),
        verificationKey: vk,
        kesSignature: null,
        operationalCertificate: null,
        kesEvolutions: null,
        stake: 1n,
      }),
      'INVALID_ARGUMENT',
    );
  });
});
