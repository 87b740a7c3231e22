/**
 * SnapshotterService over a real connection under fuzzed requests (random bytes, mutated requests,
 * valid ones of extreme numbers and bulky fields): every call ends with OK or a typed error, the
 * snapshotter keeps serving, its heap comes back. `npm run fuzz` raises the cases through FUZZ_RUNS.
 */
import { join } from 'node:path';
import {
  CompressionAlgorithm,
  SnapshotterServiceComputeDigestRequest,
  SnapshotterServiceCreateSnapshotRequest,
  SnapshotterServiceGetSnapshotRequest,
  SnapshotterServiceListImmutableFileDigestsRequest,
  type CardanoDbBeacon,
} from '@mithril-ts/proto';
import type { RunningServer } from '@mithril-ts/service-kit';
import {
  RawGrpcCaller,
  bulkyText,
  extremeBeacon,
  extremeInt32,
  fuzzRpc,
  fuzzRuns,
  fuzzHealthCheck,
  requestInputs,
  seedInputs,
  settledHeapBytes,
  type FuzzInput,
} from '@mithril-ts/testkit/fuzz';
import fc, { type Arbitrary } from 'fast-check';
import { SNAPSHOTTER_MAX_REQUEST_BYTES, startSnapshotter, type RunningSnapshotter } from '../src/index.js';
import { CertifiedRoots, expectedRoot, immutableDb, removeTempDirs, silentLogger, startAggregatorDouble, tempDir } from './fixture.js';

const RUNS = fuzzRuns(12);
/** Room for the rest of a message beside one bulky field: some bulky requests fit the snapshotter's limit, some do not. */
const BULKY = SNAPSHOTTER_MAX_REQUEST_BYTES + 4096;
/** What the heap may keep after the run: caches that fill once, the test's own records; a leak per call grows past it. */
const HEAP_BOUND = 24 * 1024 * 1024;
/** The immutable database has trios 0..3, 3 being the chunk still written: 2 is the last final one. */
const TIP = 2n;
/** Real certificates of the database's roots, served by an aggregator double: the valid seeds of CreateSnapshot are accepted. */
const roots = new CertifiedRoots();
const CERTIFICATE = roots.certify(4n, TIP, expectedRoot(Number(TIP))).hash;
const CERTIFICATE_OF_1 = roots.certify(4n, 1n, expectedRoot(1)).hash;

const beacon = (immutableFileNumber: bigint): CardanoDbBeacon => ({ network: 'devnet', epoch: 4n, immutableFileNumber });
// Numbers past the tip included: the snapshotter refuses them (BEYOND_CHAIN_TIP) before any digest is computed.
const beacons = extremeBeacon(['devnet'], BULKY);
const hex64 = fc.oneof(fc.constantFrom(expectedRoot(Number(TIP)), expectedRoot(1), CERTIFICATE, CERTIFICATE_OF_1), bulkyText(BULKY));

interface FuzzedRpc {
  readonly path: string;
  readonly inputs: Arbitrary<FuzzInput>;
  /** Valid requests run on every run: the accepted path is taken. */
  readonly examples: readonly FuzzInput[];
}

/** An RPC's inputs: its valid seeds as they are and mutated, and generated valid requests. */
function fuzzedRpc(path: string, seeds: readonly Uint8Array[], valid: Arbitrary<Uint8Array>): FuzzedRpc {
  return { path, inputs: requestInputs({ seeds, valid }), examples: seedInputs(seeds) };
}

const createSnapshot = fuzzedRpc(
  '/mithril.v1.SnapshotterService/CreateSnapshot',
  [
    {
      beacon: beacon(TIP),
      digest: expectedRoot(Number(TIP)),
      certificateHash: CERTIFICATE,
      compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
    },
    {
      beacon: beacon(1n),
      digest: expectedRoot(1),
      certificateHash: CERTIFICATE_OF_1,
      compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_UNSPECIFIED,
    },
  ].map((request) => SnapshotterServiceCreateSnapshotRequest.encode(request).finish()),
  fc
    .record({ beacon: beacons, digest: hex64, certificateHash: hex64, compressionAlgorithm: extremeInt32() })
    .map((request) => SnapshotterServiceCreateSnapshotRequest.encode(request).finish()),
);

const rpcs: FuzzedRpc[] = [
  fuzzedRpc(
    '/mithril.v1.SnapshotterService/ComputeDigest',
    [beacon(TIP), beacon(0n)].map((b) => SnapshotterServiceComputeDigestRequest.encode({ beacon: b }).finish()),
    beacons.map((b) => SnapshotterServiceComputeDigestRequest.encode({ beacon: b }).finish()),
  ),
  fuzzedRpc(
    '/mithril.v1.SnapshotterService/ListImmutableFileDigests',
    [beacon(TIP), beacon(1n)].map((b) => SnapshotterServiceListImmutableFileDigestsRequest.encode({ beacon: b }).finish()),
    beacons.map((b) => SnapshotterServiceListImmutableFileDigestsRequest.encode({ beacon: b }).finish()),
  ),
  createSnapshot,
  fuzzedRpc(
    '/mithril.v1.SnapshotterService/GetSnapshot',
    [expectedRoot(Number(TIP)), '00'.repeat(32)].map((digest) => SnapshotterServiceGetSnapshotRequest.encode({ digest }).finish()),
    hex64.map((digest) => SnapshotterServiceGetSnapshotRequest.encode({ digest }).finish()),
  ),
];

let running: RunningSnapshotter;
let aggregator: RunningServer;
let caller: RawGrpcCaller;
let heapBefore: number;

beforeAll(async () => {
  aggregator = await startAggregatorDouble(roots);
  running = await startSnapshotter(
    {
      network: 'devnet',
      grpcPort: 0,
      httpPort: 0,
      immutableDirectory: immutableDb(3),
      storageDirectory: tempDir('fuzz-artifacts'),
      storePath: join(tempDir('fuzz-store'), 'snapshotter.sqlite3'),
      digestCache: 'sqlite',
      aggregatorAddress: `127.0.0.1:${aggregator.port}`,
      insecure: true,
    },
    { logger: silentLogger },
  );
  caller = new RawGrpcCaller(`127.0.0.1:${running.grpcPort}`);
  // Warm up (code paths compiled, caches filled, a snapshot stored) before the heap is measured.
  for (const rpc of rpcs) await fuzzRpc(caller, { ...rpc, runs: 5, maxRequestBytes: SNAPSHOTTER_MAX_REQUEST_BYTES });
  heapBefore = settledHeapBytes();
});

afterAll(async () => {
  caller.close();
  await running.close();
  await aggregator.close();
  removeTempDirs();
});

describe('SnapshotterService under fuzzed requests', () => {
  it.each(rpcs)(`$path answers ${RUNS} requests with OK or a typed error, never a fault or a hang`, async (rpc) => {
    const counts = await fuzzRpc(caller, { ...rpc, runs: RUNS, maxRequestBytes: SNAPSHOTTER_MAX_REQUEST_BYTES });
    // Every RPC's valid seeds are accepted (CreateSnapshot's: certified by the aggregator's real certificates).
    expect(counts.OK ?? 0).toBeGreaterThan(0);
  });

  it('the health service answers fuzzed requests with OK or a refusal', async () => {
    await fuzzHealthCheck(caller, ['mithril.v1.SnapshotterService'], RUNS);
  });

  it('keeps serving after the run, its heap back to its level', async () => {
    expect(await caller.health('mithril.v1.SnapshotterService')).toBe('SERVING');
    expect(settledHeapBytes() - heapBefore).toBeLessThan(HEAP_BOUND);
  });
});
