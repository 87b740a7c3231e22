#!/usr/bin/env node
/**
 * `npm run bench:rss`: memory of every service, run from its TypeScript under tsx (`node --import
 * tsx services/<x>/src/main.ts`) and from its compiled build (`node dist/<x>/main.mjs`), with the
 * same settings, in the same run (the numbers Kubernetes resource requests are set from).
 *
 * Each mode starts the whole network as separate processes on loopback (scripts/service-processes.mjs:
 * a 2-pool devnet chain at epoch 2, SQLite stores, plaintext), one mode after the other. Per service:
 *   ready   seconds from spawn to its "listening"/"started" log line;
 *   idle    VmRSS 5 s after the last service is ready;
 *   peak    VmHWM (the most it ever held, start-up included) after the load below.
 * Load: the signer registers (signer → signer gateway → certifier → aggregator: one certification,
 * one registration stored), then LOAD_REQUESTS (default 300) GETs, 10 at a time, spread over the
 * REST gateway's /aggregator, /aggregator/epoch-settings, /aggregator/certificates and
 * /aggregator/signers/registered/latest (the gateway shares answers to concurrent identical
 * requests, so the aggregator sees fewer calls). The snapshotter gets no work: it starts, migrates
 * its store and serves nothing (no certificate of a Cardano database is made on a static chain).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, ROOT } from './build.mjs';
import { SERVICES, commandOf, makeFixture, memoryOf, startNetwork, stopNetwork } from './service-processes.mjs';

const LOAD_REQUESTS = Number(process.env.LOAD_REQUESTS ?? 300);
const IDLE_WAIT_MS = 5_000;
const ROUTES = ['/aggregator', '/aggregator/epoch-settings', '/aggregator/certificates', '/aggregator/signers/registered/latest'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForRegistration(port) {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const response = await fetch(`http://127.0.0.1:${port}/aggregator/signers/registered/latest`).catch(() => undefined);
    if (response?.status === 200) return;
    await response?.body?.cancel();
    await sleep(250);
  }
  throw new Error('the signer did not register within 60 s');
}

async function load(port) {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < LOAD_REQUESTS) {
      const route = ROUTES[next++ % ROUTES.length];
      const response = await fetch(`http://127.0.0.1:${port}${route}`);
      await response.arrayBuffer();
      if (response.status !== 200) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  if (failed > 0) throw new Error(`${failed} of ${LOAD_REQUESTS} requests failed`);
}

async function measure(mode, fixture, work) {
  const network = await startNetwork(mode, fixture, join(work, mode), { dist: DIST, cwd: ROOT });
  try {
    await sleep(IDLE_WAIT_MS);
    const idle = Object.fromEntries(SERVICES.map(({ name }) => [name, memoryOf(network.running[name].pid).rssMb]));
    await waitForRegistration(network.ports['rest-gateway']);
    await load(network.ports['rest-gateway']);
    await sleep(1_000);
    const peak = Object.fromEntries(SERVICES.map(({ name }) => [name, memoryOf(network.running[name].pid).hwmMb]));
    const ready = Object.fromEntries(SERVICES.map(({ name }) => [name, network.running[name].readyMs / 1000]));
    return { idle, peak, ready };
  } finally {
    const stopped = await stopNetwork(network.running);
    for (const [name, { code }] of Object.entries(stopped)) if (code !== 0) console.warn(`${mode} ${name} exited ${code} on SIGTERM`);
  }
}

const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), ...SERVICES.map((s) => s.name)], { stdio: 'inherit' });
if (built.status !== 0) process.exit(1);
const work = mkdtempSync(join(tmpdir(), 'mithril-bench-rss-'));
try {
  const fixture = makeFixture(
    join(work, 'fixture'),
    commandOf('compiled', 'aggregator', DIST).map((part) => part.replace(/main\.mjs$/, 'genesis.mjs')),
  );
  const results = {};
  for (const mode of ['tsx', 'compiled']) {
    console.log(`measuring ${mode}…`);
    results[mode] = await measure(mode, fixture, work);
  }
  const f = (mb) => mb.toFixed(0).padStart(5);
  const s = (seconds) => seconds.toFixed(1).padStart(5);
  const header =
    'service          | tsx ready s | tsx idle MB | tsx peak MB | compiled ready s | compiled idle MB | compiled peak MB | idle ratio | peak ratio';
  console.log(`\nRSS (VmRSS idle after ${IDLE_WAIT_MS / 1000} s, VmHWM peak after ${LOAD_REQUESTS} REST requests), node ${process.version}\n`);
  console.log(header);
  console.log(header.replace(/[^|]/g, '-'));
  for (const { name } of SERVICES) {
    const t = results.tsx;
    const c = results.compiled;
    console.log(
      `${name.padEnd(16)} | ${s(t.ready[name]).padStart(11)} | ${f(t.idle[name]).padStart(11)} | ${f(t.peak[name]).padStart(11)} | ${s(c.ready[name]).padStart(16)} | ${f(c.idle[name]).padStart(16)} | ${f(c.peak[name]).padStart(16)} | ${(c.idle[name] / t.idle[name]).toFixed(2).padStart(10)} | ${(c.peak[name] / t.peak[name]).toFixed(2).padStart(10)}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
