/**
 * `npm run bench:rest` (repo root, or `-w devnet`): GET /aggregator/certificates and
 * GET /aggregator/certificate/{hash} under autocannon (100 connections), served by the REST
 * gateway in front of the real aggregator (gRPC, SQLite store holding a certificate chain with
 * real multi-signatures), and by a bare fastify answering the same bodies as a baseline. Target:
 * ≥ 5,000 req/s with p99 < 50 ms for the gateway.
 *
 * The same is then measured with mainnet-size certificates (BENCH_SIGNERS distinct signature
 * entries each, default 600: a mainnet certificate has hundreds of signers), after timing the
 * first request of a certificate on its own — nothing cached for it anywhere; the first of the
 * freshly started processes, then one per content coding (identity, gzip, br) — against a
 * target of 50 ms; the steady state is compared with a bare fastify sending the same body
 * (target: ≥ 0.8× its req/s), uncompressed and gzipped.
 *
 * BENCH_DURATION (seconds per measurement, default 10) shortens or lengthens the run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
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

async function measure(
  name: string,
  port: number,
  paths: readonly string[],
  target = false,
  headers: Record<string, string> = {},
  connections = CONNECTIONS,
): Promise<Row> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: DURATION,
    warmup: { connections: CONNECTIONS, duration: 2 },
    requests: paths.map((path) => ({ method: 'GET', path, headers })),
  });
  return { name, result, target };
}

/** One GET with exactly this Accept-Encoding (none by default), timed to the last byte of the body as sent. */
function timedGet(url: string, acceptEncoding?: string): Promise<{ ms: number; bytes: number; coding: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }, agent: false }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`${url}: ${response.statusCode}`));
        else resolve({ ms: performance.now() - started, bytes, coding: String(response.headers['content-encoding'] ?? 'identity') });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
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

const aggregator = await start<{ port: number; hashes: string[] }>('aggregator');
const aggregatorAddress = `127.0.0.1:${aggregator.ready.port}`;
const gateway = await start<{ port: number }>('gateway', [aggregatorAddress, '1000']);
const uncached = await start<{ port: number }>('gateway', [aggregatorAddress, '0']);
const gatewayUrl = `http://127.0.0.1:${gateway.ready.port}/aggregator`;
const hashes = aggregator.ready.hashes;
const certificatePaths = hashes.map((hash) => `/aggregator/certificate/${hash}`);
const bodies = { list: await fetchText(`${gatewayUrl}/certificates`), certificate: await fetchText(`${gatewayUrl}/certificate/${hashes.at(-1)}`) };
const baseline = await start<{ port: number }>('baseline', [], bodies);

console.log(
  `chain of ${hashes.length} certificates stored in the aggregator; /certificates body ${bodies.list.length} B, a certificate ${bodies.certificate.length} B`,
);
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
const ratios: string[] = [];
try {
  const url = `http://127.0.0.1:${largeGateway.ready.port}/aggregator`;
  const list = await timedGet(`${url}/certificates`);
  // The widened certificates: all but the genesis certificate, first in the chain.
  const widenedHashes = large.ready.hashes.slice(1);
  const first = await timedGet(`${url}/certificate/${widenedHashes[0]!}`);
  const again = await timedGet(`${url}/certificate/${widenedHashes[0]!}`);
  firsts.push(
    `mainnet-size certificates (${SIGNERS} distinct signature entries): /certificates body ${list.bytes} B, first answer ${list.ms.toFixed(0)} ms`,
    `  first GET /certificate/{hash} of the freshly started aggregator and gateway (stored JSON relayed, its hash checked, no point decoded): ${first.ms.toFixed(1)} ms, ${first.bytes} B; the same again (cached) ${again.ms.toFixed(1)} ms  [target <= 50 ms]`,
  );
  // What a certificate's first request costs once the processes run warm: a gateway that keeps no
  // certificate, one request at a time (each goes through the aggregator and is checked and, when
  // asked, compressed), for DURATION seconds per coding.
  const noCache = await start<{ port: number }>('gateway', [largeAddress, '1000', '0']);
  try {
    const paths = widenedHashes.map((hash) => `/aggregator/certificate/${hash}`);
    for (const coding of ['identity', 'gzip', 'br']) {
      const { result } = await measure(`uncached ${coding}`, noCache.ready.port, paths, false, { 'accept-encoding': coding }, 1);
      firsts.push(
        `  uncached gateway, warm, one request at a time, Accept-Encoding ${coding}: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.requests.average.toFixed(0)} req/s  [target <= 50 ms]`,
      );
    }
  } finally {
    await stop(noCache);
  }
  // Per content coding, a gateway of its own: the first request of every certificate (nothing cached for it), the gateway process fresh.
  for (const coding of ['identity', 'gzip', 'br']) {
    const fresh = await start<{ port: number }>('gateway', [largeAddress, '1000']);
    try {
      const freshUrl = `http://127.0.0.1:${fresh.ready.port}/aggregator`;
      await timedGet(`${freshUrl}/certificates`);
      const times: number[] = [];
      let bytes = 0;
      for (const hash of widenedHashes) {
        const answer = await timedGet(`${freshUrl}/certificate/${hash}`, coding);
        times.push(answer.ms);
        bytes = answer.bytes;
      }
      const sorted = [...times].sort((a, b) => a - b);
      firsts.push(
        `  first GET of each of ${times.length} certificates, Accept-Encoding ${coding} (${bytes} B, ${(first.bytes / bytes).toFixed(1)}x smaller): first ${times[0]!.toFixed(1)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms  [target <= 50 ms]`,
      );
    } finally {
      await stop(fresh);
    }
  }
  // Every certificate once, so the measured lines see the steady state the first requests leave.
  for (const hash of large.ready.hashes) await fetchText(`${url}/certificate/${hash}`);
  const largePaths = large.ready.hashes.map((hash) => `/aggregator/certificate/${hash}`);
  // The same bodies from a bare fastify: what this machine serves at that size at all.
  const body = await new Promise<string>((resolve, reject) =>
    httpGet(`${url}/certificate/${widenedHashes[0]!}`, (response) => {
      let text = '';
      response
        .setEncoding('utf8')
        .on('data', (chunk: string) => (text += chunk))
        .on('end', () => resolve(text))
        .on('error', reject);
    }).on('error', reject),
  );
  largeBaseline = await start<{ port: number }>('baseline', [], { list: await fetchText(`${url}/certificates`), certificate: body });
  const gzip = { 'accept-encoding': 'gzip' };
  const baselineRow = await measure(`baseline: bare fastify, a ${SIGNERS}-signer certificate's body`, largeBaseline.ready.port, largePaths);
  const gatewayRow = await measure(`gateway, ${SIGNERS}-signer certificates: GET /certificate/{hash}`, largeGateway.ready.port, largePaths);
  const baselineGzipRow = await measure(`baseline: bare fastify, the same body gzipped ahead`, largeBaseline.ready.port, largePaths, false, gzip);
  const gatewayGzipRow = await measure(`gateway, ${SIGNERS}-signer certificates, Accept-Encoding gzip`, largeGateway.ready.port, largePaths, false, gzip);
  rows.push(baselineRow, gatewayRow, baselineGzipRow, gatewayGzipRow);
  rows.push(await measure(`gateway, ${SIGNERS}-signer certificates: GET /certificates`, largeGateway.ready.port, ['/aggregator/certificates'], true));
  rows.push(await measure(`gateway, ${SIGNERS}-signer certificates: GET /certificates, cache off`, largeUncached.ready.port, ['/aggregator/certificates']));
  const ratio = (gateway: Row, baseline: Row) => gateway.result.requests.average / baseline.result.requests.average;
  ratios.push(
    `steady state, ${SIGNERS}-signer GET /certificate/{hash}: gateway / bare fastify = ${ratio(gatewayRow, baselineRow).toFixed(2)}x (identity), ${ratio(gatewayGzipRow, baselineGzipRow).toFixed(2)}x (gzip)  [target >= 0.8x]`,
  );
} finally {
  await Promise.all([largeGateway, largeUncached, ...(largeBaseline === undefined ? [] : [largeBaseline])].map(stop));
  await stop(large);
}
report(rows);
for (const line of [...firsts, ...ratios]) console.log(line);
