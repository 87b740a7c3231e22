/**
 * Snapshots end to end on local storage: the digest check, the stored objects (per-immutable
 * archives, digests list, full archive) and their consistency with the certified root, restoring
 * only missing immutable files with parallel downloads, and retention.
 */
import { existsSync, readFileSync, readdirSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { x as extract } from 'tar';
import { decompress } from 'zstd-napi';
import { cardanoDatabaseMerkleRoot } from '@mithril-ts/cardano';
import { AncillarySigner, cardanoDatabaseSnapshotHash, decodeAncillaryManifest, verifyAncillaryManifest } from '@mithril-ts/protocol';
import { CompressionAlgorithm } from '@mithril-ts/proto';
import {
  CachedImmutableDigester,
  LocalDirectoryStorage,
  MemoryDigestCache,
  Snapshotter,
  cardanoDatabaseSnapshotMessage,
  openSnapshotStore,
  planRetention,
  snapshotMessage,
  startDownloadServer,
  type ArtifactStorage,
  type DownloadServer,
  type OpenedSnapshotStore,
} from '../src/index.js';
import {
  CertifiedRoots,
  contentOf,
  expectedFiles,
  expectedRoot,
  fileName,
  immutableDb,
  rejection,
  removeTempDirs,
  sha256,
  silentLogger,
  snapshotRecord,
  tempDir,
  writeTrio,
} from './fixture.js';

/** A well-formed hash no certificate has. */
const CERTIFICATE = 'c0'.repeat(32);
const roots = new CertifiedRoots();
/** The hash of a real certificate of `digest` at `at` (sealed now). */
const certified = (at: ReturnType<typeof beacon>, digest: string): string => roots.certify(at.epoch, at.immutableFileNumber, digest).hash;
const stores: OpenedSnapshotStore[] = [];
const servers: DownloadServer[] = [];
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const store of stores.splice(0)) await store.close();
  removeTempDirs();
});

/** Records the keys written, to observe what a snapshot creation produced. */
function recording(storage: LocalDirectoryStorage): ArtifactStorage & { puts: string[] } {
  const puts: string[] = [];
  return {
    puts,
    locationType: storage.locationType,
    put: (key, body, options) => {
      puts.push(key);
      return storage.put(key, body, options);
    },
    stat: (key) => storage.stat(key),
    read: (key, range) => storage.read(key, range),
    delete: (key) => storage.delete(key),
    url: (key) => storage.url(key),
  };
}

async function setup(openChunk: number, keepSnapshots = 3, ancillarySigner?: AncillarySigner) {
  const directory = immutableDb(openChunk);
  const opened = await openSnapshotStore({ url: join(tempDir('store'), 'snapshotter.sqlite3') });
  stores.push(opened);
  const root = tempDir('artifacts');
  const download = await startDownloadServer({ host: '127.0.0.1', port: 0, storage: new LocalDirectoryStorage(root, '') });
  servers.push(download);
  const local = new LocalDirectoryStorage(root, download.baseUrl);
  const storage = recording(local);
  let now = Date.parse('2026-03-01T00:00:00Z');
  const snapshotter = new Snapshotter({
    network: 'devnet',
    digester: new CachedImmutableDigester(directory, new MemoryDigestCache()),
    store: opened.store,
    storage,
    certificates: roots.lookup,
    defaultCompression: 'gzip',
    cardanoNodeVersion: '10.1.4',
    keepSnapshots,
    logger: silentLogger,
    clock: () => new Date((now += 1000)),
    ...(ancillarySigner === undefined ? {} : { ancillary: { signer: ancillarySigner, ledgerDirectory: join(directory, '..', 'ledger') } }),
  });
  return { directory, store: opened.store, local, storage, snapshotter };
}

const beacon = (immutableFileNumber: number, epoch = 3) => ({ network: 'devnet', epoch: BigInt(epoch), immutableFileNumber: BigInt(immutableFileNumber) });

describe('Snapshotter', () => {
  it('computes the digest and lists the file digests of a beacon; refuses another network', async () => {
    const { snapshotter } = await setup(3);
    expect(await snapshotter.computeDigest(beacon(2))).toBe(expectedRoot(2));
    expect(await snapshotter.listImmutableFileDigests(beacon(1))).toEqual(expectedFiles(1));
    expect(await rejection(snapshotter.computeDigest({ ...beacon(2), network: 'mainnet' }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    // 00003 is the chunk still being written: past the tip.
    expect(await rejection(snapshotter.computeDigest(beacon(3)))).toMatchObject({
      code: 'BEYOND_TIP',
      metadata: { immutable_file_number: '3', latest_immutable_file_number: '2' },
    });
  });

  it('refuses numbers past the tip in each use case before anything is read or queued', async () => {
    const { snapshotter, storage, store } = await setup(3);
    for (const number of [4n, 1_000_000_000n, (1n << 64n) - 1n]) {
      const far = { ...beacon(0), immutableFileNumber: number };
      for (const attempt of [
        () => snapshotter.computeDigest(far),
        () => snapshotter.listImmutableFileDigests(far),
        () => snapshotter.createSnapshot({ beacon: far, digest: expectedRoot(2), certificateHash: CERTIFICATE }),
      ]) {
        expect(await rejection(attempt())).toMatchObject({ code: 'BEYOND_TIP', metadata: { immutable_file_number: number.toString() } });
      }
    }
    expect(storage.puts).toEqual([]);
    expect(await store.listSnapshots()).toEqual([]);
  });

  it('creates a snapshot only for a certificate that certifies exactly its files; refusals store nothing', async () => {
    const { snapshotter, storage, store } = await setup(3);
    const refusals = [
      // A made-up certificate hash.
      [{ beacon: beacon(2), digest: expectedRoot(2), certificateHash: CERTIFICATE }, 'certificate'],
      // Real certificates of something else: another root, another immutable file number, another epoch.
      [{ beacon: beacon(2), digest: expectedRoot(2), certificateHash: certified(beacon(2), expectedRoot(1)) }, 'cardano_database_merkle_root'],
      [{ beacon: beacon(2), digest: expectedRoot(2), certificateHash: certified(beacon(1), expectedRoot(2)) }, 'beacon'],
      [{ beacon: beacon(2), digest: expectedRoot(2), certificateHash: certified(beacon(2, 4), expectedRoot(2)) }, 'beacon'],
      // The genesis certificate certifies no Cardano database.
      [{ beacon: beacon(2), digest: expectedRoot(2), certificateHash: roots.certificates[0]!.hash }, 'certificate'],
    ] as const;
    for (const [request, check] of refusals) {
      expect(await rejection(snapshotter.createSnapshot(request))).toMatchObject({ code: 'CERTIFICATE_MISMATCH', metadata: { check } });
    }
    expect(storage.puts).toEqual([]);
    expect(await store.listSnapshots()).toEqual([]);
    const snapshot = await snapshotter.createSnapshot({ beacon: beacon(2), digest: expectedRoot(2), certificateHash: certified(beacon(2), expectedRoot(2)) });
    expect(snapshot.merkleRoot).toBe(expectedRoot(2));
  });

  it('refuses a digest the files do not have (DIGEST_MISMATCH) and stores nothing', async () => {
    const { snapshotter, storage, store } = await setup(3);
    const error = await rejection(
      snapshotter.createSnapshot({ beacon: beacon(2), digest: expectedRoot(1), certificateHash: certified(beacon(2), expectedRoot(1)) }),
    );
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', metadata: { expected_digest: expectedRoot(1), computed_digest: expectedRoot(2) } });
    expect(storage.puts).toEqual([]);
    expect(await store.listSnapshots()).toEqual([]);
    expect(await rejection(snapshotter.createSnapshot({ beacon: beacon(2), digest: 'XY', certificateHash: CERTIFICATE }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(
      await rejection(
        snapshotter.createSnapshot({
          beacon: beacon(2),
          digest: expectedRoot(2),
          certificateHash: certified(beacon(2), expectedRoot(2)),
          compression: 'brotli' as 'gzip',
        }),
      ),
    ).toMatchObject({ code: 'UNSUPPORTED_COMPRESSION' });
    expect(await rejection(snapshotter.getSnapshot(expectedRoot(2)))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stores per-immutable archives, the digests list and the full archive, consistent with the certified root', async () => {
    const { snapshotter, storage, local, directory } = await setup(3);
    const certificateHash = certified(beacon(2, 5), expectedRoot(2));
    const snapshot = await snapshotter.createSnapshot({ beacon: beacon(2, 5), digest: expectedRoot(2), certificateHash });
    expect(storage.puts.sort()).toEqual([
      `digests/devnet-e5-i2.digests.json`,
      `full/devnet-e5-i2.${expectedRoot(2)}.tar.gz`,
      'immutables/00000.tar.gz',
      'immutables/00001.tar.gz',
      'immutables/00002.tar.gz',
    ]);
    expect(await snapshotter.getSnapshot(expectedRoot(2))).toEqual(snapshot);

    const message = cardanoDatabaseSnapshotMessage(snapshot, local);
    const totalSize = expectedFiles(2).reduce((sum, file) => sum + contentOf(file.immutableFileName).length, 0);
    expect(message).toMatchObject({
      hash: cardanoDatabaseSnapshotHash(5n, expectedRoot(2)),
      merkleRoot: expectedRoot(2),
      network: 'devnet',
      beacon: { network: 'devnet', epoch: 5n, immutableFileNumber: 2n },
      certificateHash,
      totalDbSizeUncompressed: BigInt(totalSize),
      immutablesAverageSizeUncompressed: BigInt(Math.floor(totalSize / 3)),
      fullArchiveSizeUncompressed: BigInt(totalSize),
      compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
      cardanoNodeVersion: '10.1.4',
    });
    expect(message.immutablesLocations).toEqual([
      {
        type: 'cloud_storage',
        uri: local.url('immutables/{immutable_file_number}.tar.gz'),
        isTemplate: true,
        compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
      },
    ]);
    expect(message.digestsLocations[0]).toMatchObject({ isTemplate: false, compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_UNSPECIFIED });

    // The digests list, as downloaded: the reference shape, and its digests make the certified root.
    const digestsResponse = await fetch(message.digestsLocations[0]!.uri);
    const digestsText = await digestsResponse.text();
    expect(Buffer.byteLength(digestsText)).toBe(Number(message.digestsSizeUncompressed));
    const digests = JSON.parse(digestsText) as { immutable_file_name: string; digest: string }[];
    expect(digests).toEqual(expectedFiles(2).map((f) => ({ immutable_file_name: f.immutableFileName, digest: f.digest })));
    expect(cardanoDatabaseMerkleRoot(digests.map((d) => d.digest))).toBe(message.merkleRoot);

    // The full archive, as downloaded: its size and SHA-256 are those announced; it extracts to the files.
    const full = Buffer.from(await (await fetch(message.fullArchiveLocations[0]!.uri)).arrayBuffer());
    expect(full.length).toBe(Number(message.fullArchiveSize));
    expect(sha256(full)).toBe(message.fullArchiveSha256);
    const restored = tempDir('restored-full');
    writeFileSync(join(restored, 'full.tar.gz'), full);
    await extract({ file: join(restored, 'full.tar.gz'), cwd: restored });
    for (const file of expectedFiles(2))
      expect(readFileSync(join(restored, 'immutable', file.immutableFileName))).toEqual(readFileSync(join(directory, file.immutableFileName)));

    // The legacy message points at the full archive.
    expect(snapshotMessage(snapshot, local)).toMatchObject({
      digest: expectedRoot(2),
      size: BigInt(full.length),
      locations: [message.fullArchiveLocations[0]!.uri],
      certificateHash,
    });
  });

  it('with an ancillary key: the newest ledger snapshot not past the next trio, that trio and a manifest of both signed by the key', async () => {
    const signer = AncillarySigner.generate();
    const { snapshotter, local, storage, directory } = await setup(3, 3, signer);
    // The open trio 00003 ends at slot 79 (the last 8 bytes of its secondary index, as cardano-node writes it).
    const secondary = Buffer.alloc(112);
    secondary.writeBigUInt64BE(79n, 104);
    writeFileSync(join(directory, fileName(3, 'secondary')), secondary);
    const ledger = join(directory, '..', 'ledger');
    for (const [slot, files] of [
      ['59', ['state', 'meta']],
      ['79', ['state', 'meta', 'tables/tvar']],
      ['99', ['state']],
    ] as const) {
      for (const file of files) {
        mkdirSync(join(ledger, slot, file, '..'), { recursive: true });
        writeFileSync(join(ledger, slot, file), `ledger ${slot} ${file}`);
      }
    }
    const snapshot = await snapshotter.createSnapshot({
      beacon: beacon(2, 5),
      digest: expectedRoot(2),
      certificateHash: certified(beacon(2, 5), expectedRoot(2)),
    });
    expect(storage.puts).toContain('ancillary/devnet-e5-i2.ancillary.tar.gz');
    const message = cardanoDatabaseSnapshotMessage(snapshot, local);
    expect(message.ancillaryLocations).toHaveLength(1);
    const archive = Buffer.from(await (await fetch(message.ancillaryLocations[0]!.uri)).arrayBuffer());
    expect(BigInt(archive.length)).toBe(message.ancillarySize);
    expect(sha256(archive)).toBe(message.ancillarySha256);
    const restored = tempDir('restored-ancillary');
    await pipeline(Readable.from([archive]), extract({ cwd: restored }));
    const manifest = decodeAncillaryManifest(readFileSync(join(restored, 'ancillary_manifest.json'), 'utf8'));
    verifyAncillaryManifest(signer.verificationKey(), manifest);
    // Slot 99 is past the trio: a node could not use it with these files.
    expect([...manifest.data.keys()]).toEqual([
      'immutable/00003.chunk',
      'immutable/00003.primary',
      'immutable/00003.secondary',
      'ledger/79/meta',
      'ledger/79/state',
      'ledger/79/tables/tvar',
    ]);
    let size = readFileSync(join(restored, 'ancillary_manifest.json')).length;
    for (const [path, digest] of manifest.data) {
      expect(sha256(readFileSync(join(restored, path)))).toBe(digest);
      size += readFileSync(join(restored, path)).length;
    }
    expect(message.ancillarySizeUncompressed).toBe(BigInt(size));
    expect(await snapshotter.getSnapshot(expectedRoot(2))).toEqual(snapshot);

    // Without a usable ledger snapshot there is no ancillary archive, and the snapshot is still made.
    rmSync(ledger, { recursive: true });
    const later = await snapshotter.createSnapshot({
      beacon: beacon(2, 6),
      digest: expectedRoot(2),
      certificateHash: certified(beacon(2, 6), expectedRoot(2)),
    });
    expect(later.ancillary).toBeUndefined();
    expect(cardanoDatabaseSnapshotMessage(later, local).ancillaryLocations).toEqual([]);
    // The same files certified at another beacon: the replaced ancillary archive is deleted with the rest.
    expect(await local.stat('ancillary/devnet-e5-i2.ancillary.tar.gz')).toBeUndefined();
  });

  it('a snapshot certified while the node moved on: its ancillary archive carries every trio up to the ledger snapshot', async () => {
    const signer = AncillarySigner.generate();
    const { snapshotter, local, directory } = await setup(3, 3, signer);
    for (const [number, lastSlot] of [
      [2, 59n],
      [3, 79n],
    ] as const) {
      const secondary = Buffer.alloc(56);
      secondary.writeBigUInt64BE(lastSlot, 48);
      writeFileSync(join(directory, fileName(number, 'secondary')), secondary);
    }
    const ledger = join(directory, '..', 'ledger');
    for (const slot of ['79', '99']) {
      mkdirSync(join(ledger, slot), { recursive: true });
      writeFileSync(join(ledger, slot, 'state'), `ledger ${slot}`);
    }
    const snapshot = await snapshotter.createSnapshot({
      beacon: beacon(1, 5),
      digest: expectedRoot(1),
      certificateHash: certified(beacon(1, 5), expectedRoot(1)),
    });
    const archive = Buffer.from(await (await fetch(cardanoDatabaseSnapshotMessage(snapshot, local).ancillaryLocations[0]!.uri)).arrayBuffer());
    const restored = tempDir('restored-ancillary-lag');
    await pipeline(Readable.from([archive]), extract({ cwd: restored }));
    const manifest = decodeAncillaryManifest(readFileSync(join(restored, 'ancillary_manifest.json'), 'utf8'));
    verifyAncillaryManifest(signer.verificationKey(), manifest);
    expect([...manifest.data.keys()]).toEqual([
      ...[2, 3].flatMap((n) => ['chunk', 'primary', 'secondary'].map((e) => `immutable/${fileName(n, e)}`)),
      'ledger/79/state',
    ]);
  });

  it('makes zstd snapshots beside gzip ones: their own .tar.zst archives, announced as zstd, decompressing to the files', async () => {
    const { snapshotter, storage, local, directory } = await setup(3);
    await snapshotter.createSnapshot({ beacon: beacon(1, 5), digest: expectedRoot(1), certificateHash: certified(beacon(1, 5), expectedRoot(1)) });
    storage.puts.length = 0;
    const snapshot = await snapshotter.createSnapshot({
      beacon: beacon(2, 5),
      digest: expectedRoot(2),
      certificateHash: certified(beacon(2, 5), expectedRoot(2)),
      compression: 'zstd',
    });
    // The gzip archives of 0..1 do not serve a zstd snapshot.
    expect(storage.puts.sort()).toEqual([
      `digests/devnet-e5-i2.digests.json`,
      `full/devnet-e5-i2.${expectedRoot(2)}.tar.zst`,
      'immutables/00000.tar.zst',
      'immutables/00001.tar.zst',
      'immutables/00002.tar.zst',
    ]);
    const message = cardanoDatabaseSnapshotMessage(snapshot, local);
    expect(message.compressionAlgorithm).toBe(CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD);
    expect(message.immutablesLocations).toEqual([
      {
        type: 'cloud_storage',
        uri: local.url('immutables/{immutable_file_number}.tar.zst'),
        isTemplate: true,
        compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD,
      },
    ]);
    const full = Buffer.from(await (await fetch(message.fullArchiveLocations[0]!.uri)).arrayBuffer());
    expect(sha256(full)).toBe(message.fullArchiveSha256);
    const restored = tempDir('restored-zstd');
    await pipeline(Readable.from([decompress(full)]), extract({ cwd: restored }));
    for (const file of expectedFiles(2))
      expect(readFileSync(join(restored, 'immutable', file.immutableFileName))).toEqual(readFileSync(join(directory, file.immutableFileName)));
  });

  it('archives only the new immutable file numbers for a later snapshot, and a client restores only what it lacks, in parallel', async () => {
    const { snapshotter, storage, local, directory } = await setup(2);
    await snapshotter.createSnapshot({ beacon: beacon(1), digest: expectedRoot(1), certificateHash: certified(beacon(1), expectedRoot(1)) });
    writeTrio(directory, 3);
    writeTrio(directory, 4);
    storage.puts.length = 0;
    const later = await snapshotter.createSnapshot({ beacon: beacon(3), digest: expectedRoot(3), certificateHash: certified(beacon(3), expectedRoot(3)) });
    expect(storage.puts.filter((key) => key.startsWith('immutables/')).sort()).toEqual(['immutables/00002.tar.gz', 'immutables/00003.tar.gz']);

    // A client holding trios 0..1 verifies the digests list against the certified root, then
    // downloads the archives of 2 and 3 at once and checks every restored file against the list.
    const message = cardanoDatabaseSnapshotMessage(later, local);
    const digests = (await (await fetch(message.digestsLocations[0]!.uri)).json()) as { immutable_file_name: string; digest: string }[];
    expect(cardanoDatabaseMerkleRoot(digests.map((d) => d.digest))).toBe(later.merkleRoot);
    const template = message.immutablesLocations[0]!.uri;
    const target = tempDir('client-db');
    mkdirSync(join(target, 'immutable'));
    for (const n of [0, 1])
      for (const ext of ['chunk', 'primary', 'secondary']) writeFileSync(join(target, 'immutable', fileName(n, ext)), contentOf(fileName(n, ext)));
    await Promise.all(
      [2, 3].map(async (n) => {
        const archive = Buffer.from(await (await fetch(template.replace('{immutable_file_number}', String(n).padStart(5, '0')))).arrayBuffer());
        const file = join(target, `${n}.tar.gz`);
        writeFileSync(file, archive);
        await extract({ file, cwd: target });
      }),
    );
    for (const { immutable_file_name, digest } of digests) expect(sha256(readFileSync(join(target, 'immutable', immutable_file_name)))).toBe(digest);
  });

  it('snapshots the trios that exist: a database starting at 00003 gives the archives, digests list and root of exactly its files', async () => {
    const { snapshotter, storage, local, directory } = await setup(6); // 00006 is the open chunk
    for (const n of [0, 1, 2]) for (const ext of ['chunk', 'primary', 'secondary']) rmSync(join(directory, fileName(n, ext)));
    const files = expectedFiles(5).filter((file) => file.immutableFileName >= '00003');
    const root = cardanoDatabaseMerkleRoot(files.map((file) => file.digest));
    expect(await snapshotter.computeDigest(beacon(5))).toBe(root);
    expect(await snapshotter.listImmutableFileDigests(beacon(5))).toEqual(files);
    expect(await rejection(snapshotter.computeDigest(beacon(2)))).toMatchObject({ code: 'NOT_READY' });
    // A beacon far beyond the tip is refused from the listing, without a name per number up to it.
    expect(await rejection(snapshotter.computeDigest({ ...beacon(0), immutableFileNumber: (1n << 64n) - 1n }))).toMatchObject({ code: 'BEYOND_TIP' });

    const snapshot = await snapshotter.createSnapshot({ beacon: beacon(5), digest: root, certificateHash: certified(beacon(5), root) });
    expect(storage.puts.sort()).toEqual([
      `digests/devnet-e3-i5.digests.json`,
      `full/devnet-e3-i5.${root}.tar.gz`,
      'immutables/00003.tar.gz',
      'immutables/00004.tar.gz',
      'immutables/00005.tar.gz',
    ]);
    const totalSize = files.reduce((sum, file) => sum + contentOf(file.immutableFileName).length, 0);
    expect(snapshot).toMatchObject({
      totalDbSizeUncompressed: BigInt(totalSize),
      immutablesAverageSizeUncompressed: BigInt(Math.floor(totalSize / 3)),
      fullArchiveSizeUncompressed: BigInt(totalSize),
    });
    const message = cardanoDatabaseSnapshotMessage(snapshot, local);
    const digests = (await (await fetch(message.digestsLocations[0]!.uri)).json()) as { immutable_file_name: string; digest: string }[];
    expect(digests).toEqual(files.map((f) => ({ immutable_file_name: f.immutableFileName, digest: f.digest })));
    const restored = tempDir('restored-later');
    writeFileSync(join(restored, 'full.tar.gz'), Buffer.from(await (await fetch(message.fullArchiveLocations[0]!.uri)).arrayBuffer()));
    await extract({ file: join(restored, 'full.tar.gz'), cwd: restored });
    expect(readdirSync(join(restored, 'immutable')).sort()).toEqual(files.map((file) => file.immutableFileName));
  });

  it('re-creating a stored snapshot reuses its objects and records the latest certificate', async () => {
    const { snapshotter, storage } = await setup(2);
    const first = await snapshotter.createSnapshot({ beacon: beacon(1), digest: expectedRoot(1), certificateHash: certified(beacon(1), expectedRoot(1)) });
    storage.puts.length = 0;
    const recertified = certified(beacon(1), expectedRoot(1));
    const again = await snapshotter.createSnapshot({ beacon: beacon(1), digest: expectedRoot(1), certificateHash: recertified });
    expect(storage.puts).toEqual([]);
    expect(again).toEqual({ ...first, certificateHash: recertified });
  });

  it('keeps the last N snapshots; per-immutable archives stay while a retained snapshot needs them', async () => {
    const { snapshotter, local, store, directory } = await setup(2, 2);
    const created = [];
    for (const n of [1, 2, 3]) {
      if (n >= 2) writeTrio(directory, n + 1);
      created.push(await snapshotter.createSnapshot({ beacon: beacon(n), digest: expectedRoot(n), certificateHash: certified(beacon(n), expectedRoot(n)) }));
    }
    const [oldest, middle, newest] = created as [(typeof created)[0], (typeof created)[0], (typeof created)[0]];
    expect((await store.listSnapshots()).map((s) => s.immutableFileNumber)).toEqual([3n, 2n]);
    expect(existsSync(local.pathOf(oldest.fullArchiveKey))).toBe(false);
    expect(existsSync(local.pathOf(oldest.digestsKey))).toBe(false);
    for (const kept of [middle, newest]) {
      expect(existsSync(local.pathOf(kept.fullArchiveKey))).toBe(true);
      expect(existsSync(local.pathOf(kept.digestsKey))).toBe(true);
    }
    for (const n of [0, 1, 2, 3]) expect(existsSync(local.pathOf(`immutables/${String(n).padStart(5, '0')}.tar.gz`))).toBe(true);
    expect(await rejection(snapshotter.getSnapshot(oldest.merkleRoot))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('planRetention', () => {
  const archive = (n: bigint, compression: 'gzip' | 'zstd' = 'gzip') => ({
    immutableFileNumber: n,
    compression,
    key: `immutables/${n}.${compression}`,
    size: 1n,
    sha256: '00'.repeat(32),
    sizeUncompressed: 1n,
    createdAt: new Date(0),
  });

  it('retains the newest N by immutable file number, sparing shared objects and the archives they reach', () => {
    const a = snapshotRecord(4n);
    const b = snapshotRecord(6n, { createdAt: new Date('2026-01-01T00:00:00Z') });
    const c = snapshotRecord(6n, {
      merkleRoot: 'ff'.repeat(32),
      createdAt: new Date('2026-02-01T00:00:00Z'),
      digestsKey: b.digestsKey,
      fullArchiveKey: 'full/c.tar.gz',
    });
    const plan = planRetention([a, b, c], [archive(5n), archive(6n), archive(7n), archive(2n, 'zstd')], 1);
    expect(plan.retained).toEqual([c]);
    expect(plan.removedSnapshots).toEqual([b, a]);
    // b's digests list is the same object as c's: kept.
    expect([...plan.removedKeys].sort()).toEqual([a.digestsKey, a.fullArchiveKey, b.fullArchiveKey].sort());
    expect(plan.removedArchives.map((r) => `${r.immutableFileNumber}.${r.compression}`)).toEqual(['7.gzip', '2.zstd']);
    expect(planRetention([a, b], [], 5).removedSnapshots).toEqual([]);
    expect(() => planRetention([], [], 0)).toThrow(RangeError);
  });
});
