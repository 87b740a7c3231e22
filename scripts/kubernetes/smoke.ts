// `npm run test:kube`: the smoke run of the devnet overlay. Renders kubernetes/overlays/devnet with the pinned kubectl,
// makes its podman variant (smoke/podman-variant.ts says what changes and why, and the run prints it), runs it with
// `podman kube play`, performs every container's probes from the host until each is ready (the manifests' own
// probes: gRPC health on the health port, HTTP /health, …), waits for the first certificate on the REST gateway,
// checks the REST routes, verifies the certificate chain back to genesis with the client over REST and over gRPC
// with TLS (the devnet CA and genesis key read from the devnet volume), and always tears down (`podman kube down`,
// then the play's volumes). Prints start-to-ready per container and the time to the first certificate.
//
// Needs `npm run build` and `npm run images -- --local-base` first (or any base), and a working podman (on these
// machines CONTAINERS_CONF must name a containers.conf with runc and explicit ulimits: scripts/images/).
// MITHRIL_SMOKE_KEEP=1 leaves the pods running on failure (logs: `podman logs <container>`; then `podman kube down`).
// MITHRIL_SMOKE_IMAGE_TAG=<tag> runs localhost/mithril-ts/<name>:<tag> instead of the overlay's tag (the package
// version): on a machine where several trees build images into one podman storage, a tree's own tagged copies.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentials, makeClientConstructor, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { freePort } from '@mithril-ts/testkit';
import { ensureKubectl } from './kubectl.js';
import { renderKustomization } from './render.js';
import { podmanVariant, type ContainerPlan, type PodmanVariant, type Probe } from './smoke/podman-variant.js';

const execFileAsync = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const overlay = join(repoRoot, 'kubernetes', 'overlays', 'devnet');
const workDir = join(repoRoot, '.tmp', 'kube-smoke');
const READY_TIMEOUT_MS = Number(process.env.MITHRIL_SMOKE_READY_TIMEOUT_MS ?? 240_000);
const CERTIFICATE_TIMEOUT_MS = Number(process.env.MITHRIL_SMOKE_CERTIFICATE_TIMEOUT_MS ?? 300_000);
/** The Deployment that writes what every other pod reads; its pod is started first. */
const CHAIN = 'devnet-chain';

class SmokeFailure extends Error {
  override name = 'SmokeFailure';
}

const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
/** Set by SIGINT/SIGTERM: the next wait throws, so the run ends through its teardown instead of leaving pods behind. */
let interrupted: string | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (interrupted = signal));
async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  if (interrupted !== undefined) throw new SmokeFailure(`interrupted (${interrupted})`);
}

async function podman(args: string[], options: { allowFailure?: boolean } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await execFileAsync('podman', args, { maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; code?: number | string };
    if (options.allowFailure === true)
      return { stdout: failure.stdout ?? '', stderr: failure.stderr ?? '', code: typeof failure.code === 'number' ? failure.code : 1 };
    throw new SmokeFailure(`podman ${args.join(' ')} failed: ${failure.stderr?.trim() || String(error)}`);
  }
}

const HealthClient = makeClientConstructor(healthService, 'grpc.health.v1.Health');

/** grpc.health.v1.Health/Check of `service` on a fresh plaintext client: true when the answer is SERVING. */
function grpcHealth(port: number, service: string, deadlineMs: number): Promise<boolean> {
  const client = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as {
    check(request: { service: string }, options: { deadline: number }, callback: (error: ServiceError | null, response?: { status: string }) => void): void;
    close(): void;
  };
  return new Promise((resolve) => {
    client.check({ service }, { deadline: Date.now() + deadlineMs }, (error, response) => {
      client.close();
      resolve(error === null && response?.status === 'SERVING');
      if (error !== null && error.code !== grpcStatus.UNAVAILABLE && error.code !== grpcStatus.DEADLINE_EXCEEDED) lastProbeErrors.set(port, error.message);
    });
  });
}
const lastProbeErrors = new Map<number, string>();

function hostPortOf(container: ContainerPlan, port: number | string): number {
  const containerPort = typeof port === 'number' ? port : container.portNames.get(port);
  const hostPort = containerPort === undefined ? undefined : container.hostPorts.get(containerPort);
  if (hostPort === undefined) {
    throw new SmokeFailure(
      `container ${container.podmanName}: probe port ${String(port)} is not one of its declared ports (a kubelet could probe it, the host cannot)`,
    );
  }
  return hostPort;
}

/** One attempt of `probe`, as the kubelet makes it, from the host through the published ports. */
async function probeOnce(container: ContainerPlan, probe: Probe): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.grpc !== undefined) return grpcHealth(hostPortOf(container, probe.grpc.port), probe.grpc.service ?? '', timeoutMs);
  if (probe.httpGet !== undefined) {
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    try {
      const response = await fetch(`${scheme}://127.0.0.1:${hostPortOf(container, probe.httpGet.port)}${probe.httpGet.path ?? '/'}`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      return response.status >= 200 && response.status < 400;
    } catch {
      return false;
    }
  }
  if (probe.tcpSocket !== undefined) {
    const port = hostPortOf(container, probe.tcpSocket.port);
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(timeoutMs, () => socket.destroy());
      socket.once('connect', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
    });
  }
  if (probe.exec !== undefined) {
    const result = await podman(['exec', container.podmanName, ...probe.exec.command], { allowFailure: true });
    return result.code === 0;
  }
  throw new SmokeFailure(`container ${container.podmanName}: a probe of no known kind: ${JSON.stringify(probe)}`);
}

interface Readiness {
  container: ContainerPlan;
  /** Since `podman kube play` was called. */
  readyAtMs?: number;
  /** Wall clock, to compare with the container's own start time. */
  readyAtEpochMs?: number;
}

/** Polls each container's startup probe, then its readiness probe (the kubelet's order) until all pass. */
async function waitForReadiness(variant: PodmanVariant, playedAt: number, playFailure: () => string | undefined): Promise<Readiness[]> {
  const states: Readiness[] = variant.pods.flatMap((pod) => pod.containers.map((container) => ({ container })));
  const startupDone = new Set<string>();
  for (const state of states) {
    if (state.container.startupProbe === undefined && state.container.readinessProbe === undefined) {
      throw new SmokeFailure(`container ${state.container.podmanName} has neither a startup nor a readiness probe: nothing says when it is ready`);
    }
  }
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (states.some((state) => state.readyAtMs === undefined)) {
    const failure = playFailure();
    if (failure !== undefined) throw new SmokeFailure(`podman kube play failed: ${failure}`);
    if (performance.now() > deadline) {
      const waiting = states.filter((state) => state.readyAtMs === undefined).map((state) => state.container.podmanName);
      throw new SmokeFailure(`not ready after ${READY_TIMEOUT_MS / 1000} s: ${waiting.join(', ')}`);
    }
    await Promise.all(
      states
        .filter((state) => state.readyAtMs === undefined)
        .map(async (state) => {
          const { container } = state;
          if (container.startupProbe !== undefined && !startupDone.has(container.podmanName)) {
            if (!(await probeOnce(container, container.startupProbe))) return;
            startupDone.add(container.podmanName);
          }
          if (container.readinessProbe === undefined || (await probeOnce(container, container.readinessProbe))) {
            state.readyAtMs = performance.now() - playedAt;
            state.readyAtEpochMs = Date.now();
            console.log(`  ready: ${container.podmanName} after ${(state.readyAtMs / 1000).toFixed(1)} s`);
          }
        }),
    );
    await sleep(500);
  }
  return states;
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the message
  }
  return { status: response.status, body };
}

async function client(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const entry = join(repoRoot, 'dist', 'client', 'main.mjs');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, '--json', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Each container's restart count and when its current process started (podman's wall clock, ms). */
async function containerStarts(variant: PodmanVariant): Promise<Map<string, { restarts: number; startedAtMs: number }>> {
  const starts = new Map<string, { restarts: number; startedAtMs: number }>();
  for (const container of variant.pods.flatMap((pod) => pod.containers)) {
    const result = await podman(['inspect', container.podmanName, '--format', '{{.RestartCount}} {{.State.StartedAt.UnixMilli}}'], { allowFailure: true });
    const [restarts, startedAtMs] = result.stdout.trim().split(' ').map(Number);
    if (result.code === 0) starts.set(container.podmanName, { restarts: restarts!, startedAtMs: startedAtMs! });
  }
  return starts;
}

async function printLogs(variant: PodmanVariant): Promise<void> {
  for (const container of variant.pods.flatMap((pod) => pod.containers)) {
    const result = await podman(['logs', '--tail', '15', container.podmanName], { allowFailure: true });
    console.log(`--- ${container.podmanName} (last lines)\n${(result.stdout + result.stderr).trim()}`);
  }
}

async function preflight(images: string[]): Promise<void> {
  const version = await podman(['version', '--format', '{{.Client.Version}}'], { allowFailure: true });
  if (version.code !== 0) throw new SmokeFailure(`podman is not usable here: ${version.stderr.trim()}`);
  console.log(`podman ${version.stdout.trim()}`);
  const missing: string[] = [];
  for (const image of images) if ((await podman(['image', 'exists', image], { allowFailure: true })).code !== 0) missing.push(image);
  if (missing.length > 0) throw new SmokeFailure(`images missing: ${missing.join(', ')}; run \`npm run build && npm run images -- --local-base\` first`);
  // Images older than the tree are still run (a docs-only commit changes nothing in them), but said so.
  const head = await execFileAsync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot }).then(
    (result) => result.stdout.trim(),
    () => undefined,
  );
  for (const image of images) {
    const revision = (
      await podman(['image', 'inspect', image, '--format', '{{index .Labels "org.opencontainers.image.revision"}}'], { allowFailure: true })
    ).stdout.trim();
    if (head !== undefined && revision !== head) console.log(`  note: ${image} was built from revision ${revision || '(unknown)'}, the tree is at ${head}`);
  }
  if (!existsSync(join(repoRoot, 'dist', 'client', 'main.mjs'))) throw new SmokeFailure('dist/client/main.mjs is missing; run `npm run build` first');
}

async function main(): Promise<void> {
  const started = performance.now();
  const kubectl = await ensureKubectl();
  const rendered = await renderKustomization(kubectl.path, overlay);
  const usedPorts = new Set<number>();
  const ports: number[] = [];
  // Allocated up front (the variant is pure); a port is taken once even if the system offers it twice.
  while (ports.length < 64) {
    const port = await freePort('0.0.0.0');
    if (!usedPorts.has(port)) {
      usedPorts.add(port);
      ports.push(port);
    }
  }
  const allocateHostPort = () => {
    const port = ports.shift();
    if (port === undefined) throw new SmokeFailure('the overlay declares more than 64 container ports: raise the number of host ports allocated');
    return port;
  };
  const variant = podmanVariant(rendered, { allocateHostPort, volumePrefix: 'mithril-smoke-', first: [CHAIN] });
  console.log(`rendered ${rendered.length} objects of ${overlay}; podman variant (${variant.objects.length} objects):`);
  for (const line of variant.rewrites) console.log(`  - ${line}`);
  const imageTag = process.env.MITHRIL_SMOKE_IMAGE_TAG;
  if (imageTag !== undefined && imageTag !== '') {
    for (const container of variant.objects
      .filter((object) => object.kind === 'Deployment')
      .flatMap((object) => (object.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers)) {
      container.image = container.image.replace(/^(localhost\/mithril-ts\/[^:]+):.*$/, `$1:${imageTag}`);
    }
    console.log(`  - every localhost/mithril-ts image: tag ${imageTag} (MITHRIL_SMOKE_IMAGE_TAG)`);
  }
  const images = [
    ...new Set(
      variant.objects
        .filter((object) => object.kind === 'Deployment')
        .flatMap((object) => ((object.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers ?? []).map((c) => c.image)),
    ),
  ];
  await preflight(images);
  for (const pod of variant.pods) {
    if ((await podman(['pod', 'exists', pod.pod], { allowFailure: true })).code === 0) {
      throw new SmokeFailure(`pod ${pod.pod} already exists (an earlier run left it, or another play runs): \`podman pod rm -f ${pod.pod}\``);
    }
  }
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, 'devnet.podman.yaml');
  // JSON documents: YAML is a superset of JSON, and JSON needs no library.
  writeFileSync(file, variant.objects.map((object) => JSON.stringify(object, null, 2)).join('\n---\n'));
  console.log(`played file: ${file}`);

  const chainVolume = variant.volumes.find((volume) => volume.endsWith('mithril-cardano-data'));
  if (chainVolume === undefined) throw new SmokeFailure('the overlay has no mithril-cardano-data claim (the devnet volume)');
  let failed = true;
  const playedAt = performance.now();
  try {
    // The probes are polled while `podman kube play` still creates pods (one after the other, tens of seconds), so
    // that each container's start-to-ready is its own and not the play's length.
    let playFailure: string | undefined;
    const playing = podman(['kube', 'play', file], { allowFailure: true }).then((play) => {
      if (play.code !== 0) playFailure = play.stderr.trim();
      else console.log(`  podman kube play returned after ${elapsed(playedAt)}`);
    });
    console.log("playing; performing every container's probes meanwhile");
    const readiness = await waitForReadiness(variant, playedAt, () => playFailure);
    await playing;
    const allReady = performance.now();

    const rest = variant.services.get('rest-gateway');
    const restPod = variant.pods.find((pod) => pod.pod === rest?.pod);
    const restPort = rest === undefined || restPod === undefined ? undefined : restPod.containers[0]!.hostPorts.get([...rest.ports.values()][0]!);
    if (restPort === undefined) throw new SmokeFailure('no rest-gateway Service with a published port');
    const base = `http://127.0.0.1:${restPort}/aggregator`;
    const root = await getJson(base);
    if (root.status !== 200) throw new SmokeFailure(`GET /aggregator answered ${root.status}: ${JSON.stringify(root.body)}`);
    console.log(`GET /aggregator: 200 ${JSON.stringify(root.body).slice(0, 160)}`);

    // The genesis certificate (devnet mode: the aggregator signs it itself) comes first; the proof that the signers,
    // the signer gateway, the certifier and the aggregator work together is the first certificate signed by the
    // signers' multi-signature, the one whose previous_hash links it to an earlier certificate.
    let genesisMs: number | undefined;
    let signed: Record<string, unknown> | undefined;
    const certificateDeadline = performance.now() + CERTIFICATE_TIMEOUT_MS;
    while (signed === undefined) {
      if (performance.now() > certificateDeadline) {
        throw new SmokeFailure(
          `no multi-signed certificate ${CERTIFICATE_TIMEOUT_MS / 1000} s after every pod was ready${genesisMs === undefined ? ' (not even the genesis one)' : ''}`,
        );
      }
      const answer = await getJson(`${base}/certificates`).catch(() => ({ status: 0, body: [] }));
      const certificates = answer.status === 200 && Array.isArray(answer.body) ? (answer.body as Record<string, unknown>[]) : [];
      if (certificates.length > 0 && genesisMs === undefined) {
        genesisMs = performance.now() - playedAt;
        console.log(`genesis certificate ${(genesisMs / 1000).toFixed(1)} s after the play`);
      }
      signed = certificates.find((certificate) => typeof certificate.previous_hash === 'string' && certificate.previous_hash !== '');
      if (signed === undefined) await sleep(1000);
    }
    const firstCertificateMs = performance.now() - playedAt;
    console.log(`first multi-signed certificate ${(firstCertificateMs / 1000).toFixed(1)} s after the play: ${JSON.stringify(signed).slice(0, 240)}`);

    for (const route of ['/epoch-settings', '/certificate/' + String(signed.hash)]) {
      const answer = await getJson(`${base}${route}`);
      console.log(`GET /aggregator${route}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}`);
      if (answer.status !== 200) throw new SmokeFailure(`GET /aggregator${route} answered ${answer.status}`);
    }
    // The reference's status route, where this build has it (issue 13 item 6).
    const statusRoute = await getJson(`${base}/status`);
    console.log(
      `GET /aggregator/status: ${statusRoute.status === 404 ? 'absent (404) in this build' : `${statusRoute.status} ${JSON.stringify(statusRoute.body).slice(0, 200)}`}`,
    );
    if (statusRoute.status !== 200 && statusRoute.status !== 404) throw new SmokeFailure(`GET /aggregator/status answered ${statusRoute.status}`);

    // The devnet volume on the host: the genesis verification key and the CA the client needs.
    const mountpoint = (await podman(['volume', 'inspect', chainVolume, '--format', '{{.Mountpoint}}'])).stdout.trim();
    const genesisKey = readFileSync(join(mountpoint, 'genesis', 'genesis.vkey'), 'utf8').trim();
    const caFile = join(mountpoint, 'pki', 'ca.crt');
    const overRest = await client(['certificate', 'verify', 'latest'], { MITHRIL_AGGREGATOR_ENDPOINT: base, MITHRIL_GENESIS_VERIFICATION_KEY: genesisKey });
    if (overRest.code !== 0) throw new SmokeFailure(`the client did not verify the chain over REST (exit ${overRest.code}): ${overRest.output}`);
    console.log('client: latest certificate and its chain back to genesis verified over REST');
    const aggregator = variant.services.get('aggregator');
    const aggregatorPod = variant.pods.find((pod) => pod.pod === aggregator?.pod);
    const aggregatorPort =
      aggregator === undefined || aggregatorPod === undefined ? undefined : aggregatorPod.containers[0]!.hostPorts.get([...aggregator.ports.values()][0]!);
    if (aggregatorPort === undefined) throw new SmokeFailure('no aggregator Service with a published port');
    const overGrpc = await client(['certificate', 'verify', 'latest'], {
      MITHRIL_AGGREGATOR_ENDPOINT: `grpcs://localhost:${aggregatorPort}`,
      MITHRIL_GENESIS_VERIFICATION_KEY: genesisKey,
      MITHRIL_CA_FILE: caFile,
    });
    if (overGrpc.code !== 0) throw new SmokeFailure(`the client did not verify the chain over gRPC/TLS (exit ${overGrpc.code}): ${overGrpc.output}`);
    console.log("client: verified over gRPC with TLS (the aggregator's certificate from the devnet PKI, checked against its CA)");

    const starts = await containerStarts(variant);
    console.log('\ncontainer                              start-to-ready   ready after the play   restarts');
    for (const state of readiness) {
      const start = starts.get(state.container.podmanName);
      const own = start === undefined || state.readyAtEpochMs === undefined ? '?' : `${((state.readyAtEpochMs - start.startedAtMs) / 1000).toFixed(1)} s`;
      console.log(
        `  ${state.container.podmanName.padEnd(36)} ${own.padStart(10)}   ${`${((state.readyAtMs ?? 0) / 1000).toFixed(1)} s`.padStart(18)}   ${String(start?.restarts ?? '?').padStart(8)}`,
      );
    }
    console.log('  (start-to-ready: from the container process start to its probe passing, to the probe poll period of 0.5 s)');
    console.log(
      `all ready: ${((allReady - playedAt) / 1000).toFixed(1)} s; genesis certificate: ${((genesisMs ?? 0) / 1000).toFixed(1)} s; first multi-signed certificate: ${(firstCertificateMs / 1000).toFixed(1)} s after the play`,
    );
    failed = false;
  } finally {
    if (failed) await printLogs(variant);
    if (failed && process.env.MITHRIL_SMOKE_KEEP === '1') {
      console.log(`MITHRIL_SMOKE_KEEP=1: left running; tear down with \`podman kube down ${file}\` and \`podman volume rm ${variant.volumes.join(' ')}\``);
    } else {
      const downAt = performance.now();
      await podman(['kube', 'down', file], { allowFailure: true });
      for (const volume of variant.volumes) await podman(['volume', 'rm', '--force', volume], { allowFailure: true });
      console.log(`torn down in ${elapsed(downAt)} (podman kube down, ${variant.volumes.length} volumes removed)`);
    }
  }
  console.log(`smoke run passed in ${elapsed(started)}`);
}

try {
  await main();
} catch (error) {
  console.error(`smoke run FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
