/**
 * A gRPC client that sends raw request bytes (identity serializers), so a fuzzer reaches a real
 * server with bytes no generated client would write. Every call carries this node's version
 * metadata (unless told otherwise), so the request passes the version check and reaches the decoder
 * and the handler.
 */
import { Client, type Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { type ErrorCode, readErrorDetail, setVersionMetadata } from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';

/** How a fuzzed call ended. */
export interface CallOutcome {
  readonly code: status;
  readonly details: string;
  /** The typed error detail's code, when the server attached one. */
  readonly errorCode: ErrorCode | undefined;
  /** The response bytes of a unary call that succeeded. */
  readonly response?: Buffer;
}

const identity = (bytes: Buffer) => bytes;

const versionMetadata = () => setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION });

function failed(error: ServiceError): CallOutcome {
  return { code: error.code, details: error.details, errorCode: readErrorDetail(error)?.code };
}

/** The grpc.health.v1 serving statuses (HealthCheckResponse.ServingStatus). */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

export class RawGrpcCaller {
  private readonly client: Client;

  constructor(
    readonly address: string,
    private readonly metadata: () => Metadata = versionMetadata,
  ) {
    // Responses may be as large as the server allows itself to send: no client-side receive limit.
    this.client = new Client(address, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  }

  /** Sends `request` to the unary RPC at `path` ("/package.Service/Method") and waits for its status. */
  unary(path: string, request: Uint8Array, deadlineMs: number): Promise<CallOutcome> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(path, identity, identity, Buffer.from(request), this.metadata(), { deadline: Date.now() + deadlineMs }, (error, response) =>
        resolve(error ? failed(error) : { code: status.OK, details: '', errorCode: undefined, response: response! }),
      );
    });
  }

  /**
   * Opens the server stream at `path` with `request`. A stream the server ends (or refuses) within
   * `settleMs` ends with its status; one still open then is cancelled here and reads as OK (a watch
   * stream never ends by itself).
   */
  serverStream(path: string, request: Uint8Array, settleMs: number, deadlineMs: number): Promise<CallOutcome> {
    return new Promise((resolve) => {
      const stream = this.client.makeServerStreamRequest(path, identity, identity, Buffer.from(request), this.metadata(), {
        deadline: Date.now() + deadlineMs,
      });
      let settled = false;
      const settle = (outcome: CallOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        settle({ code: status.OK, details: 'still open', errorCode: undefined });
        stream.cancel();
      }, settleMs);
      stream.on('data', () => undefined);
      stream.on('error', (error: ServiceError) => settle(error.code === status.OK ? { code: status.OK, details: '', errorCode: undefined } : failed(error)));
      stream.on('status', (ended: { code: status; details: string }) => settle({ code: ended.code, details: ended.details, errorCode: undefined }));
    });
  }

  /** The serving status the standard health service reports for `service` ("" for the server), or the call's status when it failed. */
  async health(service = '', deadlineMs = 5000): Promise<string> {
    const request = Buffer.from(service, 'utf8');
    // HealthCheckRequest { string service = 1 }: tag 0x0a, a length, the name (names here are short).
    if (request.length > 127) throw new RangeError('health: a service name of more than 127 bytes');
    const outcome = await this.unary(
      '/grpc.health.v1.Health/Check',
      request.length === 0 ? request : Buffer.concat([Buffer.from([0x0a, request.length]), request]),
      deadlineMs,
    );
    if (outcome.code !== status.OK) return status[outcome.code];
    // HealthCheckResponse { ServingStatus status = 1 }: tag 0x08, then the value (absent when UNKNOWN).
    const value = outcome.response!.length >= 2 && outcome.response![0] === 0x08 ? outcome.response![1]! : 0;
    return SERVING_STATUS[value] ?? `status ${value}`;
  }

  close(): void {
    this.client.close();
  }
}
