/**
 * `GET /health`, outside the reference API (`/aggregator`): the readiness of this gateway, which
 * can answer nothing useful without its aggregator. 200 `{"status":"ok","aggregator":"SERVING"}`
 * when the aggregator's health service says SERVING over the gateway's own channel (same address,
 * same TLS), 503 `{"status":"unavailable","aggregator":<what it said, or UNREACHABLE>}` otherwise.
 *
 * Anyone may call it: the answer says only whether the aggregator serves, which every read route
 * already reveals. One check is shared by the callers of a short period, so hammering /health sends
 * the aggregator at most one health call per period.
 */
import type { FastifyInstance } from 'fastify';
import type { AggregatorUpstream } from './upstream.js';

export const HEALTH_PATH = '/health';
/** How long one check of the aggregator answers every /health call. */
const CHECK_REUSE_MS = 1_000;

type AggregatorHealth = Awaited<ReturnType<AggregatorUpstream['health']>>;

export function registerHealthRoute(app: FastifyInstance, aggregator: Pick<AggregatorUpstream, 'health'>): void {
  let last: { at: number; answer: Promise<AggregatorHealth> } | undefined;
  const check = (): Promise<AggregatorHealth> => {
    const now = Date.now();
    if (last === undefined || now - last.at >= CHECK_REUSE_MS) last = { at: now, answer: aggregator.health() };
    return last.answer;
  };
  app.get(HEALTH_PATH, async (_request, reply) => {
    const health = await check();
    const ok = health === 'SERVING';
    return reply
      .code(ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .type('application/json')
      .send(JSON.stringify({ status: ok ? 'ok' : 'unavailable', aggregator: health }));
  });
}
