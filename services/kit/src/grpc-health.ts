/**
 * The standard health service (grpc.health.v1: Check, Watch, List) over the statuses a server sets.
 * grpc-health-check's own handlers echo any service name a caller sends back in the NOT_FOUND
 * error (a 1 MB name comes back as 1 MB), and keep one watcher entry per name ever watched, so
 * its definition is served here with handlers that bound what a caller can make the server hold
 * or send back:
 * - a name longer than MAX_HEALTH_SERVICE_NAME_BYTES is refused (INVALID_ARGUMENT) without being
 *   echoed; no real service name comes near it;
 * - an unknown name gets NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch) with at most a truncated
 *   excerpt of it;
 * - watchers are kept only for the names the server set, and dropped when their call ends.
 */
import {
  makeGenericClientConstructor,
  status as grpcStatus,
  type Client,
  type Server,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { ErrorCode, createServiceError } from '@mithril-ts/proto';
import { service as healthDefinition, type ServingStatus } from 'grpc-health-check';

/** Longest service name a caller may ask about (fully qualified gRPC service names are far shorter). */
export const MAX_HEALTH_SERVICE_NAME_BYTES = 256;
/** How much of an unknown name is quoted back. */
const QUOTED_NAME_CHARACTERS = 64;

/** Where the health service is added: a server, or one that adds it with wrapped decoding (grpc-server.ts). */
export type ServiceHost = Pick<Server, 'addService'>;

type WatchStatus = ServingStatus | 'SERVICE_UNKNOWN';
interface HealthRequest {
  readonly service?: unknown;
}

export class HealthService {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #watchers = new Map<string, Set<(status: ServingStatus) => void>>();

  constructor(initial: Readonly<Record<string, ServingStatus>> = {}) {
    for (const [name, status] of Object.entries(initial)) this.#statuses.set(name, status);
  }

  setStatus(name: string, status: ServingStatus): void {
    this.#statuses.set(name, status);
    for (const watcher of this.#watchers.get(name) ?? []) watcher(status);
  }

  /**
   * Serves the statuses on `server`. `watch: false` answers Watch UNIMPLEMENTED: on the plaintext
   * health port (grpc-server.ts) a stranger could otherwise hold a stream open per connection, and
   * probes only Check.
   */
  addToServer(server: ServiceHost, options: { readonly watch?: boolean } = {}): void {
    server.addService(healthDefinition, {
      check: (call: ServerUnaryCall<HealthRequest, unknown>, callback: sendUnaryData<unknown>) => {
        const name = this.#nameOf(call.request);
        if (typeof name !== 'string') return callback(name);
        const status = this.#statuses.get(name);
        if (status === undefined) return callback({ code: grpcStatus.NOT_FOUND, details: `health status unknown for service ${quoted(name)}` });
        callback(null, { status });
      },
      watch: (call: ServerWritableStream<HealthRequest, unknown>) => {
        if (options.watch === false) {
          call.emit('error', { code: grpcStatus.UNIMPLEMENTED, details: 'Watch is not served on the health port; use Check' });
          return;
        }
        const name = this.#nameOf(call.request);
        if (typeof name !== 'string') {
          call.emit('error', name);
          return;
        }
        const status = this.#statuses.get(name);
        // The server's names are fixed when it starts: an unknown name is answered once and never watched (nothing kept for it).
        if (status === undefined) {
          call.write({ status: 'SERVICE_UNKNOWN' satisfies WatchStatus });
          return;
        }
        const watcher = (next: ServingStatus) => call.write({ status: next });
        const watchers = this.#watchers.get(name) ?? new Set();
        watchers.add(watcher);
        this.#watchers.set(name, watchers);
        const stop = () => watchers.delete(watcher);
        call.on('cancelled', stop);
        call.on('close', stop);
        call.write({ status });
      },
      list: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        callback(null, { statuses: Object.fromEntries([...this.#statuses].map(([name, status]) => [name, { status }])) });
      },
    });
  }

  /** The name asked about, or the error refusing it (INVALID_ARGUMENT, not echoed). */
  #nameOf(request: HealthRequest): string | ReturnType<typeof createServiceError> {
    const name = typeof request.service === 'string' ? request.service : '';
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes <= MAX_HEALTH_SERVICE_NAME_BYTES) return name;
    return createServiceError({
      code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
      message: `the service name is ${bytes} bytes long (at most ${MAX_HEALTH_SERVICE_NAME_BYTES})`,
      metadata: { max_service_name_bytes: String(MAX_HEALTH_SERVICE_NAME_BYTES) },
    });
  }
}

/** A short, printable excerpt of a caller's name: never more than QUOTED_NAME_CHARACTERS of it. */
function quoted(name: string): string {
  const excerpt = [...name].slice(0, QUOTED_NAME_CHARACTERS).join('');
  return JSON.stringify(excerpt.length < name.length ? `${excerpt}…` : excerpt);
}

const HealthClient = makeGenericClientConstructor(healthDefinition as unknown as ServiceDefinition, 'Health');

/**
 * What a peer's health service says of `service` over an existing channel (a client's, so the same
 * TLS and address as its calls): its serving status, or UNREACHABLE when the call fails (down,
 * refused, deadline, unknown service).
 */
export function checkPeerHealth(channel: ReturnType<Client['getChannel']>, service: string, deadlineMs: number): Promise<ServingStatus | 'UNREACHABLE'> {
  const client = new HealthClient('unused', null as never, { channelOverride: channel as never }) as unknown as {
    check(
      request: { service: string },
      options: { deadline: number },
      callback: (error: ServiceError | null, response?: { status: ServingStatus }) => void,
    ): void;
  };
  return new Promise((resolve) =>
    client.check({ service }, { deadline: Date.now() + deadlineMs }, (error, response) =>
      resolve(error || response === undefined ? 'UNREACHABLE' : response.status),
    ),
  );
}
