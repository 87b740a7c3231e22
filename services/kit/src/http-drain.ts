/**
 * The stop of an HTTP server (the REST gateway, the snapshotter's downloads), bounded like the gRPC
 * servers' (grpc-server.ts): new connections are refused and idle ones closed by the server's own
 * close, requests in flight get `drainMs` to finish, then their connections are cut. A client in
 * the middle of a long download resumes it with a range request; it must not hold the service's
 * stop past its bound (service-main.ts).
 */
import type { Server } from 'node:http';
import { DRAIN_MS } from './grpc-server.js';

export async function closeDraining(close: () => Promise<void>, server: Pick<Server, 'closeAllConnections'>, drainMs: number = DRAIN_MS): Promise<void> {
  const cut = setTimeout(() => server.closeAllConnections(), drainMs);
  try {
    await close();
  } finally {
    clearTimeout(cut);
  }
}
