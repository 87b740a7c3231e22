/**
 * The download server of the local artifact storage: GET and HEAD of stored objects under
 * `/artifacts/<key>`, with single byte ranges (206 / 416, `Accept-Ranges`), validators (`ETag`,
 * `Last-Modified`, `If-None-Match`, `If-Range`) so interrupted downloads resume safely, and
 * parallel downloads of per-immutable archives work. Keys are checked like the storage's: no
 * traversal, no hidden (partial) files.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { closeDraining, type Logger } from '@mithril-ts/service-kit';
import { SnapshotterError } from '../errors.js';
import { contentTypeOf } from '../storage/port.js';
import type { LocalDirectoryStorage } from '../storage/local-directory.js';
import { parseRange } from './range.js';

export const DOWNLOAD_ROUTE_PREFIX = '/artifacts';

export interface DownloadServer {
  readonly port: number;
  /** `http://host:port/artifacts`: the base of the storage's public URLs when none is configured. */
  readonly baseUrl: string;
  close(): Promise<void>;
}

export async function startDownloadServer(options: {
  readonly host: string;
  readonly port: number;
  /** The storage whose directory is served. */
  readonly storage: Pick<LocalDirectoryStorage, 'root' | 'pathOf'>;
  readonly logger?: Logger;
}): Promise<DownloadServer> {
  const app = Fastify({ logger: false, exposeHeadRoutes: false, return503OnClosing: true });
  const root = await realpath(options.storage.root).catch(() => options.storage.root);
  app.route({
    method: ['GET', 'HEAD'],
    url: `${DOWNLOAD_ROUTE_PREFIX}/*`,
    handler: (request, reply) => serve(request, reply, options.storage, root, options.logger),
  });
  app.get('/health', async () => ({ status: 'SERVING' }));
  const address = await app.listen({ host: options.host, port: options.port });
  const port = (app.server.address() as { port: number }).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  options.logger?.info({ address }, 'download server listening');
  // A download in progress is cut after the drain time on close (the client resumes it with a range).
  return { port, baseUrl: `http://${host}:${port}${DOWNLOAD_ROUTE_PREFIX}`, close: () => closeDraining(() => app.close(), app.server) };
}

async function serve(
  request: FastifyRequest,
  reply: FastifyReply,
  storage: Pick<LocalDirectoryStorage, 'pathOf'>,
  root: string,
  logger?: Logger,
): Promise<FastifyReply> {
  const key = (request.params as { '*'?: string })['*'] ?? '';
  let path: string;
  try {
    path = storage.pathOf(key);
  } catch (error) {
    if (error instanceof SnapshotterError) return reply.code(400).type('text/plain').send('bad artifact path');
    throw error;
  }
  let info;
  try {
    // A symlink placed in the directory must not lead outside it.
    const real = await realpath(path);
    if (!real.startsWith(root + sep)) return reply.code(404).type('text/plain').send('not found');
    info = await stat(real);
    path = real;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return reply.code(404).type('text/plain').send('not found');
    logger?.error({ err: error, key }, 'download failed');
    return reply.code(500).type('text/plain').send('cannot read the artifact');
  }
  if (!info.isFile()) return reply.code(404).type('text/plain').send('not found');

  const size = info.size;
  const etag = `"${size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  reply.header('accept-ranges', 'bytes').header('etag', etag).header('last-modified', info.mtime.toUTCString()).header('cache-control', 'public, max-age=3600');
  if (request.headers['if-none-match'] !== undefined && request.headers['if-none-match'].split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    return reply.code(304).send();
  }
  // If-Range: the range applies only to the representation the client already has part of.
  const ifRange = request.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
  const range = parseRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${size}`).type('text/plain').send('range not satisfiable');
  }
  const [start, end] = range.kind === 'partial' ? [range.range.start, range.range.end] : [0, size - 1];
  if (range.kind === 'partial') reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
  reply.type(contentTypeOf(key)).header('content-length', String(end - start + 1));
  if (request.method === 'HEAD' || size === 0) return reply.send();
  return reply.send(createReadStream(path, { start, end }));
}
