/**
 * Fuzzing a gRPC service over a real connection (`@mithril-ts/testkit/fuzz`): a raw-bytes caller,
 * request arbitraries (random, mutated, extreme valid messages) and the property every RPC must hold.
 */
export { RawGrpcCaller, type CallOutcome } from './grpc-caller.js';
export {
  EXTREME_UINT64,
  bulkyBytes,
  describeInput,
  inputsOf,
  bulkyText,
  extremeDouble,
  extremeInt32,
  extremeUint32,
  extremeUint64,
  mutatedBytes,
  randomBytes,
  requestInputs,
  seedInputs,
  type FuzzInput,
  type InputKind,
} from './arbitraries.js';
export { TYPED_FAILURES, fuzzHealthCheck, fuzzRpc, fuzzRuns, settledHeapBytes, type FuzzRpcOptions, type OutcomeCounts } from './properties.js';
export { extremeBeacon, extremeSignedEntityType } from './messages.js';
