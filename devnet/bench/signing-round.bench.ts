/**
 * One Mithril signing round at mainnet scale over gRPC on loopback (`npm run bench:round`):
 * N simulated signers (default 3000) with mainnet parameters (k=2422, m=20973, phi_f=0.2)
 * register and sign one round against the certifier, the aggregator and the signer gateway, each
 * a child process. Reports time to certificate, registrations/s, signatures/s and the services'
 * peak RSS against the targets (round certified in ≤ 30 s, aggregator ≤ 400 MB).
 *
 * The round, with e0 = the first epoch:
 *   e0    every signer registers (recorded for e0+1)
 *   e0+1  the aggregator bootstraps the genesis certificate; every signer registers again
 *         (recorded for e0+2): the measured registration round
 *   e0+2  the aggregator opens MithrilStakeDistribution(e0+2); every signer computes the
 *         protocol message itself and plays its lottery (worker threads, not timed as service
 *         time), then all winning signatures are sent at once: time to the certificate
 * The certificate is verified back to genesis with the genesis key the bench made.
 *
 * The round runs twice in the same run, against fresh services each time: in plaintext, then over
 * TLS as the devnet launcher sets it up (the devnet's CA, mutual TLS on the internal links, the
 * signers trusting the CA), and the two are compared: the cost of TLS (target ≤ 15 %).
 *
 *   npm run bench:round                                       (3000 signers, plaintext then TLS)
 *   npm run bench:round -- --signers 400                      (a quick check; --help lists every option)
 *   npm run bench:round -- --signers 400 --transport tls      (one round only: plaintext or tls)
 *   npm run bench:round -- --transport plaintext --baseline /tmp/main-copy
 *                                                             (each round first against the services of
 *                                                              another checkout, then this tree's, with ratios)
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { writeGenesisKeys } from '@mithril-ts/aggregator';
import { parseCardanoCliStakeSnapshot } from '@mithril-ts/cardano';
import {
  GenesisSigner,
  PROTOCOL_VERSION,
  avkJsonHex,
  mithrilStakeDistribution,
  signedEntityProtocolMessage,
  signedMessageBytes,
  type ProtocolParameters,
} from '@mithril-ts/protocol';
import { EpochSettingsVerifier } from '@mithril-ts/signer';
import { channelCredentials } from '@mithril-ts/service-kit';
import { devnetParameters } from '../src/index.js';
import { ensureDevnetPki, tlsSettingsOf, type DevnetService } from '../src/launcher/pki.js';
import { BenchChain } from './bench-chain.js';
import type { PreparedRegistration } from './bench-worker.js';
import { CertificateObserver } from './certificates.js';
import { ensurePools, type CachedPool } from './pool-cache.js';
import { Report, megabytes, seconds } from './report.js';
import { freePort } from '@mithril-ts/testkit';
import { MemorySampler, ServiceProcess } from './services.js';
import { TRANSPORT_LABELS, renderTlsCost, type RoundFigures, type Transport } from './tls-cost.js';
import { renderComparison } from './comparison.js';
import { SimulatedSigners, type SignatureToSend } from './signers.js';
import { WorkerPool } from './worker-pool.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VERSIONS = { nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION };

const program = new Command('bench:round')
  .description('one Mithril signing round at scale: simulated signers over gRPC against the certifier, aggregator and signer gateway (child processes)')
  .option('--signers <n>', 'number of signers (stake pools)', process.env.BENCH_SIGNERS ?? '3000')
  .option('--k <n>', 'quorum: distinct lottery indexes', '2422')
  .option('--m <n>', 'lottery indexes', '20973')
  .option('--phi-f <x>', 'phi_f', '0.2')
  .option('--registration-concurrency <n>', 'registrations in flight', '96')
  .option('--signature-concurrency <n>', 'signatures in flight (0: all at once)', '0')
  .option('--workers <n>', "worker threads for the signers' own CPU work", String(cpus().length))
  .option('--aggregator-run-interval-ms <ms>', "aggregator's run interval (default: the aggregator's own, 1000)")
  .option('--transport <which>', 'both (plaintext then TLS, with the TLS cost), plaintext or tls', process.env.BENCH_TRANSPORT ?? 'both')
  .option('--seed <text>', 'devnet seed (pool keys and stake)', 'mithril-ts devnet')
  .option('--cache-dir <dir>', 'where derived pool keys are kept across runs', join(tmpdir(), 'mithril-ts-bench-cache'))
  .option('--work-dir <dir>', 'directory of this run (default: a new one under the system temp directory)')
  .option('--keep', 'keep the work directory (stores, logs) after a successful run')
  .option('--cpu-prof <services>', 'comma-separated services to profile with node --cpu-prof (aggregator,signer-gateway,certifier)', '')
  .option(
    '--baseline <dir>',
    "another checkout (e.g. main's code, with its node_modules): each round runs first against its services, and the two are compared",
  )
  .option('--compiled', 'run the services from the compiled build (dist/<name>/main.mjs, `npm run build` first; in the baseline too) instead of tsx')
  .option('--service-node-options <flags>', 'node options for every service process, space-separated (e.g. "--max-old-space-size=256")', '')
  .option('--log-level <level>', 'service log level', 'info')
  .option('--target-seconds <s>', 'target: first submission to certificate', '30')
  .option('--target-aggregator-mb <mb>', 'target: aggregator peak RSS', '400')
  .parse();

const options = program.opts<{
  signers: string;
  k: string;
  m: string;
  phiF: string;
  registrationConcurrency: string;
  signatureConcurrency: string;
  workers: string;
  aggregatorRunIntervalMs?: string;
  transport: string;
  seed: string;
  cacheDir: string;
  workDir?: string;
  keep?: boolean;
  cpuProf: string;
  baseline?: string;
  compiled?: boolean;
  serviceNodeOptions: string;
  logLevel: string;
  targetSeconds: string;
  targetAggregatorMb: string;
}>();

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
  return n;
}

const TRANSPORTS: readonly Transport[] =
  options.transport === 'both'
    ? ['plaintext', 'tls']
    : options.transport === 'plaintext' || options.transport === 'tls'
      ? [options.transport]
      : program.error(`--transport must be both, plaintext or tls, got ${options.transport}`);
const SIGNERS = positive(options.signers, 'signers');
const PARAMETERS: ProtocolParameters = { k: BigInt(positive(options.k, 'k')), m: BigInt(positive(options.m, 'm')), phiF: positive(options.phiF, 'phi-f') };
const REGISTRATION_CONCURRENCY = positive(options.registrationConcurrency, 'registration-concurrency');
const SIGNATURE_CONCURRENCY = Number(options.signatureConcurrency);
const TARGET_SECONDS = positive(options.targetSeconds, 'target-seconds');
const TARGET_AGGREGATOR_BYTES = positive(options.targetAggregatorMb, 'target-aggregator-mb') * 1024 * 1024;
const PROFILED = new Set(
  options.cpuProf
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);
/** Epochs of 100 slots, one KES period per epoch: the second registration round evolves the KES keys once. */
const DEVNET = { pools: SIGNERS, seed: options.seed, slotLengthMs: 1000, slotsPerEpoch: 100, slotsPerKesPeriod: 100 };
const E0 = 0n;
/** After the last signature is answered, how long the certificate may still take to appear. */
const CERTIFICATE_GRACE_MS = 120_000;
/** How long the services sit idle after starting, before the first signer (the idle RSS is read then). */
const IDLE_MS = 3000;
const BASELINE = options.baseline === undefined ? undefined : resolve(options.baseline);

const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
const now = () => performance.now();
const since = (start: number) => (now() - start) / 1000;

async function main(): Promise<void> {
  const workDir = resolve(options.workDir ?? (await mkdtemp(join(tmpdir(), 'mithril-bench-round-'))));
  await mkdir(workDir, { recursive: true });
  log(`${SIGNERS} signers, k=${PARAMETERS.k}, m=${PARAMETERS.m}, phi_f=${PARAMETERS.phiF}; ${TRANSPORTS.join(' then ')}; work directory ${workDir}`);
  const workers = new WorkerPool(positive(options.workers, 'workers'));
  const figures = new Map<Transport, RoundFigures>();
  try {
    // ── Pool keys (cached), shared by every round of this run ──
    const start = now();
    let lastProgress = 0;
    const { pools, derived } = await ensurePools(options.cacheDir, options.seed, SIGNERS, workers, (done, missing) => {
      if (now() - lastProgress > 5000) {
        lastProgress = now();
        log(`  deriving pool keys: ${done}/${missing}`);
      }
    });
    const poolKeys = `${seconds(since(start))} (${derived} derived, ${SIGNERS - derived} from the cache)`;
    const comparisons: string[] = [];
    for (const transport of TRANSPORTS) {
      let baseline: RoundFigures | undefined;
      if (BASELINE !== undefined) {
        log(`── round over ${TRANSPORT_LABELS[transport]}, baseline services from ${BASELINE} ──`);
        baseline = await signingRound(transport, join(workDir, `${transport}-baseline`), pools, workers, poolKeys, { root: BASELINE, label: 'baseline' });
      }
      log(`── round over ${TRANSPORT_LABELS[transport]} ──`);
      const outcome = await signingRound(transport, join(workDir, transport), pools, workers, poolKeys, { root: REPO_ROOT, label: 'this tree' });
      if (outcome !== undefined) figures.set(transport, outcome);
      if (BASELINE !== undefined) comparisons.push(renderComparison(`${TRANSPORT_LABELS[transport]}, baseline ${BASELINE}`, baseline, outcome));
    }
    if (TRANSPORTS.length === 2) console.log(renderTlsCost(figures.get('plaintext'), figures.get('tls')));
    for (const comparison of comparisons) console.log(comparison);
  } finally {
    await workers.close();
    const succeeded = figures.size === TRANSPORTS.length;
    if (succeeded && !options.keep && PROFILED.size === 0 && options.workDir === undefined) await rm(workDir, { recursive: true, force: true });
    else log(`stores, logs${PROFILED.size > 0 ? ' and profiles' : ''} kept in ${workDir}`);
  }
}

/**
 * One round (three epochs) against fresh services in `workDir`, over `transport`; prints its table
 * and returns its headline figures, or undefined when it stopped short of a certificate.
 */
async function signingRound(
  transport: Transport,
  workDir: string,
  pools: readonly CachedPool[],
  workers: WorkerPool,
  poolKeys: string,
  code: { readonly root: string; readonly label: string },
): Promise<RoundFigures | undefined> {
  const report = new Report();
  report.setup('services run from', `${code.label}: ${code.root}${options.compiled === true ? ' (compiled build, dist/)' : ' (TypeScript through tsx)'}`);
  report.setup('pool keys (cold, Sum6 KES, opcert)', poolKeys);
  await mkdir(workDir, { recursive: true });
  const roundStart = now();
  const services: ServiceProcess[] = [];
  let signers: SimulatedSigners | undefined;
  let observer: CertificateObserver | undefined;
  let sampler: MemorySampler | undefined;
  let figures: RoundFigures | undefined;
  let loadAverage: number | undefined;
  try {
    // ── Setup: chain files, genesis keys, PKI (TLS round), services ──
    let start = now();
    const params = devnetParameters(DEVNET);
    const chainDirectory = join(workDir, 'cardano-cli');
    const chain = new BenchChain(
      chainDirectory,
      params,
      pools.map((pool) => pool.poolId),
    );
    start = now();
    await chain.moveTo(E0);
    report.setup('chain files (tip, stake snapshot)', seconds(since(start)));

    const genesis = GenesisSigner.generate();
    const genesisDirectory = join(workDir, 'genesis');
    await mkdir(genesisDirectory, { recursive: true });
    await writeGenesisKeys(genesis, join(genesisDirectory, 'genesis.skey'), join(genesisDirectory, 'genesis.vkey'));

    // The TLS round runs as the devnet launcher does: the devnet's CA and one certificate per service;
    // mutual TLS on the internal links (the gateway presents its certificate to the certifier, which
    // requires one, and to the aggregator, which reserves its intake to the gateway); the signers and
    // the certificate observer are public clients that trust the CA.
    const pki = transport === 'tls' ? await ensureDevnetPki(workDir) : undefined;
    const tls = (service: DevnetService) => (pki === undefined ? { insecure: true } : tlsSettingsOf(pki, service));
    const clientCredentials = channelCredentials(pki === undefined ? { insecure: true } : { insecure: false, tlsCaFile: pki.caFile });
    report.setup('transport', pki === undefined ? 'plaintext' : `TLS, CA ${pki.caFile}`);

    start = now();
    const [certifierPort, aggregatorPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
    const profileDirectory = join(workDir, 'profiles');
    const nodeOptions = options.serviceNodeOptions.split(' ').filter((flag) => flag !== '');
    const runtime = options.compiled === true ? await runtimeSettingsOf(code.root) : undefined;
    if (runtime !== undefined) report.setup('process settings of the images (scripts/images/runtime-settings.mjs)', describeRuntime(runtime));
    const serviceOptions = (name: string) => ({
      name,
      repoRoot: code.root,
      compiled: options.compiled === true,
      directory: workDir,
      nodeOptions,
      ...(runtime === undefined ? {} : { env: runtime(name) }),
      ...(PROFILED.has(name) ? { cpuProfileDirectory: join(profileDirectory, name) } : {}),
    });
    const certifier = await ServiceProcess.start({
      ...serviceOptions('certifier'),
      entry: 'services/certifier/src/main.ts',
      port: certifierPort,
      config: {
        port: certifierPort,
        chainDirectory,
        slotsPerKesPeriod: params.slotsPerKesPeriod,
        storeUrl: `file:${join(workDir, 'certifier.sqlite')}`,
        logLevel: options.logLevel,
        ...tls('certifier'),
      },
    });
    services.push(certifier);
    const aggregator = await ServiceProcess.start({
      ...serviceOptions('aggregator'),
      entry: 'services/aggregator/src/main.ts',
      port: aggregatorPort,
      config: {
        port: aggregatorPort,
        network: params.network,
        storeUrl: `file:${join(workDir, 'aggregator.sqlite')}`,
        chainDirectory,
        // The aggregator checks every registration's KES evidence itself, at its tip.
        slotsPerKesPeriod: params.slotsPerKesPeriod,
        // Only MithrilStakeDistribution is signed: the immutable database is never read.
        immutableDirectory: join(workDir, 'immutable'),
        protocolParameters: [{ fromEpoch: 0, k: Number(PARAMETERS.k), m: Number(PARAMETERS.m), phiF: PARAMETERS.phiF }],
        signedEntityKinds: ['MithrilStakeDistribution'],
        ...(options.aggregatorRunIntervalMs !== undefined ? { runIntervalMs: positive(options.aggregatorRunIntervalMs, 'aggregator-run-interval-ms') } : {}),
        bootstrapGenesisSecretKeyFile: join(genesisDirectory, 'genesis.skey'),
        logLevel: options.logLevel,
        ...tls('aggregator'),
      },
    });
    services.push(aggregator);
    const gateway = await ServiceProcess.start({
      ...serviceOptions('signer-gateway'),
      entry: 'services/signer-gateway/src/main.ts',
      port: gatewayPort,
      config: {
        port: gatewayPort,
        certifierAddress: certifier.address,
        aggregatorAddress: aggregator.address,
        logLevel: options.logLevel,
        ...tls('signer-gateway'),
      },
    });
    services.push(gateway);
    sampler = new MemorySampler(services);
    report.setup('services started (certifier, aggregator, signer gateway)', seconds(since(start)));
    // Idle: started, the first epoch entered, no signer yet (what a quiet aggregator holds).
    sampler.phase = 'idle';
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));

    signers = new SimulatedSigners(aggregator.address, gateway.address, clientCredentials, VERSIONS, 120_000);
    observer = new CertificateObserver(aggregator.address, clientCredentials, VERSIONS);
    await observer.watch();

    // ── e0: first registration round (recorded for e0+1, signs at e0+2) ──
    sampler.phase = 'registration e0';
    const { registered: signing } = await registrationRound(report, 'e0', E0, chain, pools, signers, workers);

    // ── e0+1: genesis, then the measured registration round (recorded for e0+2) ──
    await chain.moveTo(E0 + 1n);
    sampler.phase = 'registration e0+1';
    start = now();
    await signers.settingsAt(E0 + 1n);
    await observer.genesis(120_000);
    report.setup('aggregator entered e0+1 and bootstrapped the genesis certificate', seconds(since(start)));
    const { perSecond: registrationsPerSecond } = await registrationRound(report, 'e0+1', E0 + 1n, chain, pools, signers, workers);

    // ── e0+2: the signing round ──
    await chain.moveTo(E0 + 2n);
    sampler.phase = 'epoch e0+2 (signers compute)';
    start = now();
    const announced = await signers.settingsAt(E0 + 2n);
    report.signerSide('aggregator entered e0+2 (GetEpochSettings answers it)', seconds(since(start)));
    start = now();
    const settings = new EpochSettingsVerifier().verify(announced);
    report.signerSide(
      `close current (${announced.currentSigners.length}) and next (${announced.nextSigners.length}) signer sets from GetEpochSettings`,
      seconds(since(start)),
    );
    const type = mithrilStakeDistribution(E0 + 2n);
    const signedMessage = signedEntityProtocolMessage(settings, type).signedMessage();
    const current = settings.currentSigners;
    if (current === undefined) throw new Error('the aggregator announces no current signers at e0+2');
    const indexOf = new Map(current.signers.map((_, i) => [current.partyIdOf(i), i]));
    const jobs = signing.map((registration) => {
      const signerIndex = indexOf.get(registration.partyId);
      if (signerIndex === undefined) throw new Error(`${registration.partyId} registered at e0 but is not among the signers of e0+2`);
      return { partyId: registration.partyId, job: { signerIndex, stake: registration.stake, signingKey: registration.signingKey } };
    });
    start = now();
    const outcomes = await workers.map(jobs, 25, (chunk) => ({
      kind: 'sign' as const,
      parameters: settings.currentParameters,
      avk: current.avk,
      message: signedMessageBytes(signedMessage),
      signers: chunk.map(({ job }) => job),
    }));
    const signingSeconds = since(start);
    const perSigner = outcomes.map((o) => o.milliseconds).sort((a, b) => a - b);
    const toSend: SignatureToSend[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.signature !== null) toSend.push({ partyId: jobs[i]!.partyId, outcome: { ...outcome, signature: outcome.signature } });
    });
    const wins = toSend.reduce((sum, s) => sum + s.outcome.wonIndexes.length, 0);
    report.signerSide(
      `lottery + signature of ${jobs.length} signers (${workers.size} worker threads)`,
      `${seconds(signingSeconds)} wall; per signer median ${perSigner[Math.floor(perSigner.length / 2)]!.toFixed(0)} ms`,
    );
    const distinct = new Set(toSend.flatMap((s) => s.outcome.wonIndexes)).size;
    report.signerSide('signers that won at least one index / indexes won / distinct indexes', `${toSend.length} / ${wins} / ${distinct} (k = ${PARAMETERS.k})`);
    if (BigInt(distinct) < settings.currentParameters.k) {
      throw new Error(
        `the signers' wins cover ${distinct} distinct indexes, fewer than k = ${settings.currentParameters.k}: this round cannot be certified (raise m or phi_f, or lower k)`,
      );
    }

    sampler.phase = 'signature submission → certificate';
    // Other work on the machine takes cores from the services: the figures below depend on it.
    loadAverage = loadavg()[0]!;
    report.round('machine load average (1 min) when the first signature is sent', `${loadAverage.toFixed(1)} on ${cpus().length} cores`);
    const tally = await signers.submitSignatures(type, signedMessage, toSend, SIGNATURE_CONCURRENCY);
    report.round('signatures sent / accepted / too late', `${tally.sent} / ${tally.accepted} / ${tally.tooLate}`);
    report.round(
      'other refusals (after retries) / resent after "not ready" or "unavailable"',
      `${describeFailures(tally.failures)} / ${describeFailures(tally.retries)}`,
    );
    let observed;
    try {
      // Every signature has been answered: the certificate is sealed by now, or soon after the last accepted one.
      observed = await observer.certificateOf(type, CERTIFICATE_GRACE_MS);
    } catch (error) {
      report.round(
        'first submission → certificate (WatchCertificates)',
        `none ${seconds(since(tally.firstSentAt))} after the first submission (${(error as Error).message})`,
        `≤ ${TARGET_SECONDS} s`,
        false,
      );
      throw new RoundFailed(report, error as Error);
    }
    const toCertificate = (observed.receivedAt - tally.firstSentAt) / 1000;
    sampler.phase = 'after the certificate';
    report.round('first submission → certificate (WatchCertificates)', seconds(toCertificate), `≤ ${TARGET_SECONDS} s`, toCertificate <= TARGET_SECONDS);
    // An accepted signature was stored before the certificate closed the message (later ones are too late).
    report.round('signatures accepted per second until the certificate', `${(tally.accepted / toCertificate).toFixed(0)}/s`);
    report.round('first submission → last answer', `${seconds(tally.seconds)} (${(tally.sent / tally.seconds).toFixed(0)} answers/s)`);
    const { certificate } = observed;
    const aggregatorSeconds = Number(certificate.metadata.sealedAt - certificate.metadata.initiatedAt) / 1e9;
    report.round('message opened → certificate sealed (certificate metadata)', seconds(aggregatorSeconds));
    const multiSignature = certificate.signature.kind === 'multi-signature' ? certificate.signature.multiSignature : undefined;
    report.round('certificate signers / aggregated single signatures', `${certificate.metadata.signers.length} / ${multiSignature?.signatures.length ?? 0}`);

    // The certificate must verify back to genesis and certify what the signers signed.
    start = now();
    const next = settings.nextSigners;
    if (next === undefined) throw new Error('the aggregator announces no next signers at e0+2');
    const verified = await observer.verify(certificate, genesis.verificationKey(), {
      type,
      signedMessage,
      parts: { next_aggregate_verification_key: avkJsonHex(next.avk) },
    });
    report.round(
      'certificate chain verified back to genesis (client side)',
      `${verified.verified.length} certificates in ${seconds(since(start))}`,
      'valid',
      true,
    );

    figures = { registrationsPerSecond, acceptedPerSecond: tally.accepted / toCertificate, toCertificate, totalSeconds: since(roundStart), loadAverage };
  } catch (error) {
    if (!(error instanceof RoundFailed)) throw error;
    log(`the round over ${TRANSPORT_LABELS[transport]} failed: ${error.cause.message}`);
    process.exitCode = 1;
  } finally {
    sampler?.stop();
    // Figures are printed even when the round failed: they say where it stopped.
    if (sampler !== undefined) {
      const memory = reportMemory(report, services, sampler);
      if (figures !== undefined) figures = { ...figures, memory };
      const flags = options.serviceNodeOptions.trim() === '' ? '' : `; services run with ${options.serviceNodeOptions.trim()}`;
      console.log(
        report.render(
          `Mithril signing round over gRPC on loopback, ${TRANSPORT_LABELS[transport]}: ${SIGNERS} signers, k=${PARAMETERS.k}, m=${PARAMETERS.m}, phi_f=${PARAMETERS.phiF} (${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the end${flags})`,
        ),
      );
      if (!report.allMet) process.exitCode = 1;
    }
    observer?.close();
    signers?.close();
    for (const service of services.reverse()) await service.stop();
  }
  return figures;
}

type RuntimeSettings = (name: string) => Record<string, string>;

/**
 * The process settings the images of tree `root` run each service with (MALLOC_ARENA_MAX, the
 * heap cap), so that the compiled services run as deployed; undefined for a tree without them (a
 * baseline from before they existed then runs as its images did).
 */
async function runtimeSettingsOf(root: string): Promise<RuntimeSettings | undefined> {
  const file = join(root, 'scripts', 'images', 'runtime-settings.mjs');
  if (!existsSync(file)) return undefined;
  const module = (await import(pathToFileURL(file).href)) as { runtimeEnvironment: RuntimeSettings };
  return module.runtimeEnvironment;
}

function describeRuntime(runtime: RuntimeSettings): string {
  return ['aggregator', 'signer-gateway', 'certifier']
    .map(
      (name) =>
        `${name}: ${Object.entries(runtime(name))
          .map(([key, value]) => `${key}=${value}`)
          .join(' ')}`,
    )
    .join('; ');
}

/** The round stopped short of a certificate; the report says how far it got. */
class RoundFailed extends Error {
  constructor(
    readonly report: Report,
    override readonly cause: Error,
  ) {
    super(cause.message);
  }
}

/** Peak RSS of each service (VmHWM, read while it still runs) and the sampled peaks by phase; returns the headline ones. */
function reportMemory(report: Report, services: readonly ServiceProcess[], sampler: MemorySampler): NonNullable<RoundFigures['memory']> {
  const peaks = new Map<string, number | undefined>();
  for (const service of services) {
    const peak = service.memory()?.peak;
    peaks.set(service.name, peak);
    const phases = [...sampler.peaks(service.name)].map(([phase, rss]) => `${phase} ${megabytes(rss)}`).join('; ');
    const isAggregator = service.name === 'aggregator';
    const figure = peak === undefined ? 'exited before the end' : megabytes(peak);
    report.memory(
      `${service.name} peak RSS (VmHWM)`,
      figure,
      isAggregator ? `≤ ${megabytes(TARGET_AGGREGATOR_BYTES)}` : '',
      isAggregator ? peak !== undefined && peak <= TARGET_AGGREGATOR_BYTES : undefined,
    );
    report.memory(`${service.name} sampled RSS, peak by phase`, phases);
  }
  const idle = sampler.peaks('aggregator').get('idle');
  report.memory(
    'aggregator RSS idle (started, no signer yet)',
    idle === undefined ? '—' : megabytes(idle),
    '≤ 250 MB',
    idle === undefined ? undefined : idle <= 250 * 1024 * 1024,
  );
  return { aggregatorIdle: idle, aggregatorPeak: peaks.get('aggregator'), gatewayPeak: peaks.get('signer-gateway'), certifierPeak: peaks.get('certifier') };
}

/** One registration round at `epoch`: fresh keys prepared in the workers (not timed as service time), then all sent through the gateway. */
async function registrationRound(
  report: Report,
  label: string,
  epoch: bigint,
  chain: BenchChain,
  pools: readonly CachedPool[],
  signers: SimulatedSigners,
  workers: WorkerPool,
): Promise<{ readonly registered: PreparedRegistration[]; readonly perSecond: number }> {
  const settings = await signers.settingsAt(epoch);
  const position = chain.position!;
  const stakes = parseCardanoCliStakeSnapshot(await readFile(join(chain.directory, `stake-snapshot-${epoch}.json`), 'utf8'));
  const start = now();
  const prepared = await workers.map(pools, 25, (chunk) => ({
    kind: 'prepare-registrations' as const,
    epoch,
    slot: position.slot,
    slotsPerKesPeriod: BigInt(chain.parameters.slotsPerKesPeriod),
    parameters: settings.registrationParameters,
    pools: chunk.map((pool) => ({ keysDirectory: pool.keysDirectory, stake: stakes.get(pool.poolId.hex)! })),
  }));
  report.signerSide(
    `registration ${label}: fresh Mithril keys + KES signatures (evolution ${prepared[0]?.kesEvolutions ?? '-'}), ${workers.size} worker threads`,
    seconds(since(start)),
  );
  const tally = await signers.register(prepared, REGISTRATION_CONCURRENCY);
  report.registration(
    `registration ${label} (${REGISTRATION_CONCURRENCY} in flight): accepted / sent`,
    `${tally.accepted} / ${tally.sent} in ${seconds(tally.seconds)}: ${(tally.accepted / tally.seconds).toFixed(0)}/s`,
  );
  if (tally.failures.size > 0 || tally.retries.size > 0) {
    report.registration(`registration ${label} refusals (after retries) / resent`, `${describeFailures(tally.failures)} / ${describeFailures(tally.retries)}`);
  }
  if (tally.accepted === 0) throw new Error(`no registration was accepted at ${label}: ${describeFailures(tally.failures)}`);
  return { registered: tally.registered, perSecond: tally.accepted / tally.seconds };
}

function describeFailures(failures: ReadonlyMap<string, number>): string {
  return failures.size === 0 ? 'none' : [...failures].map(([reason, n]) => `${reason} ×${n}`).join(', ');
}

await main();
