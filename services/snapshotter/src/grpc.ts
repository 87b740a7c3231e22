/** The SnapshotterService gRPC handlers: decode, call the snapshotter, map its errors to typed gRPC errors. */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ErrorCode, SnapshotterServiceService, createServiceError, type CardanoDbBeacon, type SnapshotterServiceComputeDigestRequest, type SnapshotterServiceComputeDigestResponse, type SnapshotterServiceCreateSnapshotRequest, type SnapshotterServiceCreateSnapshotResponse, type SnapshotterServiceGetSnapshotRequest, type SnapshotterServiceGetSnapshotResponse, type SnapshotterServiceListImmutableFileDigestsRequest, type SnapshotterServiceListImmutableFileDigestsResponse, withVersionCheck } from '@mithril-ts/proto';
import { type HostedService, type Logger } from '@mithril-ts/service-kit';
import { SnapshotterError, type SnapshotterErrorCode } from './errors.js';
import { cardanoDatabaseSnapshotMessage, compressionFromProto, snapshotMessage } from './messages.js';
import type { Beacon, Snapshotter } from './snapshotter.js';
import type { ArtifactStorage } from './storage/port.js';

type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

export function snapshotterGrpcService(snapshotter: Snapshotter, storage: ArtifactStorage, nodeVersion: string, logger: Logger): HostedService {
  /** Runs `work`, answering with its result or its error mapped to a typed gRPC error. */
  const unary =
    <Req, Res>(name: string, work: (request: Req) => Promise<Res>): Handler<Req, Res> =>
    (call, callback) => {
      Promise.resolve()
        .then(() => work(call.request))
        .then(
          (response) => callback(null, response),
          (error: unknown) => callback(toServiceError(error, name, logger)),
        );
    };

  const implementation = {
    computeDigest: unary<SnapshotterServiceComputeDigestRequest, SnapshotterServiceComputeDigestResponse>('ComputeDigest', async (request) => ({
      digest: await snapshotter.computeDigest(beaconFromProto(request.beacon)),
    })),
    createSnapshot: unary<SnapshotterServiceCreateSnapshotRequest, SnapshotterServiceCreateSnapshotResponse>('CreateSnapshot', async (request) => {
      const compression = compressionFromProto(request.compressionAlgorithm);
      if (compression === null) throw new SnapshotterError('INVALID_ARGUMENT', `compression_algorithm ${request.compressionAlgorithm} is not a known CompressionAlgorithm`);
      const snapshot = await snapshotter.createSnapshot({
        beacon: beaconFromProto(request.beacon),
        digest: request.digest,
        certificateHash: request.certificateHash,
        compression,
      });
      return { snapshot: snapshotMessage(snapshot, storage), cardanoDatabaseSnapshot: cardanoDatabaseSnapshotMessage(snapshot, storage) };
    }),
    getSnapshot: unary<SnapshotterServiceGetSnapshotRequest, SnapshotterServiceGetSnapshotResponse>('GetSnapshot', async (request) => ({
      snapshot: snapshotMessage(await snapshotter.getSnapshot(request.digest), storage),
    })),
    listImmutableFileDigests: unary<SnapshotterServiceListImmutableFileDigestsRequest, SnapshotterServiceListImmutableFileDigestsResponse>('ListImmutableFileDigests', async (request) => ({
      digests: (await snapshotter.listImmutableFileDigests(beaconFromProto(request.beacon))).map((entry) => ({ immutableFileName: entry.immutableFileName, digest: entry.digest })),
    })),
  };
  return {
    name: 'mithril.v1.SnapshotterService',
    definition: SnapshotterServiceService,
    implementation: withVersionCheck(implementation as unknown as UntypedServiceImplementation, nodeVersion),
  };
}

function beaconFromProto(beacon: CardanoDbBeacon | undefined): Beacon {
  if (beacon === undefined) throw new SnapshotterError('INVALID_ARGUMENT', 'beacon is missing');
  return { network: beacon.network, epoch: beacon.epoch, immutableFileNumber: beacon.immutableFileNumber };
}

const ERROR_CODES: Readonly<Record<SnapshotterErrorCode, ErrorCode | undefined>> = {
  INVALID_ARGUMENT: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
  UNSUPPORTED_COMPRESSION: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
  DIGEST_MISMATCH: ErrorCode.ERROR_CODE_DIGEST_MISMATCH,
  NOT_FOUND: ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND,
  NOT_READY: ErrorCode.ERROR_CODE_NOT_READY,
  // Operator-side failures: logged here, reported as "retry later" without internal details.
  IMMUTABLE_DB_UNREADABLE: undefined,
  STORAGE_FAILED: undefined,
  STORE_FAILED: undefined,
};

function toServiceError(error: unknown, rpc: string, logger: Logger) {
  if (error instanceof SnapshotterError) {
    const code = ERROR_CODES[error.code];
    if (code !== undefined) return createServiceError({ code, message: error.message, metadata: error.metadata });
  }
  logger.error({ err: error, rpc }, 'snapshotter request failed');
  const reason = error instanceof SnapshotterError ? error.code.toLowerCase().replace(/_/g, ' ') : 'internal error';
  return createServiceError({ code: ErrorCode.ERROR_CODE_NOT_READY, message: `${rpc} could not complete (${reason}), retry later`, metadata: { rpc } });
}
