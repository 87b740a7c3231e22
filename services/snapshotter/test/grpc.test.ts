/** SnapshotterService over loopback gRPC: every RPC, typed errors, and the version metadata check. */
import { join } from 'node:path';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { CompressionAlgorithm, ErrorCode, SnapshotterServiceClient, readErrorDetail, setVersionMetadata, type CardanoDbBeacon } from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import { startSnapshotter, type RunningSnapshotter } from '../src/index.js';
import { expectedFiles, expectedRoot, immutableDb, removeTempDirs, sha256, silentLogger, tempDir } from './fixture.js';

const CERTIFICATE = 'ce'.repeat(32);
let running: RunningSnapshotter;
let client: SnapshotterServiceClient;

beforeAll(async () => {
  const storageDirectory = tempDir('grpc-artifacts');
  running = await startSnapshotter(
    {
      network: 'devnet',
      grpcPort: 0,
      httpPort: 0,
      immutableDirectory: immutableDb(3),
      storageDirectory,
      storePath: join(tempDir('grpc-store'), 'snapshotter.sqlite3'),
      digestCache: 'sqlite',
      insecure: true,
    },
    { logger: silentLogger },
  );
  client = new SnapshotterServiceClient(`127.0.0.1:${running.grpcPort}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await running.close();
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
    const mismatch = await failure(
      call('createSnapshot', { beacon: beacon(1n), digest: expectedRoot(2), certificateHash: CERTIFICATE, compressionAlgorithm: 0 }),
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
    expect(open.code).toBe(status.UNAVAILABLE);
    expect(open.detail?.code).toBe(ErrorCode.ERROR_CODE_NOT_READY);

    for (const request of [{}, { beacon: beacon(1n, 'mainnet') }]) {
      const malformed = await failure(call('computeDigest', request));
      expect(malformed.code).toBe(status.INVALID_ARGUMENT);
      expect(malformed.detail?.code).toBe(ErrorCode.ERROR_CODE_MALFORMED_REQUEST);
    }
    const badDigest = await failure(call('getSnapshot', { digest: 'not hex' }));
    expect(badDigest.detail?.code).toBe(ErrorCode.ERROR_CODE_MALFORMED_REQUEST);

    const unknownCompression = await failure(
      call('createSnapshot', { beacon: beacon(1n), digest: expectedRoot(1), certificateHash: CERTIFICATE, compressionAlgorithm: 9 as CompressionAlgorithm }),
    );
    expect(unknownCompression.code).toBe(status.INVALID_ARGUMENT);
    expect(unknownCompression.detail).toMatchObject({ code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST });
    expect(unknownCompression.detail?.message).toMatch(/compression_algorithm 9 is not a known CompressionAlgorithm/);
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
