/** The certified artifacts: Cardano database snapshots (and their legacy snapshot shape, and their immutable file digests) and Mithril stake distributions. */
import * as proto from '@mithril-ts/proto';
import { epoch as toEpoch } from '@mithril-ts/protocol';
import type { AggregatorStore } from '../store/index.js';
import { AggregatorError } from '../runtime/errors.js';
import { mithrilStakeDistributionArtifact, mithrilStakeDistributionWithLegacyHash } from '../artifacts.js';
import type { Snapshotter } from '../snapshots.js';
import { head } from './certificates.js';
import { HASH, MAX_PAGE_SIZE, nextPageToken, pageOf, type Unary } from './shared.js';

function legacySnapshot(snapshot: proto.CardanoDatabaseSnapshot): proto.Snapshot {
  return {
    digest: snapshot.merkleRoot,
    ...(snapshot.beacon !== undefined ? { beacon: snapshot.beacon } : {}),
    size: snapshot.fullArchiveSize,
    locations: snapshot.fullArchiveLocations.map((location) => location.uri),
    compressionAlgorithm: snapshot.compressionAlgorithm,
    certificateHash: snapshot.certificateHash,
    ...(snapshot.createdAt !== undefined ? { createdAt: snapshot.createdAt } : {}),
    cardanoNodeVersion: snapshot.cardanoNodeVersion,
  };
}

/** `snapshotter`: where the immutable file digests of a snapshot come from; without it they are not served. */
export function artifactHandlers(store: AggregatorStore, snapshotter: Snapshotter | undefined, unary: Unary) {
  return {
    // The legacy snapshot shape: the full archive of a Cardano database snapshot.
    listSnapshots: unary<proto.ListSnapshotsRequest, proto.ListSnapshotsResponse>('ListSnapshots', async (request) => {
      const page = pageOf(request);
      const records = await store.cardanoDatabaseSnapshots.latest({ limit: page.limit + 1, offset: page.offset });
      return {
        snapshots: records.slice(0, page.limit).map((record) => legacySnapshot(proto.CardanoDatabaseSnapshot.decode(record.content))),
        nextPageToken: nextPageToken(page, records.length),
      };
    }),

    getSnapshot: unary<proto.GetSnapshotRequest, proto.GetSnapshotResponse>('GetSnapshot', async (request) => {
      if (!HASH.test(request.digest)) throw new AggregatorError('MALFORMED_REQUEST', 'a snapshot digest is 64 lowercase hex characters');
      for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
        const records = await store.cardanoDatabaseSnapshots.latest({ limit: MAX_PAGE_SIZE, offset });
        const found = records.find((record) => record.merkleRoot === request.digest);
        if (found !== undefined) return { snapshot: legacySnapshot(proto.CardanoDatabaseSnapshot.decode(found.content)) };
        if (records.length < MAX_PAGE_SIZE) throw new AggregatorError('ARTIFACT_NOT_FOUND', `no snapshot has digest ${request.digest}`);
      }
    }),

    listMithrilStakeDistributions: unary<proto.ListMithrilStakeDistributionsRequest, proto.ListMithrilStakeDistributionsResponse>(
      'ListMithrilStakeDistributions',
      async (request) => {
        const page = pageOf(request);
        const records = await store.certificates.latestOfKind('MithrilStakeDistribution', { limit: page.limit + 1, offset: page.offset });
        const items: proto.MithrilStakeDistributionListItem[] = [];
        for (const record of records.slice(0, page.limit)) {
          const artifact = await mithrilStakeDistributionArtifact(store, head(record));
          if (artifact !== null)
            items.push({ epoch: artifact.epoch, hash: artifact.hash, certificateHash: artifact.certificateHash, createdAt: artifact.createdAt });
        }
        return { mithrilStakeDistributions: items, nextPageToken: nextPageToken(page, records.length) };
      },
    ),

    getMithrilStakeDistribution: unary<proto.GetMithrilStakeDistributionRequest, proto.GetMithrilStakeDistributionResponse>(
      'GetMithrilStakeDistribution',
      async (request) => {
        if (!HASH.test(request.hash)) throw new AggregatorError('MALFORMED_REQUEST', 'a stake distribution hash is 64 lowercase hex characters');
        for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
          const records = await store.certificates.latestOfKind('MithrilStakeDistribution', { limit: MAX_PAGE_SIZE, offset });
          for (const record of records) {
            const found = await mithrilStakeDistributionWithLegacyHash(store, head(record));
            if (found !== null && (found.artifact.hash === request.hash || found.legacyHash === request.hash))
              return { mithrilStakeDistribution: found.artifact };
          }
          if (records.length < MAX_PAGE_SIZE) throw new AggregatorError('ARTIFACT_NOT_FOUND', `no Mithril stake distribution has hash ${request.hash}`);
        }
      },
    ),

    listCardanoDatabaseSnapshots: unary<proto.ListCardanoDatabaseSnapshotsRequest, proto.ListCardanoDatabaseSnapshotsResponse>(
      'ListCardanoDatabaseSnapshots',
      async (request) => {
        const page = pageOf(request);
        const filter = request.epoch === undefined ? {} : { epoch: toEpoch(request.epoch) };
        const records = await store.cardanoDatabaseSnapshots.latest({ limit: page.limit + 1, offset: page.offset }, filter);
        return {
          snapshots: records.slice(0, page.limit).map((record) => proto.CardanoDatabaseSnapshot.decode(record.content)),
          nextPageToken: nextPageToken(page, records.length),
        };
      },
    ),

    getCardanoDatabaseSnapshot: unary<proto.GetCardanoDatabaseSnapshotRequest, proto.GetCardanoDatabaseSnapshotResponse>(
      'GetCardanoDatabaseSnapshot',
      async (request) => {
        if (!HASH.test(request.hash)) throw new AggregatorError('MALFORMED_REQUEST', 'a snapshot hash is 64 lowercase hex characters');
        const record = await store.cardanoDatabaseSnapshots.get(request.hash);
        if (record === null) throw new AggregatorError('ARTIFACT_NOT_FOUND', `no Cardano database snapshot has hash ${request.hash}`);
        return { snapshot: proto.CardanoDatabaseSnapshot.decode(record.content) };
      },
    ),

    getCardanoDatabaseDigests: unary<proto.GetCardanoDatabaseDigestsRequest, proto.GetCardanoDatabaseDigestsResponse>(
      'GetCardanoDatabaseDigests',
      async (request) => {
        if (request.hash !== '' && !HASH.test(request.hash)) throw new AggregatorError('MALFORMED_REQUEST', 'a snapshot hash is 64 lowercase hex characters');
        const record =
          request.hash === ''
            ? ((await store.cardanoDatabaseSnapshots.latest({ limit: 1 }))[0] ?? null)
            : await store.cardanoDatabaseSnapshots.get(request.hash);
        if (record === null)
          throw new AggregatorError(
            'ARTIFACT_NOT_FOUND',
            request.hash === '' ? 'no Cardano database snapshot exists yet' : `no Cardano database snapshot has hash ${request.hash}`,
          );
        if (snapshotter === undefined) throw new AggregatorError('NOT_READY', 'this aggregator has no snapshotter to read the digests from');
        const snapshot = proto.CardanoDatabaseSnapshot.decode(record.content);
        if (snapshot.beacon === undefined) throw new AggregatorError('ARTIFACT_NOT_FOUND', `snapshot ${record.hash} has no beacon`);
        return { hash: record.hash, digests: await snapshotter.listImmutableFileDigests(snapshot.beacon) };
      },
    ),
  };
}
