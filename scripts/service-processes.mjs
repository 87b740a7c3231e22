/**
 * Runs the Mithril services as separate processes on loopback, the way a deployment does: each
 * from its compiled build (`node dist/<name>/main.mjs`) or from its TypeScript under tsx, with the
 * same settings. Used by scripts/check-build.mjs (every entry starts and stops cleanly) and
 * scripts/bench-rss.mjs (memory, tsx vs compiled).
 *
 * The chain is the devnet's (devnet/src, run under tsx): a static snapshot of a 2-pool chain at
 * epoch 2 (tip, stake distributions, immutable files, pool keys), enough for every service to start
 * and do real work (genesis certificate, a signer registration through the gateway and certifier).
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './build.mjs';

/** The services, in start order (each only needs the ones before it), with the log line saying it is up. */
export const SERVICES = [
  { name: 'certifier', pkg: 'services/certifier', ready: 'certifier listening' },
  { name: 'snapshotter', pkg: 'services/snapshotter', ready: 'snapshotter listening' },
  { name: 'aggregator', pkg: 'services/aggregator', ready: 'aggregator listening' },
  { name: 'signer-gateway', pkg: 'services/signer-gateway', ready: 'signer gateway listening' },
  { name: 'rest-gateway', pkg: 'services/rest-gateway', ready: 'REST gateway listening' },
  { name: 'signer', pkg: 'services/signer', ready: 'signer started' },
];

/** How a service is run: its compiled build from `dist` (a folder laid out as dist/), or its sources under tsx. */
export function commandOf(mode, name, dist) {
  if (mode === 'compiled') return [process.execPath, join(dist, name, 'main.mjs')];
  const service = SERVICES.find((s) => s.name === name);
  return [process.execPath, '--import', 'tsx', join(ROOT, service.pkg, 'src', 'main.ts')];
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
  return result.stdout;
}

/**
 * Writes the devnet chain under `dir` and a genesis key pair (made by `genesis`, the command of
 * the genesis CLI); returns the paths the services' settings need.
 */
export function makeFixture(dir, genesis) {
  const chainRoot = join(dir, 'devnet');
  const script = `import { Devnet } from '@mithril-ts/devnet';
    const devnet = await Devnet.create(${JSON.stringify(chainRoot)}, { pools: 2 });
    await devnet.advanceTo(Date.now() + 25_000);
    console.log(JSON.stringify({ slotsPerKesPeriod: devnet.parameters.slotsPerKesPeriod }));`;
  const { slotsPerKesPeriod } = JSON.parse(run(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: ROOT }).trim());
  const secretKey = join(dir, 'genesis.skey');
  run(genesis[0], [...genesis.slice(1), 'keys', '--secret-key', secretKey, '--verification-key', join(dir, 'genesis.vkey')]);
  return {
    dir,
    chainDirectory: join(chainRoot, 'cardano-cli'),
    immutableDirectory: join(chainRoot, 'nodes', 'pool-1', 'db', 'immutable'),
    keysDirectory: join(chainRoot, 'pools', 'pool-1'),
    slotsPerKesPeriod: String(slotsPerKesPeriod),
    genesisSecretKey: secretKey,
    genesisVerificationKey: join(dir, 'genesis.vkey'),
  };
}

/** A port free now on loopback (the aggregator's is needed by the snapshotter before the aggregator starts). */
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** The settings of service `name` (as options), its state in `state`, its peers' ports in `ports`. */
export function settingsOf(name, fixture, state, ports) {
  const common = ['--insecure', 'true', '--log-level', 'info'];
  const local = (port) => `127.0.0.1:${port}`;
  switch (name) {
    case 'certifier':
      return [
        ...common,
        ...['--host', '127.0.0.1', '--port', '0', '--chain-directory', fixture.chainDirectory],
        ...['--slots-per-kes-period', fixture.slotsPerKesPeriod, '--store-url', `file:${join(state, 'certifier.sqlite')}`],
      ];
    case 'snapshotter':
      return [
        ...common,
        ...['--host', '127.0.0.1', '--grpc-port', '0', '--http-host', '127.0.0.1', '--http-port', '0', '--network', 'devnet'],
        ...['--immutable-directory', fixture.immutableDirectory, '--storage', 'local', '--storage-directory', join(state, 'artifacts')],
        ...['--store-path', join(state, 'snapshotter.sqlite'), '--aggregator-address', local(ports.aggregator)],
      ];
    case 'aggregator':
      return [
        ...common,
        ...['--host', '127.0.0.1', '--port', String(ports.aggregator), '--network', 'devnet', '--store-url', ports.aggregatorStoreUrl],
        ...['--chain-directory', fixture.chainDirectory, '--immutable-directory', fixture.immutableDirectory],
        ...['--slots-per-kes-period', fixture.slotsPerKesPeriod, '--run-interval-ms', '500'],
        ...['--bootstrap-genesis-secret-key-file', fixture.genesisSecretKey],
        ...(ports.snapshotter === undefined ? [] : ['--snapshotter-address', local(ports.snapshotter)]),
      ];
    case 'signer-gateway':
      return [
        ...common,
        ...['--host', '127.0.0.1', '--port', '0', '--certifier-address', local(ports.certifier), '--aggregator-address', local(ports.aggregator)],
      ];
    case 'rest-gateway':
      return [
        ...common,
        ...['--host', '127.0.0.1', '--port', '0', '--aggregator-address', local(ports.aggregator)],
        ...['--signer-gateway-address', local(ports['signer-gateway'])],
      ];
    case 'signer':
      return [
        ...common,
        ...['--keys-directory', fixture.keysDirectory, '--chain-directory', fixture.chainDirectory],
        ...['--immutable-directory', fixture.immutableDirectory, '--store-url', `file:${join(state, 'signer.sqlite')}`],
        ...['--slots-per-kes-period', fixture.slotsPerKesPeriod, '--run-interval-ms', '500'],
        ...['--aggregator-address', local(ports.aggregator), '--signer-gateway-address', local(ports['signer-gateway'])],
      ];
    default:
      throw new Error(`no settings for ${name}`);
  }
}

/**
 * Starts `command` (cwd `cwd`) and resolves once a JSON log line on its standard output has message
 * `ready`, with that line's fields and the time it took (`readyMs`); rejects if it exits first or is not ready within `timeoutMs`.
 */
export function startProcess(label, command, { ready, cwd, timeoutMs = 60_000 }) {
  const spawnedAt = Date.now();
  const child = spawn(command[0], command.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return new Promise((resolve, reject) => {
    let buffered = '';
    const fail = (why) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${label}: ${why}\n${output.slice(-30).join('\n')}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    child.stderr.on('data', (chunk) => output.push(...chunk.toString().trimEnd().split('\n')));
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        output.push(line);
        let fields;
        try {
          fields = JSON.parse(line);
        } catch {
          continue;
        }
        if (fields.msg === ready) {
          clearTimeout(timer);
          resolve({ label, child, pid: child.pid, fields, output, exited, readyMs: Date.now() - spawnedAt });
        }
      }
    });
    exited.then(({ code, signal }) => fail(`exited (${code ?? signal}) before it was ready`));
  });
}

/** Sends SIGTERM and waits for the exit: { code, ms } (SIGKILL and code null after `killAfterMs`). */
export async function stopProcess(running, killAfterMs = 15_000) {
  const sent = Date.now();
  running.child.kill('SIGTERM');
  const killer = setTimeout(() => running.child.kill('SIGKILL'), killAfterMs);
  const { code, at } = await running.exited;
  clearTimeout(killer);
  return { code, ms: at - sent };
}

/** VmRSS (now) and VmHWM (peak so far) of a process, in MB, from /proc/<pid>/status. */
export function memoryOf(pid) {
  const status = run('cat', [`/proc/${pid}/status`]);
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/**
 * Starts every service in order as `mode` ('compiled' from `dist`, or 'tsx'), state under `state`;
 * returns the running processes by name and the ports they listen on.
 */
export async function startNetwork(mode, fixture, state, { dist, cwd, aggregatorStoreUrl, onStarted } = {}) {
  const ports = { aggregator: await freePort(), aggregatorStoreUrl: aggregatorStoreUrl ?? `file:${join(state, 'aggregator.sqlite')}` };
  const running = {};
  try {
    for (const service of SERVICES) {
      const own = join(state, service.name);
      mkdirSync(own, { recursive: true });
      const settings = settingsOf(service.name, fixture, own, ports);
      const started = await startProcess(`${mode} ${service.name}`, [...commandOf(mode, service.name, dist), ...settings], { ready: service.ready, cwd });
      running[service.name] = started;
      if (service.name === 'snapshotter') ports.snapshotter = started.fields.grpcPort;
      else if (started.fields.port !== undefined && service.name !== 'aggregator') ports[service.name] = started.fields.port;
      onStarted?.(service.name, started);
    }
  } catch (error) {
    await stopNetwork(running);
    throw error;
  }
  return { running, ports };
}

/** Stops the services in reverse start order; returns each one's { code, ms }. */
export async function stopNetwork(running) {
  const stopped = {};
  for (const service of [...SERVICES].reverse()) {
    if (running[service.name] !== undefined) stopped[service.name] = await stopProcess(running[service.name]);
  }
  return stopped;
}
