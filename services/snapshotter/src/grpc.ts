/** The SnapshotterService gRPC handlers: decode, call the snapshotter, map its errors to typed gRPC errors. */
import type { Tracer } from '@opentelemetry/api';
import { ErrorCode, SnapshotterServiceService, type CardanoDbBeacon, type SnapshotterServiceServer } from '@mithril-ts/proto';
import { hostedService, mapError, unaryHandler, type HostedService, type Logger, type ServiceErrorOptions } from '@mithril-ts/service-kit';
import { SnapshotterError, type SnapshotterErrorCode } from './errors.js';
import { cardanoDatabaseSnapshotMessage, compressionFromProto, snapshotMessage } from './messages.js';
import type { Beacon, Snapshotter } from './snapshotter.js';
import type { ArtifactStorage } from './storage/port.js';

export function snapshotterGrpcService(snapshotter: Snapshotter, storage: ArtifactStorage, nodeVersion: string, logger: Logger, tracer: Tracer): HostedService {
  const errors: ServiceErrorOptions = {
    rules: [
      mapError(SnapshotterError, (error) => {
        const code = ERROR_CODES[error.code];
        return code === undefined ? undefined : { code, message: error.message, metadata: error.metadata };
      }),
    ],
    logger,
    logMessage: 'snapshotter request failed',
    unexpected: (error, rpc) => {
      const reason = error instanceof SnapshotterError ? error.code.toLowerCase().replace(/_/g, ' ') : 'internal error';
      return { code: ErrorCode.ERROR_CODE_NOT_READY, message: `${rpc} could not complete (${reason}), retry later`, metadata: { rpc } };
    },
  };

  const implementation: SnapshotterServiceServer = {
    computeDigest: unaryHandler('ComputeDigest', errors, async (request) => ({
      digest: await snapshotter.computeDigest(beaconFromProto(request.beacon)),
    })),
    createSnapshot: unaryHandler('CreateSnapshot', errors, async (request) => {
      const compression = compressionFromProto(request.compressionAlgorithm);
      if (compression === null)
        throw new SnapshotterError('INVALID_ARGUMENT', `compression_algorithm ${request.compressionAlgorithm} is not a known CompressionAlgorithm`);
      const snapshot = await snapshotter.createSnapshot({
        beacon: beaconFromProto(request.beacon),
        digest: request.digest,
        certificateHash: request.certificateHash,
        compression,
      });
      return { snapshot: snapshotMessage(snapshot, storage), cardanoDatabaseSnapshot: cardanoDatabaseSnapshotMessage(snapshot, storage) };
    }),
    getSnapshot: unaryHandler('GetSnapshot', errors, async (request) => ({
      snapshot: snapshotMessage(await snapshotter.getSnapshot(request.digest), storage),
    })),
    listImmutableFileDigests: unaryHandler('ListImmutableFileDigests', errors, async (request) => ({
      digests: (await snapshotter.listImmutableFileDigests(beaconFromProto(request.beacon))).map((entry) => ({
        immutableFileName: entry.immutableFileName,
        digest: entry.digest,
      })),
    })),
  };
  return hostedService({ definition: SnapshotterServiceService, implementation, nodeVersion, tracing: { tracer } });
}

function beaconFromProto(beacon: CardanoDbBeacon | undefined): Beacon {
  if (beacon === undefined) throw new SnapshotterError('INVALID_ARGUMENT', 'beacon is missing');
  return { network: beacon.network, epoch: beacon.epoch, immutableFileNumber: beacon.immutableFileNumber };
}

/** How each SnapshotterError is answered; undefined: the operator's problem, logged and answered "retry later". */
const ERROR_CODES: Readonly<Record<SnapshotterErrorCode, ErrorCode | undefined>> = {
  INVALID_ARGUMENT: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
  UNSUPPORTED_COMPRESSION: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
  DIGEST_MISMATCH: ErrorCode.ERROR_CODE_DIGEST_MISMATCH,
  NOT_FOUND: ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND,
  NOT_READY: ErrorCode.ERROR_CODE_NOT_READY,
  BEYOND_TIP: ErrorCode.ERROR_CODE_BEYOND_CHAIN_TIP,
  CERTIFICATE_MISMATCH: ErrorCode.ERROR_CODE_CERTIFICATE_MISMATCH,
  // Operator-side failures: logged here, reported as "retry later" without internal details.
  IMMUTABLE_DB_UNREADABLE: undefined,
  STORAGE_FAILED: undefined,
  STORE_FAILED: undefined,
  CERTIFICATE_UNAVAILABLE: undefined,
};
