/**
 * The Mithril client as a library: the same commands the `mithril-client` bin runs (`runCli`),
 * the aggregator port with its gRPC and REST adapters, verification, and restoring snapshots.
 */
export { runCli } from './cli.js';
export { CliError, EXIT_CODES, toCliError, type CliErrorKind } from './errors.js';
export { Output, jsonLine, type CliIo } from './output.js';
export { CLIENT_VERSION, REST_API_VERSION } from './version.js';
export type * from './aggregator/port.js';
export { parseAggregatorEndpoint, type AggregatorEndpoint } from './aggregator/endpoint.js';
export { GrpcAggregatorClient } from './aggregator/grpc.js';
export { RestAggregatorClient } from './aggregator/rest.js';
export { digestsListFromJson } from './aggregator/decode.js';
export { verifyCertificateChain, verifyCertifiedSnapshot, verifyDigestsList, verifyStakeDistribution, type VerifiedChain } from './verify.js';
export { certificateStrength, type CertificateStrength } from './strength.js';
export { restoreSnapshot, type RestoreDependencies, type RestoreEvents, type RestoreReport, type RestoreRequest } from './restore/restore.js';
export { downloadToFile, downloadFromLocations } from './restore/download.js';
