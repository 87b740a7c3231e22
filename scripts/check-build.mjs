#!/usr/bin/env node
/**
 * `npm run build:check`: the compiled build works on its own (contracts C1 and C4).
 *
 *   1. `npm run build`, then dist/ is copied outside the repository, so nothing can be found in the
 *      workspace's node_modules: each dist/<name> must be self-contained.
 *   2. Every entry (and the aggregator's genesis.mjs) answers `--help` with exit 0.
 *   3. The services start for real, from the copy, as separate processes on loopback with minimal
 *      settings (plaintext, temporary state, free ports) on a devnet chain: certifier, snapshotter,
 *      aggregator (SQLite), signer gateway, REST gateway, signer. Real work is checked through the
 *      REST gateway: the signer's registration (signer and its SQLite store → signer gateway →
 *      certifier → aggregator's Prisma store) read back, and the certificate list; the compiled
 *      client lists the certificates over REST and over gRPC.
 *   4. Each is sent SIGTERM and must exit 0 within 10 s.
 *   5. With MITHRIL_TEST_POSTGRES_URL set (CI sets it) and psql at hand, the same for an aggregator
 *      on PostgreSQL in a database of its own (dropped afterwards), read through a REST gateway.
 *
 * The devnet chain process (dist/devnet-chain) only gets the `--help` check.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, ROOT, TARGETS } from './build.mjs';
import { commandOf, freePort, makeFixture, settingsOf, startNetwork, startProcess, stopNetwork, stopProcess } from './service-processes.mjs';

const STOP_BOUND_MS = 10_000;
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** GETs `path` from the REST gateway until `accept(body)` holds (or `timeoutMs` passes); the last status and body. */
async function poll(port, path, accept, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  let last = { status: 0, body: undefined };
  while (Date.now() < until) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      last = { status: response.status, body: await response.json() };
      if (response.status === 200 && accept(last.body)) return { ...last, ok: true };
    } catch (error) {
      last = { status: 0, body: String(error) };
    }
    await sleep(500);
  }
  return { ...last, ok: false };
}

function checkStopped(stopped) {
  for (const [name, { code, ms }] of Object.entries(stopped)) {
    check(code === 0 && ms < STOP_BOUND_MS, `${name}: SIGTERM → exit ${code} in ${ms} ms (must be 0 within ${STOP_BOUND_MS} ms)`);
  }
}

const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

const work = mkdtempSync(join(tmpdir(), 'mithril-build-check-'));
try {
  const dist = join(work, 'dist');
  cpSync(DIST, dist, { recursive: true });

  for (const target of TARGETS) {
    for (const entry of Object.keys(target.entries)) {
      const file = join(dist, target.name, `${entry}.mjs`);
      if (!existsSync(file)) {
        console.log(`skip dist/${target.name}/${entry}.mjs (not built)`);
        continue;
      }
      const help = spawnSync(process.execPath, [file, '--help'], { cwd: work, encoding: 'utf8' });
      check(help.status === 0 && /Usage:/.test(help.stdout), `dist/${target.name}/${entry}.mjs --help → exit ${help.status}`);
    }
  }

  const fixture = makeFixture(
    join(work, 'fixture'),
    commandOf('compiled', 'aggregator', dist).map((part) => part.replace(/main\.mjs$/, 'genesis.mjs')),
  );
  const network = await startNetwork('compiled', fixture, join(work, 'state'), {
    dist,
    cwd: work,
    onStarted: (name, started) => console.log(`ok   ${name} started (pid ${started.pid})`),
  });
  const rest = network.ports['rest-gateway'];
  const registered = await poll(rest, '/aggregator/signers/registered/latest', (body) => (body.registrations ?? []).length > 0);
  check(registered.ok, `the signer's registration is read back from the aggregator's store (status ${registered.status}, ${JSON.stringify(registered.body)})`);
  const listed = await poll(rest, '/aggregator/certificates', (body) => Array.isArray(body));
  check(listed.ok, `the REST gateway lists the aggregator's certificates (status ${listed.status})`);
  // The client, compiled too, over both APIs (asynchronously: the services' output pipes keep being read).
  for (const endpoint of [`http://127.0.0.1:${rest}/aggregator`, `grpc://127.0.0.1:${network.ports.aggregator}`]) {
    const client = [join(dist, 'client', 'main.mjs'), '--aggregator', endpoint, '--genesis-verification-key-file', fixture.genesisVerificationKey];
    const listed = await new Promise((resolve) =>
      execFile(process.execPath, [...client, 'certificate', 'list', '--json'], { cwd: work, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (error.code ?? 'killed') : 0, stderr }),
      ),
    );
    check(listed.code === 0, `dist/client/main.mjs certificate list over ${endpoint} → exit ${listed.code} ${listed.stderr.trim().slice(0, 300)}`);
  }
  for (const [name, started] of Object.entries(network.running)) check(started.child.exitCode === null, `${name} still running after the checks`);
  checkStopped(await stopNetwork(network.running));

  const postgresUrl = process.env.MITHRIL_TEST_POSTGRES_URL;
  const psql = spawnSync('psql', ['--version']).status === 0;
  if (postgresUrl === undefined || !psql) {
    console.log('skip the aggregator on PostgreSQL (set MITHRIL_TEST_POSTGRES_URL and install psql to run it)');
  } else {
    const database = `mithril_build_check_${process.pid}`;
    const sql = (command) => spawnSync('psql', [postgresUrl, '-v', 'ON_ERROR_STOP=1', '-qc', command], { encoding: 'utf8' });
    const created = sql(`CREATE DATABASE ${database}`);
    check(created.status === 0, `created PostgreSQL database ${database} ${created.stderr.trim()}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${database}`;
    try {
      const ports = { aggregator: await freePort(), aggregatorStoreUrl: url.href, 'signer-gateway': await freePort() };
      const state = join(work, 'postgres');
      const aggregator = await startProcess(
        'compiled aggregator (PostgreSQL)',
        [...commandOf('compiled', 'aggregator', dist), ...settingsOf('aggregator', fixture, state, ports)],
        { ready: 'aggregator listening', cwd: work },
      );
      const gateway = await startProcess(
        'compiled rest-gateway',
        [...commandOf('compiled', 'rest-gateway', dist), ...settingsOf('rest-gateway', fixture, state, ports)],
        {
          ready: 'REST gateway listening',
          cwd: work,
        },
      );
      const listed = await poll(gateway.fields.port, '/aggregator/certificates', (body) => Array.isArray(body));
      check(listed.ok, `aggregator on PostgreSQL: the REST gateway lists its certificates (status ${listed.status})`);
      const epoch = await poll(gateway.fields.port, '/aggregator/epoch-settings', (body) => body.epoch !== undefined);
      check(epoch.ok, `aggregator on PostgreSQL: it read the chain and stored the epoch's settings (status ${epoch.status}, ${JSON.stringify(epoch.body)})`);
      checkStopped({ 'rest-gateway (PostgreSQL run)': await stopProcess(gateway), 'aggregator (PostgreSQL)': await stopProcess(aggregator) });
    } finally {
      sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  }
} catch (error) {
  check(false, String(error?.stack ?? error));
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`build:check: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('build:check: every entry runs from its compiled build and stops cleanly');
