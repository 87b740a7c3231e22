/**
 * `npm run bench:rest` (repo root, or `-w devnet`): GET /aggregator/certificates and
 * GET /aggregator/certificate/{hash} under autocannon (100 connections), served by the REST
 * gateway in front of the real aggregator (gRPC, SQLite store holding a certificate chain with
 * real multi-signatures), and by a bare fastify answering the same bodies as a baseline. Target:
 * ≥ 5,000 req/s with p99 < 50 ms for the gateway.
 *
 * The same is then measured with mainnet-size certificates (BENCH_SIGNERS signature entries each,
 * default 600: a mainnet certificate has hundreds of signers), after timing the first request of
 * each route — the one that has to decode the multi-signature — on its own.
 *
 * BENCH_DURATION (seconds per measurement, default 10) shortens or lengthens the run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = 100;
const SIGNERS = Number(process.env.BENCH_SIGNERS ?? 600);
const TARGET_RPS = 5_000;
const TARGET_P99_MS = 50;
const SERVERS = fileURLToPath(new URL('./servers.ts', import.meta.url));

interface Started<T> {
  readonly child: ChildProcess;
  readonly ready: T;
}

function start<T>(role: string, args: string[] = [], message?: unknown): Promise<Started<T>> {
  const child = fork(SERVERS, [role, ...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (message !== undefined) child.send(message as object);
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, ready: ready as T }));
    child.once('exit', (code) => reject(new Error(`${role} exited with code ${code} before it was ready`)));
  });
}

function stop(started: Started<unknown>): Promise<void> {
  return new Promise((resolve) => {
    started.child.once('exit', () => resolve());
    started.child.send('stop');
  });
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.text();
}

interface Row {
  readonly name: string;
  readonly result: Result;
  readonly target: boolean;
}

async function measure(name: string, port: number, paths: readonly string[], target = false): Promise<Row> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION,
    warmup: { connections: CONNECTIONS, duration: 2 },
    requests: paths.map((path) => ({ method: 'GET', path })),
  });
  return { name, result, target };
}

function report(rows: readonly Row[]): void {
  const pad = (text: string, width: number) => text.padEnd(width);
  console.log(`\nautocannon, ${CONNECTIONS} connections, ${DURATION} s per line (after a 2 s warm-up)\n`);
  console.log(`${pad('scenario', 62)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('errors', 8)}non-2xx  target`);
  for (const { name, result, target } of rows) {
    const verdict = target ? (result.requests.average >= TARGET_RPS && result.latency.p99 < TARGET_P99_MS ? 'met' : 'MISSED') : '';
    console.log(
      `${pad(name, 62)}${pad(result.requests.average.toFixed(0), 10)}${pad(String(result.latency.p50), 9)}${pad(String(result.latency.p99), 9)}${pad(String(result.errors + result.timeouts), 8)}${pad(String(result.non2xx), 9)}${verdict}`,
    );
  }
  console.log(`\ntarget for the gateway: >= ${TARGET_RPS} req/s with p99 < ${TARGET_P99_MS} ms`);
}

async function timedFetch(url: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const text = await fetchText(url);
  return { ms: performance.now() - started, bytes: text.length };
}

const aggregator = await start<{ port: number; hashes: string[] }>('aggregator');
const aggregatorAddress = `127.0.0.1:${aggregator.ready.port}`;
const gateway = await start<{ port: number }>('gateway', [aggregatorAddress, '1000']);
const uncached = await start<{ port: number }>('gateway', [aggregatorAddress, '0']);
const gatewayUrl = `http://127.0.0.1:${gateway.ready.port}/aggregator`;
const hashes = aggregator.ready.hashes;
const certificatePaths = hashes.map((hash) => `/aggregator/certificate/${hash}`);
const bodies = { list: await fetchText(`${gatewayUrl}/certificates`), certificate: await fetchText(`${gatewayUrl}/certificate/${hashes.at(-1)}`) };
const baseline = await start<{ port: number }>('baseline', [], bodies);

console.log(`chain of ${hashes.length} certificates stored in the aggregator; /certificates body ${bodies.list.length} B, a certificate ${bodies.certificate.length} B`);
const rows: Row[] = [];
const firsts: string[] = [];
try {
  rows.push(await measure('baseline: bare fastify, constant body, /certificates', baseline.ready.port, ['/aggregator/certificates']));
  rows.push(await measure('gateway: GET /certificates (lists reused 1 s)', gateway.ready.port, ['/aggregator/certificates'], true));
  rows.push(await measure('baseline: bare fastify, constant body, /certificate/{hash}', baseline.ready.port, certificatePaths));
  rows.push(await measure(`gateway: GET /certificate/{hash} (${hashes.length} hashes in turn)`, gateway.ready.port, certificatePaths, true));
  rows.push(await measure('gateway: GET /certificates, list cache off', uncached.ready.port, ['/aggregator/certificates']));
} finally {
  await Promise.all([baseline, gateway, uncached].map(stop));
  await stop(aggregator);
}

// Mainnet-size certificates: a new aggregator and gateways, nothing built or cached yet.
const large = await start<{ port: number; hashes: string[] }>('aggregator', [String(SIGNERS)]);
const largeAddress = `127.0.0.1:${large.ready.port}`;
const largeGateway = await start<{ port: number }>('gateway', [largeAddress, '1000']);
const largeUncached = await start<{ port: number }>('gateway', [largeAddress, '0']);
let largeBaseline: Started<{ port: number }> | undefined;
try {
  const url = `http://127.0.0.1:${largeGateway.ready.port}/aggregator`;
  const list = await timedFetch(`${url}/certificates`);
  const latest = large.ready.hashes.at(-1)!;
  const first = await timedFetch(`${url}/certificate/${latest}`);
  const again = await timedFetch(`${url}/certificate/${latest}`);
  firsts.push(
    `mainnet-size certificates (${SIGNERS} signature entries): /certificates body ${list.bytes} B, first answer ${list.ms.toFixed(0)} ms`,
    `  first GET /certificate/{hash} (multi-signature decoded by the aggregator and by the gateway): ${first.ms.toFixed(0)} ms, ${first.bytes} B; the next one ${again.ms.toFixed(1)} ms`,
  );
  // Every certificate once, so the measured lines see the steady state the first requests leave.
  for (const hash of large.ready.hashes) await fetchText(`${url}/certificate/${hash}`);
  const largePaths = large.ready.hashes.map((hash) => `/aggregator/certificate/${hash}`);
  // The same bodies from a bare fastify: what this machine serves at that size at all.
  largeBaseline = await start<{ port: number }>('baseline', [], { list: await fetchText(`${url}/certificates`), certificate: await fetchText(`${url}/certificate/${latest}`) });
  rows.push(await measure(`baseline: bare fastify, a ${SIGNERS}-signer certificate's body`, largeBaseline.ready.port, largePaths));
  rows.push(await measure(`gateway, ${SIGNERS}-signer certificates: GET /certificates`, largeGateway.ready.port, ['/aggregator/certificates'], true));
  rows.push(await measure(`gateway, ${SIGNERS}-signer certificates: GET /certificate/{hash}`, largeGateway.ready.port, largePaths, true));
  rows.push(await measure(`gateway, ${SIGNERS}-signer certificates: GET /certificates, cache off`, largeUncached.ready.port, ['/aggregator/certificates']));
} finally {
  await Promise.all([largeGateway, largeUncached, ...(largeBaseline === undefined ? [] : [largeBaseline])].map(stop));
  await stop(large);
}
report(rows);
for (const line of firsts) console.log(line);
