/**
 * Graceful stop (SIGTERM): runService in a real child process (signals, exit codes, the forced exit
 * of a hung close), and the bounded drain of the gRPC and HTTP servers.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { credentials, makeGenericClientConstructor, type ClientReadableStream, type ServiceDefinition } from '@grpc/grpc-js';
import { service as healthDefinition } from 'grpc-health-check';
import { closeDraining, serverTls, startGrpcServer } from '../src/index.js';
import { FORCED_EXIT_MS } from '../src/service-main.js';

const here = dirname(fileURLToPath(import.meta.url));
const serviceMain = pathToFileURL(join(here, '..', 'src', 'service-main.ts')).href;

interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from the signal to the exit. */
  readonly afterSignalMs: number;
}

/**
 * Runs a service whose close() is `closeBody` under runService (forced exit after `forcedExitMs`),
 * sends it `signals` once it says it started, and reports how it exited.
 */
function runChild(closeBody: string, signals: NodeJS.Signals[], forcedExitMs: number, startBody = ''): Promise<Exited> {
  const script = `
    import { runService } from ${JSON.stringify(serviceMain)};
    await runService('test-service', () => {
      ${startBody}
      return startService();
    }, { forcedExitMs: ${forcedExitMs} });
    async function startService() {
      // Something that keeps the event loop busy, as a listening server does.
      const timer = setInterval(() => {}, 1000);
      console.log('started');
      return { close: async () => { console.log('closing'); ${closeBody}; clearInterval(timer); console.log('closed'); } };
    }
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (signalledAt === 0 && stdout.includes('started')) {
        signalledAt = Date.now();
        for (const [i, signal] of signals.entries()) setTimeout(() => child.kill(signal), i * 100);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, afterSignalMs: Date.now() - signalledAt }));
  });
}

describe('runService', () => {
  it('leaves the contract room: a stop is forced well before 10 s', () => {
    expect(FORCED_EXIT_MS).toBeLessThanOrEqual(9_000);
  });

  it('on SIGTERM closes the service, waiting for what is in progress, and exits 0', async () => {
    const exited = await runChild('await new Promise((r) => setTimeout(r, 300))', ['SIGTERM'], 5_000);
    expect(exited.code).toBe(0);
    expect(exited.stdout).toContain('closed');
    expect(exited.stderr).toContain('SIGTERM: stopping');
    expect(exited.stderr).not.toContain('forced exit');
    expect(exited.afterSignalMs).toBeGreaterThanOrEqual(300);
  }, 30_000);

  it('on SIGINT does the same', async () => {
    const exited = await runChild('', ['SIGINT'], 5_000);
    expect(exited.code).toBe(0);
    expect(exited.stdout).toContain('closed');
  }, 30_000);

  it('exits 1 with a log line when close() hangs, at the bound and not later', async () => {
    const exited = await runChild('await new Promise(() => {})', ['SIGTERM'], 1_500);
    expect(exited.code).toBe(1);
    expect(exited.stdout).toContain('closing');
    expect(exited.stdout).not.toContain('closed');
    expect(exited.stderr).toMatch(/test-service: not stopped 1500 ms after SIGTERM: forced exit/);
    expect(exited.afterSignalMs).toBeGreaterThanOrEqual(1_500);
    expect(exited.afterSignalMs).toBeLessThan(1_500 + 2_000);
  }, 30_000);

  it('exits 1 when close() fails', async () => {
    const exited = await runChild("throw new Error('the store is gone')", ['SIGTERM'], 5_000);
    expect(exited.code).toBe(1);
    expect(exited.stderr).toContain('the store is gone');
  }, 30_000);

  it('exits 1 when the start throws before returning its promise (as a refused configuration does)', async () => {
    const exited = await runChild('', [], 5_000, "throw new Error('no such setting')");
    expect(exited.code).toBe(1);
    expect(exited.stderr).toContain('no such setting');
  }, 30_000);

  it('exits at once on a second signal while stopping', async () => {
    const exited = await runChild('await new Promise(() => {})', ['SIGTERM', 'SIGTERM'], 20_000);
    expect(exited.code).toBe(1);
    expect(exited.stderr).toContain('SIGTERM while stopping: exiting now');
    expect(exited.afterSignalMs).toBeLessThan(5_000);
  }, 30_000);
});

interface HealthClient {
  watch(request: { service: string }): ClientReadableStream<{ status: string }>;
  close(): void;
}

describe('the gRPC server close', () => {
  it('returns at once when no call is in flight', async () => {
    const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [], tls: serverTls({ insecure: true }, 'none') });
    const started = Date.now();
    await server.close(5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('cancels a call that never ends (a server stream) after the drain time instead of waiting for it', async () => {
    const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [], tls: serverTls({ insecure: true }, 'none') });
    const Client = makeGenericClientConstructor(healthDefinition as unknown as ServiceDefinition, 'Health');
    const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure()) as unknown as HealthClient;
    try {
      const call = client.watch({ service: '' });
      const statuses: string[] = [];
      const ended = new Promise<void>((resolve) => {
        call.on('data', (message: { status: string }) => statuses.push(message.status));
        call.on('error', () => resolve());
        call.on('end', () => resolve());
      });
      await new Promise<void>((resolve) => call.once('data', () => resolve()));
      const started = Date.now();
      await server.close(400);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(350);
      expect(took).toBeLessThan(3_000);
      await ended;
      // The watcher was told before being cut off.
      expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
    } finally {
      client.close();
    }
  });
});

describe('an HTTP server closed with closeDraining', () => {
  /** A server whose /slow requests are answered `slowMs` after they arrive, and a request to it that has started. */
  async function serverWithRequestInFlight(slowMs: number): Promise<{ server: Server; answered: Promise<number | string> }> {
    const server = createServer((_, response) => {
      const timer = setTimeout(() => response.end('late'), slowMs);
      response.on('close', () => clearTimeout(timer));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const arrived = once(server, 'request');
    const answered = new Promise<number | string>((resolve) => {
      const sent = request({ host: '127.0.0.1', port, path: '/slow', agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', (error) => resolve(error.message));
      });
      sent.on('error', (error) => resolve(error.message));
      sent.end();
    });
    await arrived;
    return { server, answered };
  }
  const closeOf = (server: Server) => () => new Promise<void>((resolve) => server.close(() => resolve()));

  it('lets a request in flight finish within the drain time', async () => {
    const { server, answered } = await serverWithRequestInFlight(200);
    await closeDraining(closeOf(server), server, 5_000);
    expect(await answered).toBe(200);
  });

  it('cuts a request still in flight at the drain time instead of waiting for it', async () => {
    const { server, answered } = await serverWithRequestInFlight(60_000);
    const started = Date.now();
    await closeDraining(closeOf(server), server, 300);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await answered).not.toBe(200);
  });
});
