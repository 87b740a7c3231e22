export { loadConfig, ConfigError, strictBoolean, type LoadConfigOptions } from './config.js';
export { applyBlsBackend, runService, type RunningService } from './service-main.js';
export { singleFlight } from './single-flight.js';
export { closeDraining } from './http-drain.js';
export { createLogger, type Logger } from './logger.js';
export { startTelemetry, QUICK_DURATION_BUCKETS_SECONDS, LONG_DURATION_BUCKETS_SECONDS, type Telemetry, type TelemetryOptions } from './telemetry.js';
export { metricsSettings, healthSettings, METRICS_SETTING_DESCRIPTIONS, HEALTH_SETTING_DESCRIPTIONS } from './observability-settings.js';
export { startGrpcServer, hostedService, isLoopbackHost, DEFAULT_MAX_RECEIVE_BYTES, DRAIN_MS, type HostedService, type RunningServer } from './grpc-server.js';
export { tlsSettings, allowedClientsSetting, requireTlsFiles, TLS_SETTING_DESCRIPTIONS, type TlsSettings } from './tls-settings.js';
export {
  serverTls,
  channelCredentials,
  normaliseFingerprint,
  DEFAULT_CERTIFICATE_REFRESH_MS,
  type ServerTls,
  type ClientCertificateMode,
  type ClientTlsSettings,
} from './tls-credentials.js';
export { withClientAuthorization, certificateIdentities, refusalOf, type ClientAuthorization } from './tls-authorization.js';
export { describeConnectionFailure } from './tls-errors.js';
export { HealthService, MAX_HEALTH_SERVICE_NAME_BYTES, checkPeerHealth } from './grpc-health.js';
export { mapError, serviceErrorOf, errorBehind, unaryHandler, type ErrorRule, type ServiceErrorOptions } from './grpc-errors.js';
export { withServerTracing, clientTracingInterceptor, withTraceParent, callTraceContext, type CallOutcome, type ServerTracingOptions } from './grpc-tracing.js';
export { CardanoCliFilesChainObserver } from './cardano/cardano-cli-files.js';
export { ChainObserverError, type ChainObserverErrorCode } from './cardano/chain-observer-error.js';
export { NodeChainObserver, type NodeChainObserverOptions, type NodeStakeSnapshots } from './cardano/node-chain-observer.js';
export {
  CardanoCliChainObserver,
  CARDANO_CLI_COMMAND_ERAS,
  type CardanoCliCommandEra,
  type CardanoCliObserverOptions,
  type CardanoNetworkSelector,
} from './cardano/cardano-cli-observer.js';
export { OgmiosChainObserver, type OgmiosObserverOptions } from './cardano/ogmios-observer.js';
export {
  chainObserverSettings,
  requireChainObserverSettings,
  createChainObserver,
  CHAIN_OBSERVERS,
  CHAIN_OBSERVER_SETTING_DESCRIPTIONS,
  type ChainObserverSettings,
  type CreatedChainObserver,
} from './cardano/chain-observer-settings.js';
export { errorMessage } from './error-message.js';
export { ImmutableDbDigester, ImmutableDbError, type ImmutableDbErrorCode, type ImmutableFileDigestsOptions } from './cardano/immutable-db-digester.js';
export { readImmutableBlocks, type ImmutableBlock, type ReadImmutableBlocksOptions } from './cardano/immutable-block-reader.js';
export { injectTraceContext, extractTraceContext } from './trace-context.js';
export { GroupedMicroBatcher, MicroBatcher, type GroupedMicroBatcherOptions, type MicroBatcherOptions } from './micro-batcher.js';
export * from './store/index.js';
export {
  readSecretFile,
  readSecretFileSync,
  SecretFileError,
  allowInsecureKeyPermissionsSchema,
  ALLOW_INSECURE_KEY_PERMISSIONS_DESCRIPTION,
  DEFAULT_MAX_SECRET_FILE_BYTES,
  type ReadSecretFileOptions,
  type SecretFileProblem,
} from './secret-file.js';
export {
  BootstrapEraReader,
  CardanoChainEraReader,
  CardanoCliFilesDatumSource,
  EraReaderError,
  FileEraReader,
  type EraReader,
  type InlineDatumSource,
} from './era/era-reader.js';
export { EraChecker, type EraCheckerOptions } from './era/era-checker.js';
export { eraSettings, ERA_SETTING_DESCRIPTIONS, requireEraSettings, eraReaderFromSettings, type EraSettings } from './era/era-settings.js';
