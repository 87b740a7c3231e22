/**
 * SnapshotterService over loopback gRPC: every RPC, typed errors, the version metadata check, the
 * attacks it must shrug off (numbers past the tip, made-up certificates, oversized requests), and
 * the certificate asked from an AggregatorService on loopback.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { CompressionAlgorithm, ErrorCode, SnapshotterServiceClient, readErrorDetail, setVersionMetadata, type CardanoDbBeacon } from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import type { RunningServer } from '@mithril-ts/service-kit';
import { startSnapshotter, type RunningSnapshotter } from '../src/index.js';
import { CertifiedRoots, expectedFiles, startAggregatorDouble, expectedRoot, immutableDb, removeTempDirs, sha256, silentLogger, tempDir } from './fixture.js';

/** A well-formed hash no certificate has. */
const MADE_UP = 'ce'.repeat(32);
const U64_MAX = (1n << 64n) - 1n;
const roots = new CertifiedRoots();
let running: RunningSnapshotter;
let aggregator: RunningServer;
let client: SnapshotterServiceClient;
let storageDirectory: string;

beforeAll(async () => {
  storageDirectory = tempDir('grpc-artifacts');
  aggregator = await startAggregatorDouble(roots);
  running = await startSnapshotter(
    {
      network: 'devnet',
      grpcPort: 0,
      httpPort: 0,
      immutableDirectory: immutableDb(3),
      storageDirectory,
      storePath: join(tempDir('grpc-store'), 'snapshotter.sqlite3'),
      digestCache: 'sqlite',
      aggregatorAddress: `127.0.0.1:${aggregator.port}`,
      insecure: true,
    },
    { logger: silentLogger },
  );
  client = new SnapshotterServiceClient(`127.0.0.1:${running.grpcPort}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await running.close();
  await aggregator.close();
  removeTempDirs();
});

const versions = () => setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION });
const beacon = (immutableFileNumber: bigint, network = 'devnet'): CardanoDbBeacon => ({ network, epoch: 4n, immutableFileNumber });

type Method = 'computeDigest' | 'createSnapshot' | 'getSnapshot' | 'listImmutableFileDigests';
function call<T>(method: Method, request: unknown, metadata: Metadata = versions()): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    (client[method] as unknown as (r: unknown, m: Metadata, cb: (e: ServiceError | null, r?: T) => void) => void).call(
      client,
      request,
      metadata,
      (error, response) => (error ? reject(error) : resolve(response as T)),
    ),
  );
}

async function failure(promise: Promise<unknown>): Promise<{ code: status; detail: ReturnType<typeof readErrorDetail> }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as ServiceError).code, detail: readErrorDetail(error as ServiceError) };
  }
  throw new Error('expected the call to fail');
}

describe('SnapshotterService over gRPC', () => {
  it('computes digests and lists file digests in order', async () => {
    expect(await call('computeDigest', { beacon: beacon(2n) })).toEqual({ digest: expectedRoot(2) });
    expect(await call('listImmutableFileDigests', { beacon: beacon(1n) })).toEqual({ digests: expectedFiles(1) });
  });

  it('creates a snapshot whose locations download from the snapshotter, then gets it by digest', async () => {
    const CERTIFICATE = roots.certify(4n, 2n, expectedRoot(2)).hash;
    const response = await call<{
      snapshot: { digest: string; size: bigint; locations: string[] };
      cardanoDatabaseSnapshot: Record<string, unknown> & {
        fullArchiveSha256: string;
        fullArchiveLocations: { uri: string }[];
        immutablesLocations: { uri: string; isTemplate: boolean }[];
      };
    }>('createSnapshot', {
      beacon: beacon(2n),
      digest: expectedRoot(2),
      certificateHash: CERTIFICATE,
      compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_UNSPECIFIED,
    });
    const database = response.cardanoDatabaseSnapshot;
    expect(database).toMatchObject({
      merkleRoot: expectedRoot(2),
      certificateHash: CERTIFICATE,
      compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
    });
    expect(database.immutablesLocations[0]).toMatchObject({
      uri: `http://127.0.0.1:${running.httpPort}/artifacts/immutables/{immutable_file_number}.tar.gz`,
      isTemplate: true,
    });
    const full = Buffer.from(await (await fetch(database.fullArchiveLocations[0]!.uri)).arrayBuffer());
    expect(sha256(full)).toBe(database.fullArchiveSha256);
    expect(response.snapshot).toMatchObject({ digest: expectedRoot(2), size: BigInt(full.length), locations: [database.fullArchiveLocations[0]!.uri] });
    expect(await call('getSnapshot', { digest: expectedRoot(2) })).toEqual({ snapshot: response.snapshot });
  });

  it('answers with typed errors: digest mismatch, unknown snapshot, not final yet, malformed, unknown compression', async () => {
    // A real certificate of the wrong root: the files say otherwise.
    const wrongRoot = roots.certify(4n, 1n, expectedRoot(2)).hash;
    const mismatch = await failure(
      call('createSnapshot', { beacon: beacon(1n), digest: expectedRoot(2), certificateHash: wrongRoot, compressionAlgorithm: 0 }),
    );
    expect(mismatch.code).toBe(status.FAILED_PRECONDITION);
    expect(mismatch.detail).toMatchObject({
      code: ErrorCode.ERROR_CODE_DIGEST_MISMATCH,
      metadata: { expected_digest: expectedRoot(2), computed_digest: expectedRoot(1) },
    });

    const unknown = await failure(call('getSnapshot', { digest: '00'.repeat(32) }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(unknown.detail?.code).toBe(ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND);

    const open = await failure(call('computeDigest', { beacon: beacon(3n) }));
    expect(open.code).toBe(status.OUT_OF_RANGE);
    expect(open.detail).toMatchObject({ code: ErrorCode.ERROR_CODE_BEYOND_CHAIN_TIP, metadata: { latest_immutable_file_number: '2' } });

    for (const request of [{}, { beacon: beacon(1n, 'mainnet') }]) {
      const malformed = await failure(call('computeDigest', request));
      expect(malformed.code).toBe(status.INVALID_ARGUMENT);
      expect(malformed.detail?.code).toBe(ErrorCode.ERROR_CODE_MALFORMED_REQUEST);
    }
    const badDigest = await failure(call('getSnapshot', { digest: 'not hex' }));
    expect(badDigest.detail?.code).toBe(ErrorCode.ERROR_CODE_MALFORMED_REQUEST);

    const unknownCompression = await failure(
      call('createSnapshot', { beacon: beacon(1n), digest: expectedRoot(1), certificateHash: MADE_UP, compressionAlgorithm: 9 as CompressionAlgorithm }),
    );
    expect(unknownCompression.code).toBe(status.INVALID_ARGUMENT);
    expect(unknownCompression.detail).toMatchObject({ code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST });
    expect(unknownCompression.detail?.message).toMatch(/compression_algorithm 9 is not a known CompressionAlgorithm/);
  });

  it('refuses numbers past the tip in each RPC at once (typed OUT_OF_RANGE, heap bounded) while other calls answer', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    for (const number of [U64_MAX, 1_000_000_000n]) {
      for (const [method, request] of [
        ['computeDigest', { beacon: beacon(number) }],
        ['listImmutableFileDigests', { beacon: beacon(number) }],
        ['createSnapshot', { beacon: beacon(number), digest: expectedRoot(2), certificateHash: MADE_UP, compressionAlgorithm: 0 }],
      ] as const) {
        const started = performance.now();
        // A well-behaved call in flight at the same time is not held up by the refused one.
        const [refused, digest] = await Promise.all([failure(call(method, request)), call('computeDigest', { beacon: beacon(2n) })]);
        const ms = performance.now() - started;
        expect([method, refused.code, refused.detail?.code]).toEqual([method, status.OUT_OF_RANGE, ErrorCode.ERROR_CODE_BEYOND_CHAIN_TIP]);
        expect(refused.detail?.metadata).toEqual({ immutable_file_number: number.toString(), latest_immutable_file_number: '2' });
        expect(digest).toEqual({ digest: expectedRoot(2) });
        expect(ms).toBeLessThan(1_000);
      }
    }
    // The attack this guards against built every file name up to the number: gigabytes of heap.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses CreateSnapshot for a made-up certificate or one of other files, and publishes nothing', async () => {
    const published = () => readdirSync(storageDirectory, { recursive: true }).sort();
    const before = published();
    const certifiesOther = roots.certify(4n, 1n, expectedRoot(1)).hash;
    for (const [certificateHash, check] of [
      [MADE_UP, 'certificate'],
      [certifiesOther, 'beacon'],
      [roots.certify(4n, 2n, expectedRoot(1)).hash, 'cardano_database_merkle_root'],
    ] as const) {
      const refused = await failure(call('createSnapshot', { beacon: beacon(2n), digest: expectedRoot(2), certificateHash, compressionAlgorithm: 0 }));
      expect(refused.code).toBe(status.FAILED_PRECONDITION);
      expect(refused.detail).toMatchObject({ code: ErrorCode.ERROR_CODE_CERTIFICATE_MISMATCH, metadata: { check, certificate_hash: certificateHash } });
    }
    expect(published()).toEqual(before);
  });

  it('refuses a request over 64 KiB before decoding it', async () => {
    const refused = await failure(call('getSnapshot', { digest: 'a'.repeat(70 * 1024) }));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('rejects requests without version metadata or with an incompatible protocol version', async () => {
    const missing = await failure(call('computeDigest', { beacon: beacon(1n) }, new Metadata()));
    expect(missing.code).toBe(status.INVALID_ARGUMENT);
    expect(missing.detail?.code).toBe(ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA);
    const incompatible = await failure(call('computeDigest', { beacon: beacon(1n) }, setVersionMetadata({ nodeVersion: '9.9.9', protocolVersion: '99.0' })));
    expect(incompatible.code).toBe(status.FAILED_PRECONDITION);
    expect(incompatible.detail?.code).toBe(ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION);
  });
});
