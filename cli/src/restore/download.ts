/**
 * Resumable downloads to a file. Bytes go to `<destination>.part` as they arrive (all that was
 * received is written before a transfer ends or fails), so an interrupted transfer leaves exactly
 * what was received; the next attempt asks for the rest with an HTTP Range request and appends.
 * Only a transfer that reached its announced length is renamed to `<destination>`. Nothing here
 * is trusted: callers verify what was downloaded.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';
import { readBounded, redact, requestSignal, transportError, type Fetch } from '../http.js';

/** Bytes a download may have queued for the disk before it waits (receiving continues meanwhile). */
const WRITE_QUEUE_BYTES = 4 * 1024 * 1024;

export interface DownloadOptions {
  readonly fetch?: Fetch;
  readonly signal?: AbortSignal;
  /** Called with the number of bytes of each chunk written. */
  readonly onBytes?: (bytes: number) => void;
  /** Refuse a file larger than this. */
  readonly maxBytes: number;
  /**
   * Also give the SHA-256 of the whole file, hashed as the bytes arrive (saves reading a large
   * archive again; the earlier bytes of a resumed download are read back once).
   */
  readonly sha256?: boolean;
}

export interface DownloadResult {
  /** Bytes transferred by this call. */
  readonly transferred: number;
  /** Where the transfer started (the size of the partial file it continued). */
  readonly resumedFrom: number;
  /** Whether the file was already complete from an earlier run. */
  readonly alreadyComplete: boolean;
  /** SHA-256 (hex) of the whole file, when asked for. */
  readonly sha256?: string;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** `bytes start-end/total` of a 206 answer. */
function parseContentRange(header: string | null): { start: number; total: number | undefined } | undefined {
  const match = header === null ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (match === null) return undefined;
  return { start: Number(match[1]), total: match[3] === '*' ? undefined : Number(match[3]) };
}

/** A hash of the first `length` bytes of `path` (a partial download about to be continued). */
async function hashOfPrefix(path: string, length: number, signal?: AbortSignal): Promise<Hash> {
  const hash = createHash('sha256');
  if (length === 0) return hash;
  signal?.throwIfAborted();
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1, signal, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash;
}

/**
 * Appends the chunks to `path`. Writes are queued (a write stream gathers the chunks that arrive
 * during a write into the next one) rather than awaited one by one, so receiving goes on while
 * the disk writes; whatever was received is on disk before this returns or fails.
 */
async function appendChunks(
  path: string,
  flags: 'a' | 'w',
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
  onBytes?: (bytes: number) => void,
  hash?: Hash,
): Promise<number> {
  const out = createWriteStream(path, { flags, highWaterMark: WRITE_QUEUE_BYTES });
  let writeFailure: Error | undefined;
  out.on('error', (error) => {
    writeFailure ??= error;
  });
  let written = 0;
  try {
    for await (const chunk of chunks) {
      if (writeFailure !== undefined) throw writeFailure;
      written += chunk.length;
      if (written > limit) throw new CliError('network', `the download is larger than the limit of ${limit} bytes`, { reason: 'RESPONSE_TOO_LARGE' });
      hash?.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      onBytes?.(chunk.length);
    }
  } finally {
    out.end();
    await finished(out).catch(() => undefined);
  }
  if (writeFailure !== undefined) throw writeFailure;
  return written;
}

export async function downloadToFile(url: string, destination: string, options: DownloadOptions): Promise<DownloadResult> {
  const complete = await sizeOf(destination);
  if (complete !== undefined) {
    const sha256 = options.sha256 ? (await hashOfPrefix(destination, complete, options.signal)).digest('hex') : undefined;
    return { transferred: 0, resumedFrom: 0, alreadyComplete: true, ...(sha256 === undefined ? {} : { sha256 }) };
  }
  const partial = `${destination}.part`;
  const result = url.startsWith('file:') ? await copyLocalFile(url, partial, options) : await fetchToPartial(url, partial, options, true);
  await rename(partial, destination);
  return { ...result, alreadyComplete: false };
}

async function fetchToPartial(url: string, partial: string, options: DownloadOptions, mayRestart: boolean): Promise<Omit<DownloadResult, 'alreadyComplete'>> {
  const offset = (await sizeOf(partial)) ?? 0;
  const signal = requestSignal({ signal: options.signal });
  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers, signal });
  } catch (error) {
    throw transportError(url, error, signal);
  }
  if (response.status === 416 && offset > 0 && mayRestart) {
    // The partial file is not a prefix the server recognises (e.g. the file changed): start over.
    await response.body?.cancel();
    await rm(partial, { force: true });
    return fetchToPartial(url, partial, options, false);
  }
  let start: number;
  let total: number | undefined;
  if (response.status === 206) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (range === undefined || range.start !== offset) {
      await response.body?.cancel();
      throw new CliError('network', `${redact(url)} answered a range that does not continue the partial download`, { reason: 'BAD_RANGE' });
    }
    start = offset;
    total = range.total;
  } else if (response.status === 200) {
    start = 0;
    const length = Number(response.headers.get('content-length') ?? NaN);
    total = Number.isFinite(length) ? length : undefined;
  } else {
    let detail = '';
    try {
      detail = Buffer.from(await readBounded(response, 4096, 'error'))
        .toString('utf8')
        .slice(0, 200);
    } catch {
      // The status says enough.
    }
    throw new CliError('network', `${redact(url)} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`, { reason: `HTTP_${response.status}` });
  }
  if (total !== undefined && total > options.maxBytes) {
    await response.body?.cancel();
    throw new CliError('network', `${redact(url)} is ${total} bytes, above the limit of ${options.maxBytes}`, { reason: 'RESPONSE_TOO_LARGE' });
  }
  let hash: Hash | undefined;
  try {
    hash = options.sha256 ? await hashOfPrefix(partial, start, options.signal) : undefined;
  } catch (error) {
    await response.body?.cancel().catch(() => undefined);
    throw error;
  }
  let transferred = 0;
  try {
    transferred = await appendChunks(
      partial,
      start === 0 ? 'w' : 'a',
      (response.body ?? []) as AsyncIterable<Uint8Array>,
      options.maxBytes - start,
      (bytes) => {
        transferred += bytes;
        options.onBytes?.(bytes);
      },
      hash,
    );
  } catch (error) {
    if (error instanceof CliError || signal?.aborted) throw transportError(url, error, signal);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(
      'network',
      `the transfer of ${redact(url)} was interrupted after ${start + transferred} bytes (${detail}): run the command again to resume it`,
      { reason: 'INTERRUPTED_TRANSFER', cause: error },
    );
  }
  if (total !== undefined && start + transferred !== total) {
    throw new CliError('network', `the transfer of ${redact(url)} ended after ${start + transferred} of ${total} bytes`, { reason: 'TRUNCATED' });
  }
  return { transferred, resumedFrom: start, ...(hash === undefined ? {} : { sha256: hash.digest('hex') }) };
}

/** file:// locations (an aggregator and client sharing a disk): a copy, resumable the same way. */
async function copyLocalFile(url: string, partial: string, options: DownloadOptions): Promise<Omit<DownloadResult, 'alreadyComplete'>> {
  const source = fileURLToPath(url);
  const total = await sizeOf(source);
  if (total === undefined) throw new CliError('network', `${url} does not exist`, { reason: 'HTTP_404' });
  if (total > options.maxBytes)
    throw new CliError('network', `${url} is ${total} bytes, above the limit of ${options.maxBytes}`, { reason: 'RESPONSE_TOO_LARGE' });
  let start = (await sizeOf(partial)) ?? 0;
  if (start > total) {
    await rm(partial, { force: true });
    start = 0;
  }
  const hash = options.sha256 ? await hashOfPrefix(partial, start, options.signal) : undefined;
  options.signal?.throwIfAborted(); // Node 20 leaks the descriptor of a read stream created with an aborted signal
  const transferred = await appendChunks(
    partial,
    start === 0 ? 'w' : 'a',
    createReadStream(source, { start, signal: options.signal, highWaterMark: 1024 * 1024 }),
    options.maxBytes - start,
    options.onBytes,
    hash,
  );
  return { transferred, resumedFrom: start, ...(hash === undefined ? {} : { sha256: hash.digest('hex') }) };
}

/**
 * Tries each location in turn (they are mirrors, in order of preference) and reports the last
 * failure when none worked. Verification failures are not retried elsewhere: they are decided
 * after the download, by the caller.
 */
export async function downloadFromLocations(urls: readonly string[], destination: string, options: DownloadOptions): Promise<DownloadResult> {
  if (urls.length === 0) throw new CliError('network', 'the aggregator gave no download location', { reason: 'NO_LOCATION' });
  let lastError: unknown;
  for (const url of urls) {
    try {
      return await downloadToFile(url, destination, options);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (!(error instanceof CliError) || error.kind !== 'network') throw error;
      lastError = error;
    }
  }
  throw lastError;
}
