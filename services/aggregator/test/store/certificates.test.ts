/** The certificates repository (store.certificates) on each dialect. */
import { cardanoDatabase, mithrilStakeDistribution } from '@mithril-ts/protocol';
import { describeOnEachDialect, expectStoreError } from './dialects.js';

describeOnEachDialect('certificates', (t) => {
  it('stores certificates: by hash, newest first with pages, first of an epoch', async () => {
    const { store } = t;
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const json = 'x'.repeat(200_000);
    const certs = [
      { hash: 'h1', previousHash: '', epoch: 1n, signedEntityType: mithrilStakeDistribution(1n), json, sealedAt: at(1) },
      { hash: 'h2', previousHash: 'h1', epoch: 2n, signedEntityType: mithrilStakeDistribution(2n), json: '{"b":1}', sealedAt: at(2) },
      { hash: 'h3', previousHash: 'h2', epoch: 2n, signedEntityType: cardanoDatabase(2n, 50n), json: '{"c":1}', sealedAt: at(3) },
      { hash: 'h4', previousHash: 'h2', epoch: 3n, signedEntityType: mithrilStakeDistribution(3n), json: '{"d":1}', sealedAt: at(4) },
    ];
    // Inserted out of order: sealed time decides.
    for (const i of [2, 0, 3, 1]) await store.certificates.save(certs[i]!);
    const h1 = await store.certificates.get('h1');
    expect(h1).toMatchObject({ hash: 'h1', previousHash: '', epoch: 1n, signedEntityType: mithrilStakeDistribution(1n), sealedAt: at(1) });
    expect(h1?.json).toBe(json);
    expect(await store.certificates.get('nope')).toBeNull();
    await expectStoreError(store.certificates.save(certs[0]!), 'CONFLICT');

    expect((await store.certificates.latest({ limit: 3 })).map((c) => c.hash)).toEqual(['h4', 'h3', 'h2']);
    expect((await store.certificates.latest({ limit: 3, offset: 3 })).map((c) => c.hash)).toEqual(['h1']);
    expect((await store.certificates.firstOfEpoch(2n))?.hash).toBe('h2');
    expect(await store.certificates.firstOfEpoch(9n)).toBeNull();
    await expectStoreError(store.certificates.latest({ limit: 0 }), 'INVALID_ARGUMENT');
    expect((await store.certificates.ofSignedEntity(cardanoDatabase(2n, 50n)))?.hash).toBe('h3');
    expect(await store.certificates.ofSignedEntity(cardanoDatabase(2n, 51n))).toBeNull();
  });

  it('seals a certificate and closes its open message in one transaction', async () => {
    const { store } = t;
    const type = cardanoDatabase(30n, 7n);
    const message = await store.openMessages.create({ epoch: 30n, signedEntityType: type, protocolMessage: '{}' });
    const certificate = { hash: 'm1', previousHash: 'h0', epoch: 30n, signedEntityType: type, json: '{}', sealedAt: new Date(7) };
    await store.certificates.save(certificate, { certifiesOpenMessage: message.id });
    expect((await store.openMessages.getById(message.id))?.isCertified).toBe(true);
    // a second seal of the same round changes nothing: neither the certificate nor the message
    await expectStoreError(store.certificates.save({ ...certificate, hash: 'm2' }, { certifiesOpenMessage: message.id }), 'CONFLICT');
    expect(await store.certificates.get('m2')).toBeNull();
    await expectStoreError(store.certificates.save({ ...certificate, hash: 'm3' }, { certifiesOpenMessage: 'unknown' }), 'CONFLICT');
  });

  it('keeps one standard certificate per signed entity, whoever seals it (migration 0005)', async () => {
    const { store } = t;
    const type = mithrilStakeDistribution(40n);
    const sealed = { hash: 's1', previousHash: 'g0', epoch: 40n, signedEntityType: type, json: '{}', sealedAt: new Date(1) };
    await store.certificates.save(sealed);
    // Another certificate of the same entity (another process's aggregation of the same message) is refused...
    await expectStoreError(store.certificates.save({ ...sealed, hash: 's2', previousHash: 'g1' }), 'CONFLICT');
    expect(await store.certificates.get('s2')).toBeNull();
    // ...but a genesis certificate of that epoch is not a second seal of the message.
    await store.certificates.save({ ...sealed, hash: 'g40', previousHash: '' });
    // Two sealers racing on one open message: exactly one commits, whatever the interleaving.
    const round = cardanoDatabase(41n, 3n);
    const message = await store.openMessages.create({ epoch: 41n, signedEntityType: round, protocolMessage: '{}' });
    const outcomes = await Promise.allSettled(
      ['r1', 'r2', 'r3'].map((hash) =>
        store.certificates.save(
          { hash, previousHash: 'g0', epoch: 41n, signedEntityType: round, json: '{}', sealedAt: new Date(2) },
          { certifiesOpenMessage: message.id },
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rows = await Promise.all(['r1', 'r2', 'r3'].map((hash) => store.certificates.get(hash)));
    expect(rows.filter((row) => row !== null)).toHaveLength(1);
  });
});
