/** The health service every server hosts: statuses as set, and callers' names bounded and never echoed in full. */
import { credentials, makeGenericClientConstructor, status, type ClientReadableStream, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode, readErrorDetail } from '@mithril-ts/proto';
import { service as healthDefinition } from 'grpc-health-check';
import { MAX_HEALTH_SERVICE_NAME_BYTES, startGrpcServer, type RunningServer } from '../src/index.js';

type Callback = (error: ServiceError | null, response?: { status: string }) => void;
interface HealthClient {
  check(request: { service: string }, callback: Callback): void;
  watch(request: { service: string }): ClientReadableStream<{ status: string }>;
  close(): void;
}

let server: RunningServer;
let client: HealthClient;

beforeAll(async () => {
  // The largest request the server accepts must fit a 1 MB name, so that it is the health service that refuses it.
  server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [], maxReceiveBytes: 2 * 1024 * 1024 });
  const Client = makeGenericClientConstructor(healthDefinition as unknown as ServiceDefinition, 'Health');
  client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure()) as unknown as HealthClient;
});

afterAll(async () => {
  client.close();
  await server.close();
});

const check = (service: string) =>
  new Promise<{ error: ServiceError | null; status?: string }>((resolve) =>
    client.check({ service }, (error, response) => resolve({ error, ...(response ? { status: response.status } : {}) })),
  );

/** The first status a Watch sends, or the error ending it. */
const firstWatched = (service: string) =>
  new Promise<{ error?: ServiceError; status?: string }>((resolve) => {
    const call = client.watch({ service });
    call.on('data', (message: { status: string }) => {
      resolve({ status: message.status });
      call.cancel();
    });
    call.on('error', (error: ServiceError) => resolve({ error }));
  });

describe('health service', () => {
  it('answers the statuses the server set', async () => {
    expect(await check('')).toEqual({ error: null, status: 'SERVING' });
    server.health.setStatus('mithril.v1.Example', 'NOT_SERVING');
    expect(await check('mithril.v1.Example')).toEqual({ error: null, status: 'NOT_SERVING' });
    expect(await firstWatched('')).toEqual({ status: 'SERVING' });
  });

  it('refuses a 1 MB service name with INVALID_ARGUMENT without echoing it (Check and Watch)', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    const { error } = await check(huge);
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(readErrorDetail(error!)?.code).toBe(ErrorCode.ERROR_CODE_MALFORMED_REQUEST);
    expect(error!.details).not.toContain('xxxxxxxx');
    expect(error!.details.length).toBeLessThan(200);
    const watched = await firstWatched(huge);
    expect(watched.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(watched.error!.details.length).toBeLessThan(200);
    // Right at the bound, a name is still only unknown.
    expect((await check('y'.repeat(MAX_HEALTH_SERVICE_NAME_BYTES))).error?.code).toBe(status.NOT_FOUND);
    expect((await check('y'.repeat(MAX_HEALTH_SERVICE_NAME_BYTES + 1))).error?.code).toBe(status.INVALID_ARGUMENT);
  });

  it('answers an unknown name NOT_FOUND with a truncated excerpt of it, and SERVICE_UNKNOWN to Watch', async () => {
    const name = `mithril.v1.${'z'.repeat(200)}`;
    const { error } = await check(name);
    expect(error?.code).toBe(status.NOT_FOUND);
    expect(error!.details).toContain('mithril.v1.zzz');
    expect(error!.details).not.toContain(name);
    expect(error!.details.length).toBeLessThan(120);
    expect(await firstWatched(name)).toEqual({ status: 'SERVICE_UNKNOWN' });
  });
});
