/**
 * The explorer (the `explorer/` workspace's built pages) served as static files at /explorer/.
 * The files are the same for every visitor and hold no secret; what the page shows comes from the
 * aggregator it is pointed at, through the REST API and CORS, and is verified in the browser.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '@mithril-ts/service-kit';
import { RestError } from './errors.js';

export const EXPLORER_PATH = '/explorer';

/**
 * The page's own policy instead of the API's `default-src 'none'`: its scripts, styles and worker
 * come from this origin only (no inline script, no eval), and it may read any http(s) aggregator
 * the user chooses (connect-src), which is the point of the explorer. 'wasm-unsafe-eval' lets the
 * verifier compile its WebAssembly BLS module (mcl, itself one of those same-origin scripts); it
 * allows no JavaScript eval. Without it the verifier falls back to pure JS, ~2× slower.
 */
const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' http: https:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the built explorer is when no directory is configured: beside this module (a packaged
 * build that copies it there) or the workspace's `explorer/dist` (running from the repository).
 */
export function defaultExplorerDirectory(moduleUrl: string = import.meta.url): string {
  const here = fileURLToPath(new URL('.', moduleUrl));
  const candidates = [join(here, 'explorer'), resolve(here, '../../../explorer/dist')];
  return candidates.find((directory) => existsSync(join(directory, 'index.html'))) ?? candidates[candidates.length - 1]!;
}

/** Registers /explorer/ (and /explorer → /explorer/). A directory without index.html answers 404 saying how to build it. */
export async function registerExplorer(app: FastifyInstance, directory: string, logger: Logger): Promise<void> {
  app.get(EXPLORER_PATH, (_request, reply) => reply.redirect(`${EXPLORER_PATH}/`, 301));
  if (!existsSync(join(directory, 'index.html'))) {
    logger.warn({ explorerDirectory: directory }, 'the explorer is not built: /explorer answers 404 (npm run build -w explorer)');
    app.get(`${EXPLORER_PATH}/*`, () => {
      throw new RestError(404, 'not_found', `the explorer is not built on this gateway (no index.html in ${directory}): run npm run build -w explorer`);
    });
    return;
  }
  await app.register(async (scope) => {
    scope.addHook('onSend', (request, reply, payload, done) => {
      reply.header('content-security-policy', EXPLORER_CSP);
      // Vite names assets by content hash: they never change. The page itself is revalidated.
      if (reply.statusCode === 200)
        reply.header('cache-control', request.url.startsWith(`${EXPLORER_PATH}/assets/`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      done(null, payload);
    });
    await scope.register(fastifyStatic, {
      root: directory,
      prefix: `${EXPLORER_PATH}/`,
      index: 'index.html',
      dotfiles: 'deny',
      cacheControl: false,
      decorateReply: false,
    });
  });
}
