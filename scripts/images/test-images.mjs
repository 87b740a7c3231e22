#!/usr/bin/env node
/**
 * `npm run test:images`: real runs of the images `npm run images` built (not part of `npm test`:
 * it needs podman and the images).
 *
 *   node scripts/images/test-images.mjs [name …]
 *
 * For every image:
 * - its configuration: user 10001:10001, exec-form entry point `node /app/main.mjs` and no command,
 *   WORKDIR /app, NODE_ENV=production, no HEALTHCHECK, no VOLUME, the OCI labels;
 * - its files: the code is root-owned and not writable by the service's user even on a writable root
 *   filesystem, /data is the user's own (0700); on the local base, no shell and no executable but
 *   `node` and shared libraries anywhere in the image;
 * - `--help` exits 0 locked down as deployments run it (read-only root filesystem, uid 10001, no
 *   capabilities, no privilege escalation) with no network; no shell involved (exec-form entry point);
 * - every server (aggregator, signer gateway, certifier, snapshotter, REST gateway) is started for
 *   real, locked down the same way with tmpfs /data and /tmp, plaintext on 0.0.0.0 and a published
 *   port, and must answer from the host (gRPC health check: SERVING; the REST gateway: any HTTP
 *   answer; the snapshotter's download server: /health); then `podman stop -t 10` must end it with
 *   exit code 0 in under 10 s (its own SIGTERM handling, not podman's SIGKILL at 10 s) while the
 *   probe's connection is still open, as peers keep theirs in a cluster: once with that peer
 *   answering, once with it frozen (a second start).
 * Prints start-to-ready and stop times. Exit 1 when any check fails.
 */
import { credentials, makeClientConstructor } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { IMAGE_NAMES, IMAGE_USER_ID, LOCAL_BASE_IMAGE, imageName, podman, podmanAsync, version } from './podman.mjs';

const USAGE = `usage: node scripts/images/test-images.mjs [name …]\n  names: ${IMAGE_NAMES.join(', ')}`;
const READY_DEADLINE_MS = 60_000;
/** C4: a service drains and exits within 10 s of SIGTERM; podman sends SIGKILL at -t. */
const STOP_LIMIT_MS = 10_000;
const USER = `${IMAGE_USER_ID}:${IMAGE_USER_ID}`;
/**
 * The run-time shape deployments give the images (Kubernetes: readOnlyRootFilesystem, runAsNonRoot,
 * allowPrivilegeEscalation false, capabilities drop ALL, a volume on /data, an emptyDir on /tmp).
 */
const LOCKED_DOWN = [
  '--read-only',
  '--user',
  USER,
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
  '--tmpfs',
  '/data:rw,size=64m,mode=0700,U',
  '--tmpfs',
  '/tmp:rw,size=64m,mode=1777',
];

/**
 * How each server is started: the fewest settings it accepts (its config.ts schema), state under
 * /data, peers it will not reach (it must still start and answer: peers come and go in a cluster).
 */
const SERVERS = {
  aggregator: {
    prefix: 'MITHRIL_AGGREGATOR',
    settings: {
      PORT: '50051',
      STORE_URL: 'file:/data/aggregator.sqlite',
      CHAIN_DIRECTORY: '/data/chain',
      IMMUTABLE_DIRECTORY: '/data/immutable',
      // No chain files here: one failed cycle a minute, not one a second.
      RUN_INTERVAL_MS: '60000',
    },
    probes: [{ kind: 'grpc', port: 50051 }],
  },
  'signer-gateway': {
    prefix: 'MITHRIL_SIGNER_GATEWAY',
    settings: { PORT: '50052', CERTIFIER_ADDRESS: '127.0.0.1:9', AGGREGATOR_ADDRESS: '127.0.0.1:9' },
    probes: [{ kind: 'grpc', port: 50052 }],
  },
  certifier: {
    prefix: 'MITHRIL_CERTIFIER',
    settings: { PORT: '50053', CHAIN_DIRECTORY: '/data/chain', STORE_URL: 'file:/data/certifier.sqlite' },
    probes: [{ kind: 'grpc', port: 50053 }],
  },
  snapshotter: {
    prefix: 'MITHRIL_SNAPSHOTTER',
    settings: {
      GRPC_PORT: '50054',
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: '8081',
      NETWORK: 'devnet',
      IMMUTABLE_DIRECTORY: '/data/immutable',
      STORAGE_DIRECTORY: '/data/artifacts',
      STORE_PATH: '/data/snapshotter.sqlite',
      AGGREGATOR_ADDRESS: '127.0.0.1:9',
    },
    probes: [
      { kind: 'grpc', port: 50054 },
      { kind: 'http', port: 8081, path: '/health', status: 200 },
    ],
  },
  'rest-gateway': {
    prefix: 'MITHRIL_REST_GATEWAY',
    settings: { PORT: '8080', AGGREGATOR_ADDRESS: '127.0.0.1:9', SIGNER_GATEWAY_ADDRESS: '127.0.0.1:9' },
    // Its upstreams are unreachable: any HTTP answer shows the server is up.
    probes: [{ kind: 'http', port: 8080, path: '/aggregator' }],
  },
};

const failures = [];
const check = (image, condition, message) => {
  if (!condition) failures.push(`${image}: ${message}`);
  return condition;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

function inspectImage(image) {
  const result = podman(['image', 'inspect', image], { allowFailure: true });
  if (result.status !== 0) return undefined;
  return JSON.parse(result.stdout)[0];
}

function checkConfig(name, image, info) {
  const config = info.Config ?? {};
  check(image, config.User === USER, `User is ${JSON.stringify(config.User)}, want "${USER}"`);
  check(
    image,
    JSON.stringify(config.Entrypoint) === JSON.stringify(['node', '/app/main.mjs']),
    `Entrypoint is ${JSON.stringify(config.Entrypoint)}, want exec form ["node","/app/main.mjs"]`,
  );
  check(image, !config.Cmd || config.Cmd.length === 0, `Cmd is ${JSON.stringify(config.Cmd)}: it would be passed to the entry point`);
  check(image, config.WorkingDir === '/app', `WorkingDir is ${JSON.stringify(config.WorkingDir)}`);
  check(image, (config.Env ?? []).includes('NODE_ENV=production'), 'NODE_ENV=production is not set');
  check(image, !config.Healthcheck && !info.HealthCheck, 'has a HEALTHCHECK (Kubernetes probes do this)');
  check(image, !config.Volumes || Object.keys(config.Volumes).length === 0, `declares VOLUMEs ${JSON.stringify(config.Volumes)}`);
  const labels = config.Labels ?? info.Labels ?? {};
  check(
    image,
    labels['org.opencontainers.image.version'] === version(),
    `label org.opencontainers.image.version is ${labels['org.opencontainers.image.version']}`,
  );
  check(
    image,
    labels['org.opencontainers.image.title'] === `mithril-ts ${name}`,
    `label org.opencontainers.image.title is ${labels['org.opencontainers.image.title']}`,
  );
  return labels['org.opencontainers.image.base.name'];
}

/**
 * The file checks run `node` from the image itself (there is nothing else to run in it). The root
 * filesystem is writable here on purpose: the code must be protected by its owner and modes alone.
 */
function checkFiles(image, localBase) {
  const script = `
    const fs = require('fs'), path = require('path');
    const out = { problems: [] };
    const stat = (p) => fs.statSync(p);
    const app = stat('/app'), data = stat('/data'), main = stat('/app/main.mjs');
    if (app.uid !== 0 || main.uid !== 0) out.problems.push('/app is not owned by root');
    for (const p of ['/app', '/app/main.mjs']) {
      try { fs.accessSync(p, fs.constants.W_OK); out.problems.push(p + ' is writable by the service user'); } catch {}
    }
    try { fs.writeFileSync('/app/injected.mjs', ''); out.problems.push('the service user can create files in /app'); } catch {}
    if (data.uid !== ${IMAGE_USER_ID} || data.gid !== ${IMAGE_USER_ID}) out.problems.push('/data is owned by ' + data.uid + ':' + data.gid);
    if ((data.mode & 0o777) !== 0o700) out.problems.push('/data has mode ' + (data.mode & 0o777).toString(8));
    if (${localBase}) {
      for (const shell of ['/bin/sh', '/bin/bash', '/bin/dash', '/bin/ash', '/bin/busybox', '/usr/bin/sh', '/usr/bin/bash', '/usr/bin/env'])
        if (fs.existsSync(shell)) out.problems.push('has ' + shell);
      const executables = [];
      const walk = (dir) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, entry.name);
          if (entry.isDirectory()) walk(p);
          else if (entry.isFile() && (fs.statSync(p).mode & 0o111) !== 0) executables.push(p);
        }
      };
      for (const top of fs.readdirSync('/')) if (!['proc', 'sys', 'dev', 'run', 'tmp', 'data', 'etc'].includes(top)) walk('/' + top);
      const unexpected = executables.filter((p) => p !== '/usr/local/bin/node' && !/\\.so(\\.\\d+)*$/.test(p) && !/\\.node$/.test(p));
      if (unexpected.length > 0) out.problems.push('executables besides node and libraries: ' + unexpected.slice(0, 10).join(', '));
      const bundle = fs.readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8');
      const roots = bundle.split('-----BEGIN CERTIFICATE-----').slice(1).map((pem) => new (require('crypto').X509Certificate)('-----BEGIN CERTIFICATE-----' + pem));
      if (roots.length < 100) out.problems.push('CA bundle holds ' + roots.length + ' certificates');
      out.roots = roots.length;
    }
    console.log(JSON.stringify(out));`;
  const result = podman(['run', '--rm', '--network', 'none', '--user', USER, '--entrypoint', 'node', image, '-e', script], {
    allowFailure: true,
    timeoutMs: 60_000,
  });
  if (!check(image, result.status === 0, `file checks did not run (exit ${result.status}): ${result.stderr.trim()}`)) return;
  const out = JSON.parse(result.stdout.trim().split('\n').pop());
  for (const problem of out.problems) check(image, false, problem);
  // A shell must not be startable at all (exec form: podman runs the path given, nothing in between).
  if (localBase) {
    const shell = podman(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', image, '-c', 'true'], { allowFailure: true, timeoutMs: 60_000 });
    check(image, shell.status !== 0, '/bin/sh can be started');
  }
}

function checkHelp(image) {
  const begin = Date.now();
  const result = podman(['run', '--rm', '--network', 'none', ...LOCKED_DOWN, image, '--help'], { allowFailure: true, timeoutMs: 60_000 });
  check(image, result.status === 0, `--help exited ${result.status}: ${result.stderr.trim().slice(0, 500)}`);
  check(image, /usage/i.test(result.stdout), `--help printed no usage: ${result.stdout.slice(0, 200)}`);
  return Date.now() - begin;
}

const Health = makeClientConstructor(healthService, 'grpc.health.v1.Health');

/**
 * One health check on a fresh channel (a channel that failed to connect would wait out its
 * reconnection backoff, which would be counted as start-up time). A channel that got SERVING is
 * returned open: the caller keeps it across the stop, as a peer's idle connection would be.
 */
function grpcServing(address) {
  return new Promise((resolve) => {
    // Its own subchannel: close() then really closes the connection, and no backoff is shared.
    const client = new Health(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    client.check({ service: '' }, { deadline: Date.now() + 1_000 }, (error, response) => {
      if (!error && response?.status === 'SERVING') return resolve(client);
      client.close();
      resolve(undefined);
    });
  });
}

async function httpAnswers(url, status) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return status === undefined || response.status === status;
  } catch {
    return false;
  }
}

function publishedAddress(container, port) {
  // "127.0.0.1:41234" (first line: one binding per published port here).
  return podman(['port', container, `${port}/tcp`])
    .stdout.trim()
    .split('\n')[0];
}

function containerState(container) {
  const result = podman(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container], { allowFailure: true });
  const [status, exitCode] = result.stdout.trim().split(' ');
  return { status, exitCode: Number(exitCode) };
}

const logsOf = (container) => {
  const logs = podman(['logs', '--tail', '15', container], { allowFailure: true });
  return `${logs.stdout}${logs.stderr}`.trim();
};

/**
 * Starts the server, waits until it answers, stops it with SIGTERM. The connections the probes
 * opened stay open during the stop, as peers' would in a cluster; with `frozenPeer` this process
 * does not answer on them while podman waits (a synchronous call blocks its event loop), like a
 * peer that hangs or vanished without closing: the service must not wait for it past C4's 10 s.
 */
async function runServer(name, image, spec, { frozenPeer }) {
  const container = `mithril-ts-image-test-${name}-${frozenPeer ? 'frozen-' : ''}${process.pid}`;
  const env = { HOST: '0.0.0.0', INSECURE: 'true', LOG_LEVEL: 'warn', ...spec.settings };
  const args = ['run', '--detach', '--name', container, ...LOCKED_DOWN];
  for (const probe of spec.probes) args.push('--publish', `127.0.0.1::${probe.port}`);
  for (const [key, value] of Object.entries(env)) args.push('--env', `${spec.prefix}_${key}=${value}`);
  const begin = Date.now();
  const started = podman([...args, image], { allowFailure: true });
  if (!check(image, started.status === 0, `podman run failed: ${started.stderr.trim()}`)) return {};
  /** Connections left open to the server during its stop (see grpcServing). */
  const peers = [];
  try {
    const pending = new Set(spec.probes);
    while (pending.size > 0 && Date.now() - begin < READY_DEADLINE_MS) {
      const state = containerState(container);
      if (state.status !== 'running') break;
      for (const probe of [...pending]) {
        const address = publishedAddress(container, probe.port);
        // Empty once the container has exited (the loop then ends on its state).
        if (address === '') continue;
        if (probe.kind === 'grpc') {
          const client = await grpcServing(address);
          if (client) {
            peers.push(client);
            pending.delete(probe);
          }
        } else if (await httpAnswers(`http://${address}${probe.path}`, probe.status)) pending.delete(probe);
      }
      if (pending.size > 0) await sleep(100);
    }
    const readyMs = Date.now() - begin;
    if (
      !check(
        image,
        pending.size === 0,
        `not ready within ${READY_DEADLINE_MS / 1000} s (${[...pending].map((p) => `${p.kind}:${p.port}`).join(', ')} not answering; ${JSON.stringify(containerState(container))})\n${logsOf(container)}`,
      )
    )
      return {};

    const stop = ['stop', '--time', String(STOP_LIMIT_MS / 1000), container];
    const stopBegin = Date.now();
    if (frozenPeer) podman(stop, { allowFailure: true, timeoutMs: 60_000 });
    else await podmanAsync(stop);
    const stopMs = Date.now() - stopBegin;
    const { exitCode } = containerState(container);
    const peer = frozenPeer ? ' with a frozen peer' : '';
    check(
      image,
      exitCode === 0,
      `exited ${exitCode} on SIGTERM${peer} (want 0; 137 is podman's SIGKILL after ${STOP_LIMIT_MS / 1000} s)\n${logsOf(container)}`,
    );
    check(image, stopMs < STOP_LIMIT_MS, `took ${seconds(stopMs)} to stop on SIGTERM${peer} (limit ${STOP_LIMIT_MS / 1000} s)`);
    return { readyMs, stopMs, exitCode };
  } finally {
    for (const client of peers) client.close();
    podman(['rm', '--force', '--time', '0', container], { allowFailure: true });
  }
}

async function main() {
  const names = process.argv.slice(2);
  if (names.includes('--help')) {
    console.log(USAGE);
    return;
  }
  for (const name of names) if (!IMAGE_NAMES.includes(name)) throw new Error(`unknown image "${name}"\n${USAGE}`);
  const selected = names.length > 0 ? names : IMAGE_NAMES;
  const missing = selected.filter((name) => !inspectImage(imageName(name)));
  if (missing.length > 0) throw new Error(`no image ${missing.map((name) => imageName(name)).join(', ')}: run \`npm run build && npm run images\` first`);

  const rows = [];
  for (const name of selected) {
    const image = imageName(name);
    const before = failures.length;
    const info = inspectImage(image);
    const base = checkConfig(name, image, info);
    checkFiles(image, base === LOCAL_BASE_IMAGE);
    const helpMs = checkHelp(image);
    const run = SERVERS[name] ? await runServer(name, image, SERVERS[name], { frozenPeer: false }) : {};
    const frozen = SERVERS[name] ? await runServer(name, image, SERVERS[name], { frozenPeer: true }) : {};
    rows.push({ image, size: info.Size, helpMs, ...run, frozenStopMs: frozen.stopMs, frozenExitCode: frozen.exitCode });
    const labels = info.Config?.Labels ?? {};
    // Which build was tested: podman's storage is shared, another build may have retagged the name.
    console.log(
      `${failures.length === before ? 'ok  ' : 'FAIL'} ${image} (${info.Id.slice(0, 12)}, revision ${labels['org.opencontainers.image.revision']}, built ${labels['org.opencontainers.image.created']} on ${base})`,
    );
  }

  const width = Math.max(...rows.map((row) => row.image.length));
  const columns = ['size', '--help', 'ready', 'stop', 'exit', 'stop*', 'exit*'];
  console.log(`\n${'image'.padEnd(width)}${columns.map((column) => column.padStart(10)).join('')}`);
  const time = (ms) => (ms === undefined ? '-' : seconds(ms));
  for (const row of rows) {
    const cells = [
      `${(row.size / 1e6).toFixed(1)} MB`,
      time(row.helpMs),
      time(row.readyMs),
      time(row.stopMs),
      row.exitCode ?? '-',
      time(row.frozenStopMs),
      row.frozenExitCode ?? '-',
    ];
    console.log(`${row.image.padEnd(width)}${cells.map((cell) => String(cell).padStart(10)).join('')}`);
  }
  console.log(
    [
      '--help: `podman run` (locked down) `IMAGE --help`, container start included',
      'ready: from `podman run` to answering on every published port (gRPC health SERVING / HTTP)',
      'stop, exit: `podman stop -t 10` (SIGTERM) until the container has exited, and its exit code; * with a frozen peer connection',
    ].join('\n'),
  );
  if (failures.length > 0) {
    console.error(`\n${failures.length} failure(s):\n${failures.map((failure) => `- ${failure}`).join('\n')}`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(`test-images: ${error.message}`);
  process.exit(1);
});
