export { SnapshotterError, type SnapshotterErrorCode } from './errors.js';
export { digestsListJson } from './digests-list.js';
export type { DigestCache } from './digest-cache/port.js';
export { MemoryDigestCache } from './digest-cache/memory.js';
export { JsonFileDigestCache } from './digest-cache/json-file.js';
export { CachedImmutableDigester, type ImmutableFilesDigest } from './digester.js';
export { checkStorageKey, joinUrl, type ArtifactStorage, type ByteRange, type StoredObjectInfo } from './storage/port.js';
export { LocalDirectoryStorage } from './storage/local-directory.js';
export { S3Storage, S3_DEFAULT_PART_BYTES, S3_MIN_PART_BYTES, type S3StorageOptions } from './storage/s3.js';
export { storeArchive, ARCHIVE_DIRECTORY, ARCHIVE_EXTENSIONS, SUPPORTED_COMPRESSIONS, type StoredArchive, type ArchiveRequest } from './archive/archiver.js';
export { MeasuringStream } from './archive/measure.js';
export { parseRange, type RangeRequest } from './http/range.js';
export { startDownloadServer, DOWNLOAD_ROUTE_PREFIX, type DownloadServer } from './http/download-server.js';
export { planRetention, newestFirst, type RetentionPlan } from './retention.js';
export {
  Snapshotter,
  immutableArchiveKey,
  IMMUTABLE_NUMBER_TEMPLATE,
  type Beacon,
  type CreateSnapshotRequest,
  type RetentionReport,
  type SnapshotterDependencies,
} from './snapshotter.js';
export { snapshotMessage, cardanoDatabaseSnapshotMessage, compressionToProto, compressionFromProto } from './messages.js';
export { snapshotterGrpcService } from './grpc.js';
export * from './store/index.js';
export { snapshotterConfigSchema, loadSnapshotterConfig, type SnapshotterConfig, type SnapshotterConfigInput } from './config.js';
export { startSnapshotter, SNAPSHOTTER_VERSION, SNAPSHOTTER_MAX_REQUEST_BYTES, type RunningSnapshotter } from './server.js';
export { checkCertifiedDatabase, type CertificateLookup, type CertifiedDatabase } from './certificate-check.js';
export { AggregatorCertificates, type AggregatorCertificatesOptions } from './aggregator-client.js';
