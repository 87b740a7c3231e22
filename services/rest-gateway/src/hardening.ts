/**
 * What the gateway does to every request besides answering it: per-client rate limits, security
 * headers and one log line. Registered before the routes (the rate limits are attached to routes
 * as they are added).
 *
 * Rate limits are per client IP address (`request.ip`: the socket's peer, or with `trustProxy` the
 * address the trusted proxies forwarded), each client with its own budget, so one client spending
 * its budget leaves the others untouched. Two budgets per client and route class:
 * - writes (POST /register-signer, /register-signatures): each costs the signer gateway a
 *   certification or signature checks;
 * - expensive reads: the routes whose path a client chooses freely (by hash, by epoch) and the
 *   digests list. Their answers are cached, but a client naming new hashes misses the cache every
 *   time and sends each request to the aggregator; the fixed routes (lists, settings) are served
 *   from the shared cache and are not limited here.
 * A refusal is 429 with `Retry-After` (seconds) in the reference's error shape.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { RestError } from './errors.js';

export interface HardeningOptions {
  /** Requests per client and window to each POST route. */
  readonly writeMax: number;
  /** Requests per client and window to each expensive read route. */
  readonly expensiveReadMax: number;
  readonly windowMs: number;
  /** Whether the gateway itself serves HTTPS (then HSTS is sent; behind a TLS-terminating ingress, the ingress sends it). */
  readonly https: boolean;
}

/** Read routes whose path the client chooses (a new hash is a new upstream call) or whose answer is large. */
const EXPENSIVE_READS = [
  /\/certificate\/:hash$/,
  /\/artifact\/mithril-stake-distribution\/:hash$/,
  /\/artifact\/cardano-database\/:hash$/,
  /\/artifact\/cardano-database\/epoch\/:epoch$/,
  /\/artifact\/cardano-database\/digests$/,
  /\/signers\/registered\/:epoch$/,
  /\/protocol-configuration\/:epoch$/,
];

/** The budget class of a route, or undefined when it is not limited. */
export function rateLimitClassOf(method: string | readonly string[], url: string): 'write' | 'expensive-read' | undefined {
  const methods = typeof method === 'string' ? [method] : method;
  if (methods.includes('POST')) return 'write';
  if (methods.includes('GET') && EXPENSIVE_READS.some((pattern) => pattern.test(url))) return 'expensive-read';
  return undefined;
}

export async function registerHardening(app: FastifyInstance, options: HardeningOptions): Promise<void> {
  // Before the plugin's own onRoute hook: each limited route carries its budget in its config.
  app.addHook('onRoute', (route: RouteOptions) => {
    const kind = rateLimitClassOf(route.method, route.url);
    if (kind === undefined) return;
    const max = kind === 'write' ? options.writeMax : options.expensiveReadMax;
    route.config = { ...(route.config as object), rateLimit: { max, timeWindow: options.windowMs } };
  });
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => request.ip,
    // The counters live in this process, one per client and route: a bounded LRU of clients.
    cache: 10_000,
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
    errorResponseBuilder: (_request, context) =>
      new RestError(429, 'too_many_requests', `too many requests to this route: at most ${context.max} per ${options.windowMs} ms; retry in ${context.after}`),
  });

  // A JSON API: no document is ever rendered, framed or allowed to load anything.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Read from other origins by design (the explorer, with CORS): a same-origin resource policy would block it.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    hsts: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });

  // One line per request through fastify's logger (the service's pino, with the request id).
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: request.ip,
      },
      'request',
    );
    done();
  });
}
