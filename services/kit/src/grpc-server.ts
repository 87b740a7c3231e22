/**
 * gRPC server plumbing shared by the services: binding and the standard health service
 * (grpc.health.v1). The version check every handler is wrapped in is libs/proto's
 * `withVersionCheck`: clients' test doubles serve the contracts too.
 */
import { Server, ServerCredentials, status, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

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
