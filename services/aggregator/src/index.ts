/** The Mithril aggregator. */
export * from './store/index.js';
export { AggregatorRuntime, describeType, type AggregatorRuntimeOptions, type RegisterSignatureInput, type RegisterSignerInput } from './runtime/aggregator-runtime.js';
export { AggregatorError, type AggregatorErrorCode } from './runtime/errors.js';
export { describeState, type AggregatorState, type BlockedReason } from './runtime/state.js';
export { loadEpochContext, type EpochContext } from './runtime/epoch-context.js';
export { parametersSchedule, scheduleSchema, type ScheduleEntry } from './runtime/parameters.js';
export { aggregatorConfigSchema, loadAggregatorConfig, type AggregatorConfig, type AggregatorConfigInput } from './config.js';
export { startAggregator, AGGREGATOR_VERSION, type RunningAggregator } from './server.js';
export { aggregatorGrpcService } from './grpc.js';
export { readGenesisPayload, readGenesisSigner, readGenesisVerificationKey, writeGenesisKeys, writeGenesisPayload } from './genesis.js';
export { exportGenesisPayload, generateGenesisKeys, importGenesisCertificate, signGenesisPayload } from './genesis-commands.js';
