/**
 * `--aggregator` picks the transport: an http(s) URL is the REST API (its base, e.g.
 * `https://host/aggregator`), anything else is a gRPC address (`grpc://host:port`, `grpcs://…`
 * for TLS, or a bare `host:port`).
 */
import { CliError } from '../errors.js';

export type AggregatorEndpoint =
  { readonly transport: 'rest'; readonly baseUrl: string } | { readonly transport: 'grpc'; readonly address: string; readonly tls: boolean };

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

export function parseAggregatorEndpoint(text: string): AggregatorEndpoint {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new CliError('usage', `--aggregator ${JSON.stringify(text)} is not a valid URL`, { reason: 'INVALID_ENDPOINT' });
    }
    return { transport: 'rest', baseUrl: url.toString().replace(/\/+$/, '') };
  }
  const grpc = /^(grpcs?):\/\/(.*?)\/?$/i.exec(trimmed);
  const address = grpc ? grpc[2]! : trimmed;
  const match = HOST_PORT.exec(address);
  if (match === null || Number(match[2]) < 1 || Number(match[2]) > 65535) {
    throw new CliError(
      'usage',
      `--aggregator ${JSON.stringify(text)}: expected http(s)://host[:port]/path (REST), grpc://host:port, grpcs://host:port or host:port (gRPC)`,
      { reason: 'INVALID_ENDPOINT' },
    );
  }
  return { transport: 'grpc', address, tls: grpc?.[1]?.toLowerCase() === 'grpcs' };
}
