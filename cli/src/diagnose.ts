/**
 * Transport failures in words a user can act on: what is wrong with the endpoint and what to try.
 * The usual mistakes are pointing the REST client at a gRPC port (or the reverse), TLS on one side
 * only, nothing listening, and a port that fetch refuses outright. The raw detail is kept at the
 * end of the message so nothing is hidden.
 */

const ENDPOINTS_HINT = "(`npm start` prints the devnet's endpoints and writes them to .devnet/endpoints.json)";

/** The host:port part of a URL or gRPC address, for messages. */
function hostPort(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return url.port === '' ? url.hostname : `${url.hostname}:${url.port}`;
  } catch {
    return endpoint.replace(/^grpcs?:\/\//i, '').replace(/\/+$/, '');
  }
}

function portOf(endpoint: string): string | undefined {
  try {
    const port = new URL(endpoint).port;
    return port === '' ? undefined : port;
  } catch {
    return /:(\d+)\/?$/.exec(endpoint)?.[1];
  }
}

/**
 * Why a REST request to `url` failed, from fetch's error and its cause (undici codes), or
 * undefined when there is nothing better to say than the raw detail.
 */
export function restTransportHint(url: string, error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' ? cause.message : '';
  const where = hostPort(url);
  if (code !== undefined && code.startsWith('HPE_')) {
    return `${where} answered, but not in HTTP/1.1: it looks like a gRPC port. For the gRPC API use --aggregator grpcs://${where} (grpc:// without TLS); for the REST API give the REST gateway's URL, e.g. http://host:port/aggregator ${ENDPOINTS_HINT}`;
  }
  if (message === 'bad port') {
    return `port ${portOf(url) ?? '?'} is on the Fetch standard's list of blocked ports (1, 7, 25, 6000, 10080 and others), to which node's fetch never connects: serve the REST API on another port`;
  }
  if (code === 'ECONNREFUSED') {
    return `nothing listens on ${where} (connection refused): is the aggregator running, and is the port right? ${ENDPOINTS_HINT}`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message)) {
    return `${where} does not speak TLS: use http:// instead of https://`;
  }
  if (code === 'UND_ERR_SOCKET' && url.startsWith('http:')) {
    return `${where} closed the connection without answering: if it is a TLS port use https://; if it is a gRPC port use --aggregator grpcs://${where}`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host of ${where} is not found (DNS): check the name`;
  return undefined;
}

/** grpc-js's UNAVAILABLE details without their trailing empty "Resolution note" and timestamps. */
export function cleanGrpcDetails(details: string): string {
  return details
    .replace(/\s*\(\d{4}-\d\d-\d\dT[\d:.]+Z\)/g, '')
    .replace(/\.?\s*Resolution note:\s*$/, '')
    .replace(/:\.\.\/deps\/openssl\/[^\s]*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What an UNAVAILABLE from a gRPC call to `endpoint` most likely means, or undefined. */
export function grpcTransportHint(endpoint: string, tls: boolean, details: string): string | undefined {
  const where = hostPort(endpoint);
  if (/ECONNREFUSED/.test(details)) {
    return `nothing listens on ${where} (connection refused): is the aggregator running, and is the port right? ${ENDPOINTS_HINT}`;
  }
  if (/Protocol error/i.test(details)) {
    return `${where} answered, but not as a gRPC (HTTP/2) server: if it is the REST API, use --aggregator http://${where}/aggregator`;
  }
  if (tls && /wrong version number/i.test(details)) {
    return `${where} does not speak TLS: use grpc://${where} instead of grpcs://`;
  }
  if (!tls && /Failed to connect|Connection dropped|socket hang up/i.test(details)) {
    return `${where} closed the connection: if it is a TLS port (the devnet's are), use grpcs://${where} with --ca-file <its CA> ${ENDPOINTS_HINT}`;
  }
  if (/ENOTFOUND|EAI_AGAIN|Name resolution failed/i.test(details)) return `the host of ${where} is not found (DNS): check the name`;
  return undefined;
}
