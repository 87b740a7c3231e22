/**
 * The servers side of `bench:restore`, run as its own process so that serving does not share the
 * client's event loop (curl gets a process of its own too): the snapshotter (its real
 * `startSnapshotter`: SQLite store and digest cache, local artifact storage, download server)
 * makes the snapshot of the bench's generated immutable files — kept between runs of the same
 * size, so only the first run pays for the archives — and an AggregatorService over gRPC on
 * loopback serves it with a certificate chain certifying its Merkle root (real STM
 * multi-signatures, real genesis signature), the snapshot message built by the snapshotter's
 * own `cardanoDatabaseSnapshotMessage`, and its digests list.
 *
 * Prints one JSON line (what the client needs) once everything listens; stops when stdin closes.
 */
import { join } from 'node:path';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import * as proto from '@mithril-ts/proto';
import { certificateToProto, withVersionCheck } from '@mithril-ts/proto';
import type { Certificate } from '@mithril-ts/protocol';
import { createLogger, startGrpcServer } from '@mithril-ts/service-kit';
import { cardanoDatabaseSnapshotMessage, startSnapshotter } from '@mithril-ts/snapshotter';
import { ensureDataset } from '@mithril-ts/testkit/bench';
import { certifyMerkleRoot } from './certified.js';

export const NETWORK = 'devnet';
export const EPOCH = 3n;

export interface ServedSnapshot {
  readonly aggregator: string;
  readonly hash: string;
  readonly genesisKey: string;
  readonly fullArchiveUrl: string;
  readonly fullArchiveSize: number;
  readonly totalSize: number;
  readonly numbers: number;
  readonly files: number;
  /** Seconds the snapshotter took to store the snapshot (0 when kept from an earlier run). */
  readonly snapshotSeconds: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const dataset = ensureDataset(log);
const work = join(dataset.cacheDirectory, 'restore');
const logger = createLogger('bench-snapshotter', 'warn');
// The AggregatorService listens first: the snapshotter asks it for the certificate of the snapshot it makes.
const certificates = new Map<string, Certificate>();
/** What the AggregatorService serves, filled once the snapshot is made. */
const state: {
  genesis?: Certificate;
  message?: proto.CardanoDatabaseSnapshot;
  digests: readonly { readonly immutableFileName: string; readonly digest: string }[];
} = { digests: [] };

type Callback = (error: unknown, value?: unknown) => void;
const unary =
  <Request>(handle: (request: Request) => unknown) =>
  (call: { request: Request }, callback: Callback) => {
    const answer = handle(call.request);
    if (answer instanceof Error) callback(answer);
    else callback(null, answer);
  };
const notFound = (what: string) => proto.createServiceError({ code: proto.ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND, message: what });
const implementation = {
  getCertificate: unary<proto.GetCertificateRequest>((request) => {
    const certificate = certificates.get(request.hash);
    return certificate === undefined
      ? proto.createServiceError({ code: proto.ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND, message: `no certificate ${request.hash}` })
      : { certificate: certificateToProto(certificate), certificateJson: '' };
  }),
  getGenesisCertificate: unary<proto.GetGenesisCertificateRequest>(() =>
    state.genesis === undefined
      ? proto.createServiceError({ code: proto.ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND, message: 'no genesis certificate yet' })
      : { certificate: certificateToProto(state.genesis), certificateJson: '' },
  ),
  listCardanoDatabaseSnapshots: unary<proto.ListCardanoDatabaseSnapshotsRequest>(() => ({
    snapshots: state.message === undefined ? [] : [state.message],
    nextPageToken: '',
  })),
  getCardanoDatabaseSnapshot: unary<proto.GetCardanoDatabaseSnapshotRequest>((request) =>
    state.message !== undefined && request.hash === state.message.hash ? { snapshot: state.message } : notFound(`no snapshot ${request.hash}`),
  ),
  getCardanoDatabaseDigests: unary<proto.GetCardanoDatabaseDigestsRequest>((request) =>
    state.message !== undefined && (request.hash === state.message.hash || request.hash === '')
      ? { hash: state.message.hash, digests: state.digests.map((entry) => ({ immutableFileName: entry.immutableFileName, digest: entry.digest })) }
      : notFound(`no snapshot ${request.hash}`),
  ),
};
const aggregator = await startGrpcServer({
  host: '127.0.0.1',
  port: 0,
  services: [
    {
      name: 'mithril.v1.AggregatorService',
      definition: proto.AggregatorServiceService,
      implementation: withVersionCheck(implementation as unknown as UntypedServiceImplementation, '0.1.0'),
    },
  ],
});

const snapshotter = await startSnapshotter(
  {
    network: NETWORK,
    immutableDirectory: dataset.immutableDirectory,
    storage: 'local',
    storageDirectory: join(work, 'storage'),
    storePath: join(work, 'snapshotter.sqlite3'),
    grpcPort: 0,
    httpPort: 0,
    aggregatorAddress: `127.0.0.1:${aggregator.port}`,
  },
  { logger },
);
const beacon = { network: NETWORK, epoch: EPOCH, immutableFileNumber: BigInt(dataset.lastNumber) };
const merkleRoot = await snapshotter.snapshotter.computeDigest(beacon);
const certified = certifyMerkleRoot(NETWORK, EPOCH, beacon.immutableFileNumber, merkleRoot);
for (const certificate of certified.certificates) certificates.set(certificate.hash, certificate);
state.genesis = certified.genesis;
const started = performance.now();
const existing = await snapshotter.snapshotter.getSnapshot(merkleRoot).catch(() => undefined);
if (existing === undefined)
  log(`the snapshotter archives ${dataset.files.length} files (full archive + one archive per immutable file number; once per size)…`);
const record = await snapshotter.snapshotter.createSnapshot({ beacon, digest: merkleRoot, certificateHash: certified.certificate.hash });
const snapshotSeconds = existing === undefined ? (performance.now() - started) / 1000 : 0;
state.digests = await snapshotter.snapshotter.listImmutableFileDigests(beacon);
state.message = cardanoDatabaseSnapshotMessage(record, snapshotter.storage);

const served: ServedSnapshot = {
  aggregator: `grpc://127.0.0.1:${aggregator.port}`,
  hash: record.hash,
  genesisKey: certified.genesisKey,
  fullArchiveUrl: snapshotter.storage.url(record.fullArchiveKey),
  fullArchiveSize: Number(record.fullArchiveSize),
  totalSize: Number(record.totalDbSizeUncompressed),
  numbers: dataset.lastNumber + 1,
  files: dataset.files.length,
  snapshotSeconds,
};
process.stdout.write(`${JSON.stringify(served)}\n`);

const stop = async () => {
  await aggregator.close();
  await snapshotter.close();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
