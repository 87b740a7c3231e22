/** The Mithril aggregator. */
export * from './store/index.js';
export { AggregatorRuntime, type AggregatorRuntimeEvents, type AggregatorRuntimeOptions } from './runtime/aggregator-runtime.js';
export type { RegisterSignerInput } from './runtime/registration-intake.js';
export type { RegisterSignatureInput, RegisterSignatureOutcome, SignatureAccepted } from './runtime/signature-intake.js';
export { describeType } from './runtime/signed-entities.js';
export { AggregatorError, type AggregatorErrorCode } from './runtime/errors.js';
export { describeState, type AggregatorState, type BlockedReason } from './runtime/state.js';
export { transition, type ChainObservation, type Command, type Observation, type Transition } from './runtime/state-machine.js';
export { loadEpochContext, type EpochContext } from './runtime/epoch-context.js';
export { parametersSchedule, scheduleSchema, type ScheduleEntry } from './runtime/parameters.js';
export { aggregatorConfigSchema, loadAggregatorConfig, type AggregatorConfig, type AggregatorConfigInput } from './config.js';
export { startAggregator, AGGREGATOR_VERSION, type RunningAggregator } from './server.js';
export { aggregatorGrpcService, type AggregatorGrpcOptions } from './grpc/service.js';
export { readGenesisPayload, readGenesisSigner, readGenesisVerificationKey, writeGenesisKeys, writeGenesisPayload } from './genesis.js';
export { exportGenesisPayload, generateGenesisKeys, importGenesisCertificate, signGenesisPayload } from './genesis-commands.js';
