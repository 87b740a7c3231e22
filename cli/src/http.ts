/**
 * HTTP reads with bounds: node's fetch, a deadline, a size limit on bodies read into memory, and
 * transport failures turned into network errors naming the URL.
 */
import { CliError } from './errors.js';
import { restTransportHint } from './diagnose.js';
import { certificateError } from './tls.js';

export type Fetch = typeof fetch;

export interface HttpOptions {
  readonly fetch?: Fetch;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** The signal a request runs under: the caller's, plus a deadline when one is given. */
export function requestSignal(options: HttpOptions): AbortSignal | undefined {
  const signals = [options.signal, options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs)].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/** What went wrong with a request, as a network error (a user's abort is reported as such). */
export function transportError(url: string, error: unknown, signal?: AbortSignal): CliError {
  if (error instanceof CliError) return error;
  if (signal?.aborted && signal.reason instanceof CliError) return signal.reason;
  const refusedCertificate = certificateError(redact(url), error);
  if (refusedCertificate !== undefined) return refusedCertificate;
  const hint = restTransportHint(url, error);
  if (hint !== undefined) return new CliError('network', `cannot reach ${redact(url)}: ${hint}`, { reason: 'UNREACHABLE', cause: error });
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const name = (error as Error | undefined)?.name;
  const detail = name === 'TimeoutError' ? 'timed out' : name === 'AbortError' ? 'aborted' : (cause?.code ?? cause?.message ?? (error as Error).message);
  return new CliError('network', `cannot reach ${redact(url)}: ${detail}`, { reason: 'UNREACHABLE', cause: error });
}

/** URLs are shown without credentials or query strings (pre-signed storage URLs carry secrets there). */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return url.slice(0, 200);
  }
}

/** Reads a body into memory, refusing one larger than `maxBytes` without reading it all. */
export async function readBounded(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new CliError('network', `${what} is ${declared} bytes, above the limit of ${maxBytes}`, { reason: 'RESPONSE_TOO_LARGE' });
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body !== null) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > maxBytes) {
        await response.body.cancel().catch(() => undefined);
        throw new CliError('network', `${what} is larger than the limit of ${maxBytes} bytes`, { reason: 'RESPONSE_TOO_LARGE' });
      }
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, total);
}
