export { loadConfig, ConfigError, type LoadConfigOptions } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { startTelemetry, type Telemetry } from './telemetry.js';
export { startGrpcServer, withVersionCheck, DEFAULT_MAX_RECEIVE_BYTES, type HostedService, type RunningServer } from './grpc-server.js';
export { CardanoCliFilesChainObserver, ChainObserverError } from './cardano/cardano-cli-files.js';
export * from './wire.js';
export { ImmutableDbDigester, ImmutableDbError, type ImmutableDbErrorCode } from './cardano/immutable-db-digester.js';
export { injectTraceContext, extractTraceContext } from './trace-context.js';
export { MicroBatcher, type MicroBatcherOptions } from './micro-batcher.js';
