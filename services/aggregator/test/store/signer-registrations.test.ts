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

  it('saves a batch of accepted registrations and raises their opcert counters in one transaction, never lowering one', async () => {
    const { store } = t;
    const registration = (party: number, seed: number, stake: bigint) => ({
      epoch: 20n,
      partyId: pool(party),
      verificationKey: bytes(192, seed),
      kesSignature: bytes(448, seed),
      operationalCertificate: bytes(120, seed),
      kesEvolutions: 1,
      stake,
    });
    const poolHex = (n: number) => n.toString(16).padStart(56, '0');
    await store.opcertCounters.record(poolHex(3), 5n);
    await store.signerRegistrations.save(registration(1, 10, 1n));

    const saved = await store.signerRegistrations.saveAccepted([
      { registration: registration(1, 11, 7n), opcert: { poolIdHex: poolHex(1), issueNumber: 2n } },
      { registration: registration(2, 12, 8n), opcert: { poolIdHex: poolHex(2), issueNumber: 0n } },
      { registration: registration(3, 13, 9n), opcert: { poolIdHex: poolHex(3), issueNumber: 4n } },
    ]);
    expect(saved.map((record) => [record.partyId, record.stake])).toEqual([
      [pool(1), 7n],
      [pool(2), 8n],
      [pool(3), 9n],
    ]);
    // Party 1's earlier registration is replaced, the others are new.
    const listed = await store.signerRegistrations.list(20n);
    expect(listed.map((record) => record.verificationKey)).toEqual([bytes(192, 11), bytes(192, 12), bytes(192, 13)]);
    expect(listed[0]).toEqual(saved[0]);
    expect(await store.opcertCounters.all()).toEqual(
      new Map([
        [poolHex(1), 2n],
        [poolHex(2), 0n],
        [poolHex(3), 5n],
      ]),
    );
    expect(await store.signerRegistrations.saveAccepted([])).toEqual([]);

    // A batch that cannot be written is written not at all.
    await expectStoreError(
      store.signerRegistrations.saveAccepted([
        { registration: registration(4, 14, 1n), opcert: { poolIdHex: poolHex(4), issueNumber: 1n } },
        { registration: registration(4, 15, 1n), opcert: { poolIdHex: poolHex(4), issueNumber: 1n } },
      ]),
      'INVALID_ARGUMENT',
    );
    expect(await store.signerRegistrations.get(20n, pool(4))).toBeNull();
    expect((await store.opcertCounters.all()).has(poolHex(4))).toBe(false);
  });
});
