import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CardanoDbBeacon } from '@mithril-ts/proto';
import { CardanoDatabaseSnapshot as SnapshotMessage } from '@mithril-ts/proto';
import { certificateToJson, ownSignedEntityType } from '@mithril-ts/protocol';
import { createLogger } from '@mithril-ts/service-kit';
import { buildChain } from '@mithril-ts/testkit';
import { openAggregatorStore, type OpenedAggregatorStore } from '../src/index.js';
import { SnapshotProducer, SnapshotRefusedError, type Snapshotter } from '../src/snapshots.js';

describe('snapshot producer', () => {
  const chain = buildChain({ lastEpoch: 4n });
  const databaseCertificates = chain.certificates.filter((c) => c.signedEntityType.kind === 'CardanoDatabase');
  let root: string;
  let opened: OpenedAggregatorStore;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'aggregator-snapshots-'));
    opened = await openAggregatorStore({ url: `file:${join(root, 'a.sqlite')}` });
  });
  afterEach(async () => {
    await opened.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('asks the snapshotter for each CardanoDatabase certificate, retries failures, and records the snapshots', async () => {
    const calls: { beacon: CardanoDbBeacon; merkleRoot: string; certificateHash: string }[] = [];
    let failuresLeft = 1;
    const snapshotter: Snapshotter = {
      async createSnapshot(beacon, merkleRoot, certificateHash) {
        calls.push({ beacon, merkleRoot, certificateHash });
        if (failuresLeft-- > 0) throw new Error('snapshotter unavailable');
        return SnapshotMessage.fromPartial({
          hash: certificateHash.split('').reverse().join(''),
          merkleRoot,
          network: beacon.network,
          beacon,
          certificateHash,
        });
      },
      listImmutableFileDigests: async () => [],
      close: () => {},
    };
    // One certificate sealed before a restart, one after.
    const [before, after] = databaseCertificates;
    await opened.store.certificates.save({
      hash: before!.hash,
      previousHash: before!.previousHash,
      epoch: before!.epoch,
      signedEntityType: ownSignedEntityType(before!.signedEntityType),
      json: certificateToJson(before!),
      sealedAt: new Date(1),
    });
    const producer = new SnapshotProducer(opened.store, snapshotter, 'devnet', createLogger('test', 'silent'), 20);
    await producer.start();
    producer.onCertificate(after!);
    producer.onCertificate(chain.certificates[0]!); // genesis: nothing to archive
    for (let i = 0; i < 200 && (await opened.store.cardanoDatabaseSnapshots.latest({ limit: 10 })).length < 2; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    await producer.stop();
    const stored = await opened.store.cardanoDatabaseSnapshots.latest({ limit: 10 });
    expect(stored.map((s) => s.certificateHash).sort()).toEqual([before!.hash, after!.hash].sort());
    expect(calls.filter((c) => c.certificateHash === before!.hash).length).toBe(2); // failed once, retried
    const snapshot = SnapshotMessage.decode(stored.find((s) => s.certificateHash === after!.hash)!.content);
    expect(snapshot.merkleRoot).toBe(after!.protocolMessage.get('cardano_database_merkle_root'));
    expect(calls.every((c) => c.beacon.network === 'devnet')).toBe(true);
  });

  it('drops a certificate the snapshotter refuses for good (it does not certify those files) instead of retrying it forever', async () => {
    const [refused] = databaseCertificates;
    const calls: string[] = [];
    const snapshotter: Snapshotter = {
      async createSnapshot(_beacon, _merkleRoot, certificateHash) {
        calls.push(certificateHash);
        throw new SnapshotRefusedError('snapshotter CreateSnapshot refused: the certificate does not certify this Merkle root');
      },
      listImmutableFileDigests: async () => [],
      close: () => {},
    };
    const producer = new SnapshotProducer(opened.store, snapshotter, 'devnet', createLogger('test', 'silent'), 5);
    await producer.start();
    producer.onCertificate(refused!);
    for (let i = 0; i < 200 && calls.length === 0; i += 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100)); // twenty retry intervals
    await producer.stop();
    expect(calls).toEqual([refused!.hash]);
    expect(await opened.store.cardanoDatabaseSnapshots.latest({ limit: 10 })).toEqual([]);
  });
});
