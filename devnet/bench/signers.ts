/**
 * Thousands of signers played by one driver over gRPC, through the signer daemon's own adapters
 * (services/signer GrpcAggregator and GrpcSignerGateway: version metadata, deadlines, typed
 * errors, the raised receive limit for epoch settings): the CPU work each signer would do on its
 * own machine runs beforehand in worker threads, and only the traffic is timed.
 */
import { status, type ChannelCredentials } from '@grpc/grpc-js';
import { ErrorCode, errorCodeToJSON, type VersionMetadata } from '@mithril-ts/proto';
import type { SignedEntityType } from '@mithril-ts/protocol';
import { GrpcAggregator, GrpcSignerGateway, RemoteCallError, type AnnouncedEpochSettings } from '@mithril-ts/signer';
import type { PreparedRegistration, SignOutcome } from './bench-worker.js';

export interface RoundTally {
  readonly sent: number;
  readonly accepted: number;
  /** Requests sent again after a "not ready" / "unavailable" answer, by reason. */
  readonly retries: ReadonlyMap<string, number>;
  /** Refusals by typed error code (or gRPC status when the server attached none). */
  readonly failures: ReadonlyMap<string, number>;
  /** From the first request sent to the last answer received. */
  readonly seconds: number;
}

export interface SignatureToSend {
  readonly partyId: string;
  readonly outcome: SignOutcome & { readonly signature: Uint8Array };
}

export interface SignatureTally extends RoundTally {
  readonly tooLate: number;
  /** Seconds from the first submission to each accepted answer, in arrival order. */
  readonly acceptedAt: readonly number[];
  readonly firstSentAt: number;
}

/** Runs `task` over `items` with at most `limit` in flight (0: all at once). */
export async function runBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const width = limit <= 0 ? items.length : Math.min(limit, items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

/** Like the signer daemon, which defers what the gateway cannot take now and sends it again on a later cycle. */
const RETRY_DELAY_MS = 1000;
const MAX_ATTEMPTS = 5;

function retryable(error: unknown): boolean {
  return error instanceof RemoteCallError && (error.failure === 'not-ready' || error.failure === 'unavailable');
}

/** `call`, sent again after RETRY_DELAY_MS while the gateway answers "not ready" or "unavailable"; `onRetry` counts the resends. */
async function withRetries<T>(call: () => Promise<T>, onRetry: (error: unknown) => void): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!retryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      onRetry(error);
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof RemoteCallError) {
    if (error.errorCode !== undefined) return errorCodeToJSON(error.errorCode).replace(/^ERROR_CODE_/, '');
    if (error.grpcCode !== undefined) return `grpc ${status[error.grpcCode] ?? error.grpcCode}`;
    return error.failure;
  }
  return `unexpected: ${(error as Error).message}`;
}

function count(failures: Map<string, number>, reason: string): void {
  failures.set(reason, (failures.get(reason) ?? 0) + 1);
}

export class SimulatedSigners {
  readonly aggregator: GrpcAggregator;
  readonly gateway: GrpcSignerGateway;

  /** `credentials`: plaintext, or TLS trusting the services' CA (the signers present no certificate: both RPC sets they call are public). */
  constructor(aggregatorAddress: string, gatewayAddress: string, credentials: ChannelCredentials, versions: VersionMetadata, deadlineMs: number) {
    this.aggregator = new GrpcAggregator(aggregatorAddress, credentials, versions, deadlineMs);
    this.gateway = new GrpcSignerGateway(gatewayAddress, credentials, versions, deadlineMs);
  }

  /** GetEpochSettings until the aggregator is at `epoch` (it follows the chain once per run interval). */
  async settingsAt(epoch: bigint, timeoutMs = 120_000): Promise<AnnouncedEpochSettings> {
    const deadline = Date.now() + timeoutMs;
    let last: string;
    for (;;) {
      try {
        const settings = (await this.aggregator.epochSettings()).value;
        if (settings.epoch === epoch) return settings;
        last = `at epoch ${settings.epoch}`;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`the aggregator did not reach epoch ${epoch} within ${timeoutMs} ms (${last})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Every registration through the gateway, `concurrency` in flight. */
  async register(registrations: readonly PreparedRegistration[], concurrency: number): Promise<RoundTally & { readonly registered: PreparedRegistration[] }> {
    const failures = new Map<string, number>();
    const retries = new Map<string, number>();
    const registered: PreparedRegistration[] = [];
    const start = performance.now();
    await runBounded(registrations, concurrency, async (registration) => {
      try {
        const answer = await withRetries(
          () => this.gateway.registerSigner(registration),
          (error) => count(retries, reasonOf(error)),
        );
        if (answer.value.partyId !== registration.partyId || answer.value.stake !== registration.stake) count(failures, 'recorded with another party or stake');
        else registered.push(registration);
      } catch (error) {
        count(failures, reasonOf(error));
      }
    });
    return { sent: registrations.length, accepted: registered.length, retries, failures, seconds: (performance.now() - start) / 1000, registered };
  }

  /** Every signature at once (or `concurrency` in flight); SIGNATURE_TOO_LATE answers are counted apart. */
  async submitSignatures(type: SignedEntityType, signedMessage: string, signatures: readonly SignatureToSend[], concurrency: number): Promise<SignatureTally> {
    const failures = new Map<string, number>();
    const retries = new Map<string, number>();
    const acceptedAt: number[] = [];
    let tooLate = 0;
    const firstSentAt = performance.now();
    await runBounded(signatures, concurrency, async ({ partyId, outcome }) => {
      try {
        const submission = { signedEntityType: type, partyId, signature: outcome.signature, wonIndexes: outcome.wonIndexes, signedMessage };
        await withRetries(
          () => this.gateway.registerSignature(submission),
          (error) => count(retries, reasonOf(error)),
        );
        acceptedAt.push((performance.now() - firstSentAt) / 1000);
      } catch (error) {
        if (error instanceof RemoteCallError && error.errorCode === ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE) tooLate += 1;
        else count(failures, reasonOf(error));
      }
    });
    return {
      sent: signatures.length,
      accepted: acceptedAt.length,
      tooLate,
      retries,
      failures,
      seconds: (performance.now() - firstSentAt) / 1000,
      acceptedAt,
      firstSentAt,
    };
  }

  close(): void {
    this.aggregator.close();
    this.gateway.close();
  }
}
