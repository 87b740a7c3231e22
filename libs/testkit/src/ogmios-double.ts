/**
 * A local stand-in for Ogmios v6: a WebSocket JSON-RPC 2.0 server and its HTTP GET /health, on
 * one port like Ogmios. The caller decides what each method answers (recorded answers in a test,
 * the devnet's chain in the devnet); the double frames them as Ogmios does (`jsonrpc`, `method`,
 * `result` or `error`, the request's `id`), and can drop every connection to exercise reconnects.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** What a method answers: its result, or a JSON-RPC error. */
export type OgmiosDoubleAnswer = { readonly result: unknown } | { readonly error: { readonly code: number; readonly message: string } };

export interface OgmiosDoubleOptions {
  /** The answer of `method`; a method without one gets Ogmios' "method not found" (-32601). */
  readonly answer: (method: string, params: unknown) => OgmiosDoubleAnswer | undefined | Promise<OgmiosDoubleAnswer | undefined>;
  /** The body of GET /health. */
  readonly health: () => unknown;
  readonly host?: string;
  readonly port?: number;
  /** Bound on a request frame (Ogmios' requests are small). */
  readonly maxPayloadBytes?: number;
}

export interface OgmiosDouble {
  /** ws://host:port */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: { readonly method: string; readonly params: unknown }[];
  /** Connections opened so far. */
  connections(): number;
  /** Closes every open connection abruptly (a dropped socket), leaving the server listening. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** JSON with bigints written as plain integers (lovelace beyond 2^53). */
function stringify(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    marks.push(v.toString());
    return `\u0000${marks.length - 1}\u0000`;
  });
  return text.replace(/"\\u0000(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)] as string);
}

export async function startOgmiosDouble(options: OgmiosDoubleOptions): Promise<OgmiosDouble> {
  const server: Server = createServer((request: IncomingMessage, response) => {
    if (request.method === 'GET' && request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      response.end(stringify(options.health()));
      return;
    }
    response.writeHead(404).end();
  });
  const sockets = new Set<WebSocket>();
  let opened = 0;
  const requests: { method: string; params: unknown }[] = [];
  const wss = new WebSocketServer({ server, maxPayload: options.maxPayloadBytes ?? 64 * 1024 });
  wss.on('connection', (socket) => {
    opened += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data) => {
      void (async () => {
        let request: { method?: unknown; params?: unknown; id?: unknown };
        try {
          // ws hands a text frame over as one Buffer (its default binaryType, fragments joined).
          request = JSON.parse((data as Buffer).toString('utf8')) as typeof request;
        } catch {
          socket.send(stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Invalid JSON' }, id: null }));
          return;
        }
        const method = typeof request.method === 'string' ? request.method : '';
        requests.push({ method, params: request.params });
        const answer = (await options.answer(method, request.params)) ?? { error: { code: -32601, message: `Unknown method: ${method}` } };
        if (socket.readyState === socket.OPEN) socket.send(stringify({ jsonrpc: '2.0', method, ...answer, id: request.id ?? null }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `ws://${address.includes(':') ? `[${address}]` : address}:${port}`,
    requests,
    connections: () => opened,
    dropConnections: () => {
      for (const socket of sockets) socket.terminate();
    },
    close: async () => {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
