/**
 * gRPC server plumbing shared by the services: the wrappers every service's handlers run in,
 * binding, and the standard health service (grpc.health.v1). The version check every handler is
 * wrapped in is libs/proto's `withVersionCheck`: clients' test doubles serve the contracts too.
 */
import { isIP } from 'node:net';
import { Server, ServerCredentials, status, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { checkCallVersions, withVersionCheck } from '@mithril-ts/proto';
import { HealthService, type ServiceHost } from './grpc-health.js';
import { withServerTracing, type ServerTracingOptions } from './grpc-tracing.js';
import type { Logger } from './logger.js';
import { answeringUndecodable, withTolerantDecoding } from './request-decoding.js';
import { withClientAuthorization, type ClientAuthorization } from './tls-authorization.js';
import type { ServerTls } from './tls-credentials.js';

export interface HostedService {
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/**
 * A service to host, its unary handlers wrapped: first, given `authorization`, the caller's
 * certificate identity on internal RPCs (tls-authorization.ts; streaming RPCs too), then the
 * version check (a caller without compatible version metadata is refused before anything else: no
 * span, no outcome, no handler), then, given `tracing`, a server span per call (grpc-tracing.ts),
 * then the answer to a request that does not decode (MALFORMED_REQUEST, request-decoding.ts).
 * Streaming handlers are otherwise left as they are (they check the versions themselves, libs/proto's
 * checkCallVersions) but for an undecodable request, answered after the same version check.
 */
export function hostedService(options: {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
  /** This node's software version, answered in the response metadata. */
  readonly nodeVersion: string;
  readonly tracing?: ServerTracingOptions | undefined;
  /** The RPCs reserved to identified internal callers; undefined when there are none or the service runs `insecure`. */
  readonly authorization?: ClientAuthorization | undefined;
}): HostedService {
  const { definition, nodeVersion, tracing, authorization } = options;
  const decoded = answeringUndecodable(definition, options.implementation, (call) => checkCallVersions(call, nodeVersion));
  const implementation = tracing === undefined ? decoded : withServerTracing(definition, decoded, tracing);
  const isUnary = (name: string) => definition[name] !== undefined && !definition[name].requestStream && !definition[name].responseStream;
  const unary = Object.fromEntries(Object.entries(implementation).filter(([name]) => isUnary(name)));
  const [first] = Object.values(definition);
  if (first === undefined) throw new TypeError('a service definition without methods');
  const versioned = { ...implementation, ...withVersionCheck(unary, nodeVersion) };
  return {
    name: first.path.split('/')[1]!,
    definition: withTolerantDecoding(definition),
    implementation: authorization === undefined ? versioned : withClientAuthorization(definition, versioned, authorization),
  };
}

export interface RunningServer {
  readonly port: number;
  readonly server: Server;
  readonly health: HealthService;
  /** The bound port of the plaintext health server, when there is one. */
  readonly healthPort: number | undefined;
  /** Refuses new calls, lets those in flight finish for `drainMs` (default DRAIN_MS), then cancels the rest. */
  close(drainMs?: number): Promise<void>;
}

/** How long a closing server waits for calls in flight: well inside the process's stop bound (service-main.ts). */
export const DRAIN_MS = 5_000;

/** Default bound on a request's size: registrations and signatures are a few kilobytes. */
export const DEFAULT_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

/** Whether `host` only accepts connections from this machine (a plaintext port there is no one else's business). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

export async function startGrpcServer(options: {
  readonly host: string;
  readonly port: number;
  readonly services: readonly HostedService[];
  readonly maxReceiveBytes?: number;
  /** The server's credentials (tls-credentials.ts's serverTls); plaintext only when built from `insecure`. */
  readonly tls: ServerTls;
  /** Where a plaintext listener on a non-loopback address is warned about (standard error without it). */
  readonly logger?: Logger | undefined;
  /** Port of the plaintext health server (startHealthServer); absent: none. */
  readonly healthPort?: number | undefined;
  readonly healthHost?: string | undefined;
}): Promise<RunningServer> {
  const server = new Server({ 'grpc.max_receive_message_length': options.maxReceiveBytes ?? DEFAULT_MAX_RECEIVE_BYTES });
  const statusMap: Record<string, 'SERVING'> = { '': 'SERVING' };
  for (const service of options.services) {
    server.addService(service.definition, service.implementation);
    statusMap[service.name] = 'SERVING';
  }
  // Names from callers are bounded and never echoed in full (grpc-health.ts). The health service adds
  // itself: it is handed a host whose addService adds it with the same answer to undecodable requests
  // as the services' (it needs no version metadata).
  const health = new HealthService(statusMap);
  health.addToServer(tolerantHost(server));
  const port = await bind(server, `${options.host}:${options.port}`, options.tls.credentials);
  let healthServer: Server | undefined;
  let healthPort: number | undefined;
  try {
    await options.tls.loaded();
    if (options.healthPort !== undefined) {
      healthServer = new Server(HEALTH_SERVER_OPTIONS);
      health.addToServer(tolerantHost(healthServer), { watch: false });
      healthPort = await bind(healthServer, `${options.healthHost ?? '127.0.0.1'}:${options.healthPort}`, ServerCredentials.createInsecure());
    }
  } catch (error) {
    server.forceShutdown();
    healthServer?.forceShutdown();
    throw error;
  }
  if (!options.tls.secure && !isLoopbackHost(options.host)) {
    const warning = `plaintext gRPC (insecure) on ${options.host}:${port}: calls can be read and forged by anyone on the network; use TLS outside loopback development`;
    if (options.logger === undefined) console.warn(warning);
    else options.logger.warn({ host: options.host, port }, warning);
  }
  return {
    port,
    server,
    health,
    healthPort,
    close: async (drainMs = DRAIN_MS) => {
      for (const name of Object.keys(statusMap)) health.setStatus(name, 'NOT_SERVING');
      // New calls are refused at once; calls in flight get drainMs to finish. Then what is left is
      // cancelled: a call that never ends on its own (a server stream such as WatchCertificates,
      // a client that stopped reading) must not hold the stop of the whole service.
      await Promise.all(
        [server, healthServer].map(
          (each) =>
            new Promise<void>((resolve) => {
              if (each === undefined) return resolve();
              const force = setTimeout(() => {
                each.forceShutdown();
                resolve();
              }, drainMs);
              each.tryShutdown(() => {
                clearTimeout(force);
                resolve();
              });
            }),
        ),
      );
    },
  };
}

/**
 * The health server: plaintext, because kubelet's gRPC probes cannot do TLS (nor present a client
 * certificate). What it exposes to anyone who reaches the port is only what grpc.health.v1 Check and
 * List say: whether this server and each of its services is SERVING, the same status object as the
 * main server's health service (so both ports tell the same; NOT_SERVING as soon as a graceful stop
 * begins). No other service is registered on it, so every other method is UNIMPLEMENTED (grpc-js's
 * answer for an unknown path), and Watch is refused too (no stream held per stranger). Requests are
 * a service name of at most MAX_HEALTH_SERVICE_NAME_BYTES, so the receive bound is small, and a
 * connection gets few concurrent streams.
 */
const HEALTH_SERVER_OPTIONS = { 'grpc.max_receive_message_length': 1024, 'grpc.max_concurrent_streams': 8 };

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}

/** `server`, adding a service with deserializers that never throw and handlers that answer an undecodable request MALFORMED_REQUEST. */
function tolerantHost(server: Server): ServiceHost {
  return {
    addService: (definition, implementation) => server.addService(withTolerantDecoding(definition), answeringUndecodable(definition, implementation)),
  };
}

export { status };
