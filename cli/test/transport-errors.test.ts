/**
 * The usual endpoint mistakes, each against a real listener: the message says what is wrong and
 * what to try, never just a parser code or an empty gRPC resolution note.
 */
import { createServer as createHttp2Server, createSecureServer, type Http2Server, type Http2SecureServer } from 'node:http2';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { EXIT_CODES } from '../src/index.js';
import { cleanGrpcDetails } from '../src/diagnose.js';
import { createTestCa } from './support/certificates.js';
import { run } from './support/run.js';

type Listening = Server | Http2Server | Http2SecureServer;
const servers: Listening[] = [];

async function listen<T extends Listening>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

async function failure(args: string[]): Promise<{ code: number; message: string }> {
  const result = await run([...args, '--timeout', '5', '--json']);
  const event = result.events.find((e) => e.type === 'error');
  return { code: result.code, message: String(event?.message) };
}

test('a REST endpoint pointed at a gRPC (HTTP/2) port says so and names the gRPC and REST forms', async () => {
  const port = await listen(createHttp2Server());
  const { code, message } = await failure(['certificate', 'list', '--aggregator', `http://127.0.0.1:${port}/aggregator`]);
  expect(code).toBe(EXIT_CODES.network);
  expect(message).toMatch(/answered, but not in HTTP\/1\.1: it looks like a gRPC port/);
  expect(message).toContain(`--aggregator grpcs://127.0.0.1:${port}`);
  expect(message).not.toMatch(/HPE_INVALID_CONSTANT$/);
});

test("a port on fetch's blocked list is explained instead of 'bad port'", async () => {
  const { code, message } = await failure(['certificate', 'list', '--aggregator', 'http://127.0.0.1:1/aggregator']);
  expect(code).toBe(EXIT_CODES.network);
  expect(message).toMatch(/port 1 is on the Fetch standard's list of blocked ports/);
  expect(message).toMatch(/serve the REST API on another port/);
});

test('nothing listening: connection refused, over REST and gRPC, with no empty "Resolution note"', async () => {
  const port = await closedPort();
  const rest = await failure(['certificate', 'list', '--aggregator', `http://127.0.0.1:${port}/aggregator`]);
  expect(rest.message).toMatch(/nothing listens on 127\.0\.0\.1:\d+ \(connection refused\): is the aggregator running/);
  const grpc = await failure(['certificate', 'list', '--aggregator', `grpc://127.0.0.1:${port}`]);
  expect(grpc.code).toBe(EXIT_CODES.network);
  expect(grpc.message).toMatch(/nothing listens on 127\.0\.0\.1:\d+ \(connection refused\)/);
  expect(grpc.message).not.toMatch(/Resolution note/);
  expect(grpc.message).not.toMatch(/\(\)|: \)$/);
});

test('a gRPC endpoint pointed at a REST (HTTP/1.1) port says to use the http:// form', async () => {
  const port = await listen(createHttpServer((_request, response) => response.writeHead(404).end()));
  const { message } = await failure(['certificate', 'list', '--aggregator', `grpc://127.0.0.1:${port}`]);
  expect(message).toMatch(/answered, but not as a gRPC \(HTTP\/2\) server/);
  expect(message).toContain(`--aggregator http://127.0.0.1:${port}/aggregator`);
});

test('TLS on one side only: grpcs:// to a plaintext port, grpc:// to a TLS one', async () => {
  const plain = await listen(createHttp2Server());
  const toPlain = await failure(['certificate', 'list', '--aggregator', `grpcs://127.0.0.1:${plain}`]);
  expect(toPlain.message).toMatch(/does not speak TLS: use grpc:\/\/127\.0\.0\.1:\d+ instead of grpcs:\/\//);
  const { cert, key } = createTestCa('transport errors test CA').issue();
  const secure = await listen(createSecureServer({ cert, key }));
  const toTls = await failure(['certificate', 'list', '--aggregator', `grpc://127.0.0.1:${secure}`]);
  expect(toTls.message).toMatch(/closed the connection: if it is a TLS port .* use grpcs:\/\//);
});

test("grpc-js's details lose their timestamps and empty resolution note", () => {
  expect(cleanGrpcDetails('No connection established. Last error: Protocol error (2026-12-07T11:28:36.220Z). Resolution note: ')).toBe(
    'No connection established. Last error: Protocol error',
  );
});
