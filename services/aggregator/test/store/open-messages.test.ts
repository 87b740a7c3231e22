/** The open messages repository (store.openMessages: open messages and their single signatures) on each dialect. */
import { cardanoDatabase, mithrilStakeDistribution } from '@mithril-ts/protocol';
import { bytes, describeOnEachDialect, expectStoreError, pool } from './dialects.js';

describeOnEachDialect('open messages', (t) => {
  it('opens, finds, lists and closes open messages; one per signed entity type', async () => {
    const { store } = t;
    const msd = mithrilStakeDistribution(20n);
    const db = cardanoDatabase(20n, (1n << 64n) - 1n);
    const a = await store.openMessages.create({
      epoch: 20n,
      signedEntityType: msd,
      protocolMessage: '{"message_parts":{"a":"1"}}',
      createdAt: new Date(1000),
      expiresAt: new Date(5000),
    });
    const b = await store.openMessages.create({ id: 'db-20', epoch: 20n, signedEntityType: db, protocolMessage: '{}', createdAt: new Date(2000) });
    expect(await store.openMessages.get(msd)).toEqual({
      id: a.id,
      epoch: 20n,
      signedEntityType: msd,
      protocolMessage: '{"message_parts":{"a":"1"}}',
      isCertified: false,
      isExpired: false,
      createdAt: new Date(1000),
      expiresAt: new Date(5000),
    });
    expect((await store.openMessages.getById('db-20'))?.signedEntityType).toEqual(db);
    expect(await store.openMessages.get(mithrilStakeDistribution(21n))).toBeNull();
    await expectStoreError(store.openMessages.create({ epoch: 20n, signedEntityType: msd, protocolMessage: '{}' }), 'CONFLICT');

    expect((await store.openMessages.list()).map((m) => m.id)).toEqual([a.id, b.id]);
    expect((await store.openMessages.list({ kind: 'CardanoDatabase' })).map((m) => m.id)).toEqual([b.id]);
    expect(await store.openMessages.list({ epoch: 21n })).toEqual([]);

    expect((await store.openMessages.markCertified(a.id)).isCertified).toBe(true);
    expect((await store.openMessages.markExpired(b.id)).isExpired).toBe(true);
    expect(await store.openMessages.list()).toEqual([]);
    expect(await store.openMessages.list({ includeClosed: true })).toHaveLength(2);
    await expectStoreError(store.openMessages.markCertified('nope'), 'NOT_FOUND');
  });

  it('adds single signatures; a second one of a party is "already-registered"; closed messages refuse', async () => {
    const { store } = t;
    const message = await store.openMessages.create({ epoch: 3n, signedEntityType: mithrilStakeDistribution(3n), protocolMessage: '{}' });
    const added = await store.openMessages.addSingleSignature({
      openMessageId: message.id,
      partyId: pool(1),
      signature: bytes(48, 1),
      wonIndexes: [0n, 7n, (1n << 64n) - 1n],
      createdAt: new Date(42),
    });
    expect(added).toEqual({
      status: 'added',
      signature: { openMessageId: message.id, partyId: pool(1), signature: bytes(48, 1), wonIndexes: [0n, 7n, (1n << 64n) - 1n], createdAt: new Date(42) },
    });
    expect(await store.openMessages.addSingleSignature({ openMessageId: message.id, partyId: pool(1), signature: bytes(48, 2), wonIndexes: [1n] })).toEqual({
      status: 'already-registered',
    });
    const listed = await store.openMessages.listSingleSignatures(message.id);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.signature).toEqual(bytes(48, 1));

    await expectStoreError(
      store.openMessages.addSingleSignature({ openMessageId: 'missing', partyId: pool(1), signature: bytes(48, 1), wonIndexes: [] }),
      'NOT_FOUND',
    );
    await store.openMessages.markCertified(message.id);
    expect(await store.openMessages.addSingleSignature({ openMessageId: message.id, partyId: pool(2), signature: bytes(48, 3), wonIndexes: [2n] })).toEqual({
      status: 'message-closed',
      reason: 'certified',
    });
  });

  it('keeps every one of 200 concurrent signatures of distinct parties and reports concurrent duplicates', async () => {
    const { store } = t;
    const message = await store.openMessages.create({ epoch: 9n, signedEntityType: cardanoDatabase(9n, 100n), protocolMessage: '{}' });
    const parties = Array.from({ length: 200 }, (_, i) => pool(i));
    const submissions = [...parties, ...parties.slice(0, 40)].map((partyId, i) =>
      store.openMessages.addSingleSignature({ openMessageId: message.id, partyId, signature: bytes(48, i), wonIndexes: [BigInt(i)] }),
    );
    const results = await Promise.all(submissions);
    const count = (status: string) => results.filter((r) => r.status === status).length;
    expect(count('added')).toBe(200);
    expect(count('already-registered')).toBe(40);
    const stored = await store.openMessages.listSingleSignatures(message.id);
    expect(new Set(stored.map((s) => s.partyId))).toEqual(new Set(parties));
  });
});
