/**
 * gRPC server plumbing shared by the services: binding, the standard health service
 * (grpc.health.v1), the version metadata every request must carry (checked against the protocol
 * compatibility rule before any handler runs), and typed errors.
 */
import { Server, ServerCredentials, status, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ErrorCode, createServiceError, missingVersionMetadataKeys, readVersionMetadata, setVersionMetadata } from '@mithril-ts/proto';
import { PROTOCOL_VERSION, ProtocolError, assertCompatibleProtocolVersion } from '@mithril-ts/protocol';

export interface HostedService {
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface RunningServer {
  readonly port: number;
  readonly server: Server;
  readonly health: HealthImplementation;
  close(): Promise<void>;
}

/** Default bound on a request's size: registrations and signatures are a few kilobytes. */
export const DEFAULT_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

type UnaryCall = { metadata: import('@grpc/grpc-js').Metadata; sendMetadata(m: import('@grpc/grpc-js').Metadata): void };
type Callback = (error: unknown, value?: unknown) => void;

/**
 * Wraps each unary handler: rejects a request without both version keys (INVALID_ARGUMENT) or
 * with an incompatible protocol version (FAILED_PRECONDITION), and answers with this node's versions.
 */
export function withVersionCheck(implementation: UntypedServiceImplementation, nodeVersion: string): UntypedServiceImplementation {
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    wrapped[name] = ((call: UnaryCall, callback: Callback) => {
      call.sendMetadata(setVersionMetadata({ nodeVersion, protocolVersion: PROTOCOL_VERSION }));
      const received = readVersionMetadata(call.metadata);
      const missing = missingVersionMetadataKeys(received);
      if (missing.length > 0) {
        callback(createServiceError({ code: ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA, message: `request metadata lacks ${missing.join(' and ')}` }));
        return;
      }
      try {
        assertCompatibleProtocolVersion(received.protocolVersion!);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        callback(createServiceError({ code: ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION, message: error.message, metadata: { server_protocol_version: PROTOCOL_VERSION } }));
        return;
      }
      (handler as (call: UnaryCall, callback: Callback) => void)(call, callback);
    }) as UntypedServiceImplementation[string];
  }
  return wrapped;
}

export async function startGrpcServer(options: {
  readonly host: string;
  readonly port: number;
  readonly services: readonly HostedService[];
  readonly maxReceiveBytes?: number;
}): Promise<RunningServer> {
  const server = new Server({ 'grpc.max_receive_message_length': options.maxReceiveBytes ?? DEFAULT_MAX_RECEIVE_BYTES });
  const statusMap: Record<string, 'SERVING'> = { '': 'SERVING' };
  for (const service of options.services) {
    server.addService(service.definition, service.implementation);
    statusMap[service.name] = 'SERVING';
  }
  const health = new HealthImplementation(statusMap);
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    port,
    server,
    health,
    close: () =>
      new Promise<void>((resolve) => {
        for (const name of Object.keys(statusMap)) health.setStatus(name, 'NOT_SERVING');
        server.tryShutdown(() => resolve());
      }),
  };
}

export { status };
