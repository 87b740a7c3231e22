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
import { DEFAULT_MAX_RECEIVE_BYTES } from '@mithril-ts/service-kit';
import {
  RawGrpcCaller,
  bulkyText,
  extremeBeacon,
  extremeInt32,
  fuzzRpc,
  fuzzRuns,
  healthRequests,
  requestInputs,
  settledHeapBytes,
  type FuzzInput,
} from '@mithril-ts/testkit/fuzz';
import fc, { type Arbitrary } from 'fast-check';
import { startSnapshotter, type RunningSnapshotter } from '../src/index.js';
import { expectedRoot, immutableDb, removeTempDirs, silentLogger, tempDir } from './fixture.js';

const RUNS = fuzzRuns(40);
/** Room for the rest of a message beside one bulky field. */
const BULKY = DEFAULT_MAX_RECEIVE_BYTES - 4096;
/** What the heap may keep after the run: caches that fill once, the test's own records; a leak per call grows past it. */
const HEAP_BOUND = 24 * 1024 * 1024;
/** The immutable database has trios 0..3, 3 being the chunk still written: 2 is the last final one. */
const TIP = 2n;
const CERTIFICATE = 'ce'.repeat(32);

/**
 * Immutable file numbers past the tip: OFF until the fix of the digester's walk to an immutable file number
 * of 2^64 − 1 (a helper's branch at the time of writing) is merged; then set it to true, which drops the
 * bound on the valid requests' numbers and the filter on the random and mutated ones.
 */
const BEYOND_THE_TIP = false;
const maxNumber = BEYOND_THE_TIP ? undefined : TIP;

const beacon = (immutableFileNumber: bigint): CardanoDbBeacon => ({ network: 'devnet', epoch: 4n, immutableFileNumber });
const beacons = extremeBeacon(['devnet'], BULKY, maxNumber);
const hex64 = fc.oneof(fc.constantFrom(expectedRoot(Number(TIP)), expectedRoot(1), CERTIFICATE), bulkyText(BULKY));

/** Whether the beacon a request decodes to (if any) stays within the tip, while BEYOND_THE_TIP is off. */
function withinTheTip(decode: (bytes: Uint8Array) => { beacon?: CardanoDbBeacon | undefined }): (input: FuzzInput) => boolean {
  return (input) => {
    if (BEYOND_THE_TIP) return true;
    try {
      return (decode(input.bytes).beacon?.immutableFileNumber ?? 0n) <= TIP;
    } catch {
      return true;
    }
  };
}

interface FuzzedRpc {
  readonly path: string;
  readonly inputs: Arbitrary<FuzzInput>;
}

const rpcs: FuzzedRpc[] = [
  {
    path: '/mithril.v1.SnapshotterService/ComputeDigest',
    inputs: requestInputs({
      seeds: [beacon(TIP), beacon(0n)].map((b) => SnapshotterServiceComputeDigestRequest.encode({ beacon: b }).finish()),
      valid: beacons.map((b) => SnapshotterServiceComputeDigestRequest.encode({ beacon: b }).finish()),
    }).filter(withinTheTip((bytes) => SnapshotterServiceComputeDigestRequest.decode(bytes))),
  },
  {
    path: '/mithril.v1.SnapshotterService/ListImmutableFileDigests',
    inputs: requestInputs({
      seeds: [beacon(TIP), beacon(1n)].map((b) => SnapshotterServiceListImmutableFileDigestsRequest.encode({ beacon: b }).finish()),
      valid: beacons.map((b) => SnapshotterServiceListImmutableFileDigestsRequest.encode({ beacon: b }).finish()),
    }).filter(withinTheTip((bytes) => SnapshotterServiceListImmutableFileDigestsRequest.decode(bytes))),
  },
  {
    path: '/mithril.v1.SnapshotterService/CreateSnapshot',
    inputs: requestInputs({
      seeds: [
        {
          beacon: beacon(TIP),
          digest: expectedRoot(Number(TIP)),
          certificateHash: CERTIFICATE,
          compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
        },
        {
          beacon: beacon(1n),
          digest: expectedRoot(1),
          certificateHash: CERTIFICATE,
          compressionAlgorithm: CompressionAlgorithm.COMPRESSION_ALGORITHM_UNSPECIFIED,
        },
      ].map((request) => SnapshotterServiceCreateSnapshotRequest.encode(request).finish()),
      valid: fc
        .record({ beacon: beacons, digest: hex64, certificateHash: hex64, compressionAlgorithm: extremeInt32() })
        .map((request) => SnapshotterServiceCreateSnapshotRequest.encode(request).finish()),
    }).filter(withinTheTip((bytes) => SnapshotterServiceCreateSnapshotRequest.decode(bytes))),
  },
  {
    path: '/mithril.v1.SnapshotterService/GetSnapshot',
    inputs: requestInputs({
      seeds: [expectedRoot(Number(TIP)), '00'.repeat(32)].map((digest) => SnapshotterServiceGetSnapshotRequest.encode({ digest }).finish()),
      valid: hex64.map((digest) => SnapshotterServiceGetSnapshotRequest.encode({ digest }).finish()),
    }),
  },
];

let running: RunningSnapshotter;
let caller: RawGrpcCaller;
let heapBefore: number;

beforeAll(async () => {
  running = await startSnapshotter(
    {
      network: 'devnet',
      grpcPort: 0,
      httpPort: 0,
      immutableDirectory: immutableDb(3),
      storageDirectory: tempDir('fuzz-artifacts'),
      storePath: join(tempDir('fuzz-store'), 'snapshotter.sqlite3'),
      digestCache: 'sqlite',
    },
    { logger: silentLogger },
  );
  caller = new RawGrpcCaller(`127.0.0.1:${running.grpcPort}`);
  // Warm up (code paths compiled, caches filled, a snapshot stored) before the heap is measured.
  for (const rpc of rpcs) await fuzzRpc(caller, { ...rpc, runs: 10, maxRequestBytes: DEFAULT_MAX_RECEIVE_BYTES });
  heapBefore = settledHeapBytes();
});

afterAll(async () => {
  caller.close();
  await running.close();
  removeTempDirs();
});

describe('SnapshotterService under fuzzed requests', () => {
  it.each(rpcs)(`$path answers ${RUNS} requests with OK or a typed error, never a fault or a hang`, async (rpc) => {
    await fuzzRpc(caller, { ...rpc, runs: RUNS, maxRequestBytes: DEFAULT_MAX_RECEIVE_BYTES });
  });

  it('the health service answers fuzzed requests with OK or a refusal', async () => {
    await fuzzRpc(caller, {
      path: '/grpc.health.v1.Health/Check',
      inputs: healthRequests(['mithril.v1.SnapshotterService']),
      runs: RUNS,
      untypedRefusals: true,
    });
  });

  it('keeps serving after the run, its heap back to its level', async () => {
    expect(await caller.health('mithril.v1.SnapshotterService')).toBe('SERVING');
    expect(settledHeapBytes() - heapBefore).toBeLessThan(HEAP_BOUND);
  });
});
