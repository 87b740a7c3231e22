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
});
