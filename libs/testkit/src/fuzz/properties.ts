/**
 * The property every RPC is fuzzed for: whatever the bytes, the call ends within a deadline with OK
 * or a typed error (a status a caller can act on, with the project's ErrorDetail), never INTERNAL or
 * UNKNOWN (a fault of the server), never a hang; the server keeps serving and its heap comes back.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { status } from '@grpc/grpc-js';
import { ErrorCode } from '@mithril-ts/proto';
import fc, { type Arbitrary } from 'fast-check';
import { describeInput, inputsOf, type FuzzInput } from './arbitraries.js';
import type { CallOutcome, RawGrpcCaller } from './grpc-caller.js';

/** Cases per RPC: `bounded` in `npm test`, FUZZ_RUNS in `npm run fuzz`. */
export function fuzzRuns(bounded: number): number {
  return Number(process.env.FUZZ_RUNS ?? bounded);
}

/** The statuses of a refusal a caller can act on (each carries an ErrorDetail). */
export const TYPED_FAILURES: ReadonlySet<status> = new Set([
  status.INVALID_ARGUMENT,
  status.FAILED_PRECONDITION,
  status.NOT_FOUND,
  status.OUT_OF_RANGE,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.RESOURCE_EXHAUSTED,
  status.ALREADY_EXISTS,
  status.ABORTED,
  status.UNAVAILABLE,
]);

/** The kit's answer to bytes that do not decode (services/kit request-decoding.ts). */
const UNDECODABLE = /^the request does not decode/;

export interface FuzzRpcOptions {
  /** The RPC's path, "/package.Service/Method". */
  readonly path: string;
  readonly inputs: Arbitrary<FuzzInput>;
  readonly runs: number;
  /** A call that has not ended by then is a hang. */
  readonly deadlineMs?: number;
  /** The server's receive limit: a larger request must be refused with RESOURCE_EXHAUSTED. */
  readonly maxRequestBytes?: number;
  /** A server stream (WatchCertificates): a stream still open after this long is cancelled and counts as OK. */
  readonly streamSettleMs?: number;
  /** Inputs run on every run besides the generated ones (a valid request's seeds: the accepted path is always taken). */
  readonly examples?: readonly FuzzInput[];
  /** Refusals without an ErrorDetail are allowed (the standard health service answers plain statuses). */
  readonly untypedRefusals?: boolean;
}

/** How many calls ended with each status (by name), to see that the fuzzer gets past the decoder. */
export type OutcomeCounts = Record<string, number>;

function describe(input: FuzzInput, outcome: CallOutcome): string {
  return `${describeInput(input)} ended with ${status[outcome.code]} "${outcome.details.slice(0, 200)}"`;
}

/** Why `outcome` breaks the property, or undefined when it holds. */
function violation(input: FuzzInput, outcome: CallOutcome, options: FuzzRpcOptions): string | undefined {
  const limit = options.maxRequestBytes ?? Infinity;
  if (input.bytes.length > limit) return outcome.code === status.RESOURCE_EXHAUSTED ? undefined : `an oversized ${describe(input, outcome)}`;
  if (outcome.code === status.OK) return undefined;
  if (!TYPED_FAILURES.has(outcome.code)) return `a server fault or a hang: ${describe(input, outcome)}`;
  if (options.untypedRefusals) return undefined;
  if (outcome.errorCode === undefined || outcome.errorCode === ErrorCode.ERROR_CODE_UNSPECIFIED) return `an untyped refusal: ${describe(input, outcome)}`;
  if (input.kind === 'valid' && UNDECODABLE.test(outcome.details)) return `a valid encoding refused as undecodable: ${describe(input, outcome)}`;
  return undefined;
}

/** Fuzzes one RPC with `options.runs` inputs; throws (with the shrunk input) when a call breaks the property. */
export async function fuzzRpc(caller: RawGrpcCaller, options: FuzzRpcOptions): Promise<OutcomeCounts> {
  const deadlineMs = options.deadlineMs ?? 10_000;
  const counts: OutcomeCounts = {};
  await fc.assert(
    fc.asyncProperty(options.inputs, async (input) => {
      const outcome =
        options.streamSettleMs === undefined
          ? await caller.unary(options.path, input.bytes, deadlineMs)
          : await caller.serverStream(options.path, input.bytes, options.streamSettleMs, deadlineMs);
      const name = status[outcome.code] ?? String(outcome.code);
      counts[name] = (counts[name] ?? 0) + 1;
      const broken = violation(input, outcome, options);
      if (broken !== undefined) throw new Error(`${options.path}: ${broken}`);
    }),
    { numRuns: options.runs, examples: (options.examples ?? []).map((input): [FuzzInput] => [input]) },
  );
  return counts;
}

/**
 * The standard health service (grpc.health.v1 Check) of a server hosting `hosted`, fuzzed like an RPC:
 * it needs no version metadata, so its refusals carry no typed detail (`untypedRefusals`).
 */
export function fuzzHealthCheck(caller: RawGrpcCaller, hosted: readonly string[], runs: number): Promise<OutcomeCounts> {
  return fuzzRpc(caller, { path: '/grpc.health.v1.Health/Check', inputs: healthRequests(hosted), runs, untypedRefusals: true });
}

/** Service names for the health check: short ones the server hosts or not (names past 256 bytes are refused before any lookup: the kit's health tests cover them). */
function healthRequests(hosted: readonly string[], maxNameBytes = 100): Arbitrary<FuzzInput> {
  const name = fc.oneof(fc.constantFrom('', ...hosted), fc.string({ maxLength: maxNameBytes, unit: 'binary-ascii' }));
  const encoded = name.map((service) => {
    const bytes = Buffer.from(service, 'utf8');
    return Uint8Array.from([0x0a, ...encodeVarint(bytes.length), ...bytes]);
  });
  return fc.oneof(inputsOf('random', fc.uint8Array({ maxLength: 256 })), inputsOf('valid', encoded));
}

function encodeVarint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

/**
 * The heap in use once garbage is collected: several full collections (gc exposed through V8's flag
 * in a fresh context, as jest does not expose it), so what is left is what is still referenced.
 */
export function settledHeapBytes(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 4; i += 1) gc();
  return process.memoryUsage().heapUsed;
}
