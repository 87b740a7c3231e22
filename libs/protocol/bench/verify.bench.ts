/**
 * Client verification of mainnet-size certificates (3000 parties, k=2422, m=20973, phi_f=0.2),
 * from their reference JSON, decoding included, each measurement in a fresh process (cold: no
 * decoded point, lottery threshold or JIT state left from a previous run).
 *
 *   npm run bench:verify                 (from the root; CHAIN=n certificates for the chain walk)
 *
 * Five ways are compared in the same run:
 *   baseline   the code before the BLS seam: noble, every point checked (keys' subgroup included)
 *   noble      noble with the keys' subgroup check left to their AVK membership (SECURITY.md)
 *   mcl        mcl (WebAssembly) for points, sums, hash to G1 and pairings: the browser's path
 *   blst       the native backend (decoding, checks and randomized sums), noble for hash and pairings
 *   blst+mcl   the native backend, mcl for hash and pairings: what `configureBls('auto')` picks
 * Backends are loaded before the clock starts, as a client does at start-up; their load time is
 * printed beside the figures.
 *
 * (a) one certificate: decode + every check of `verifyCertificateAlone`, target ≤ 60 ms;
 * (b) a chain back to genesis: every certificate fetched as JSON, decoded and verified by
 *     `CertificateChainVerifier.verifyChain` (its multi-signatures batched), target ≤ 3 s for 100.
 * Certificates are generated once (minutes each) and kept under the system temp directory; the
 * chain walk uses those present, `CHAIN` at most, and scales its figure to 100 when fewer exist.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AggregateSignature, SingleSignature, Signature, VerificationKey } from '@mithril-ts/stm';
import { configureBls } from '@mithril-ts/stm/native';
import { configureWasmBls } from '@mithril-ts/stm/wasm';
import { CertificateChainVerifier, certificateFromJson, encodedCertificateFromJson, type Certificate, type CertificateSource } from '@mithril-ts/protocol';
import { chainFixture, fixtureDirectory, generatedLength } from './chain-fixture.js';
import { hexToBytes } from '@noble/hashes/utils.js';

const PARTIES = Number(process.env.PARTIES ?? 3000);
const VARIANTS = ['baseline', 'noble', 'mcl', 'blst', 'blst+mcl'] as const;
type Variant = (typeof VARIANTS)[number];

/** The decoding before this change: every point fully checked (noble's subgroup checks of keys included). */
function decodeFully(text: string): Certificate {
  const encoded = encodedCertificateFromJson(text);
  if (encoded.signature.kind !== 'multi-signature') return certificateFromJson(text);
  const { signatures, batchProof } = encoded.signature.multiSignature;
  const multiSignature = new AggregateSignature(
    signatures.map(({ signature, party }) => ({
      signature: new SingleSignature(Signature.fromBytes(signature.sigma), [...signature.indexes], signature.signerIndex),
      party: { vk: VerificationKey.fromBytes(party.vk), stake: party.stake },
    })),
    batchProof,
  );
  return { ...encoded, signature: { kind: 'multi-signature', multiSignature } };
}

/** CPU time of this process since `since` (all its threads: a loaded machine stretches wall time, much less this). */
function cpuMs(since: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
}

function read(n: number): string {
  return readFileSync(join(fixtureDirectory(PARTIES), `certificate-${n}.json`), 'utf8');
}

/** One measurement, in this (fresh) process; prints JSON on stdout. */
async function measure(variant: Variant, what: 'one' | 'chain', length: number): Promise<void> {
  const loading = performance.now();
  if (variant === 'mcl') await configureWasmBls('mcl');
  else await configureBls(variant.startsWith('blst') ? 'blst' : 'noble', variant.endsWith('+mcl') ? 'mcl' : 'noble');
  const load = performance.now() - loading;
  const decode = variant === 'baseline' ? decodeFully : certificateFromJson;
  const genesis = JSON.parse(readFileSync(join(fixtureDirectory(PARTIES), 'genesis-key.json'), 'utf8')) as string;
  const verifier = new CertificateChainVerifier(hexToBytes(genesis));
  if (what === 'one') {
    const text = read(1);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const certificate = decode(text);
    const decoded = performance.now();
    verifier.verifyCertificateAlone(certificate);
    const end = performance.now();
    console.log(JSON.stringify({ total: end - start, decode: decoded - start, verify: end - decoded, load, cpu: cpuMs(cpu) }));
    return;
  }
  const texts = new Map<string, string>();
  for (let n = 0; n <= length; n += 1) {
    const text = read(n);
    texts.set((JSON.parse(text) as { hash: string }).hash, text);
  }
  let decodeMs = 0;
  const source: CertificateSource = {
    getCertificate: async (hash) => {
      const text = texts.get(hash);
      if (text === undefined) return undefined;
      const t = performance.now();
      const certificate = decode(text);
      decodeMs += performance.now() - t;
      return certificate;
    },
  };
  const last = (JSON.parse(read(length)) as { hash: string }).hash;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await verifier.verifyChain(last, source);
  const total = performance.now() - start;
  if (result.verified.length !== length + 1 || result.endedAt.kind !== 'genesis') throw new Error('the chain walk did not reach genesis');
  console.log(JSON.stringify({ total, decode: decodeMs, verify: total - decodeMs, load, cpu: cpuMs(cpu) }));
}

interface Sample {
  total: number;
  decode: number;
  verify: number;
  /** Loading the backends before the clock started (native module, WebAssembly). */
  load: number;
  /** CPU time of the measured stretch, every thread of the process (compilers and GC included). */
  cpu: number;
}

function spawnMeasure(variant: Variant, what: 'one' | 'chain', length: number): Sample {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--measure', variant, what, String(length)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Sample;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const chainWanted = Number(process.env.CHAIN ?? 100);
  const runs = Number(process.env.RUNS ?? 3);
  console.error(`verification bench: ${PARTIES} parties, k=2422, m=20973, phi_f=0.2`);
  await configureBls('auto');
  const fixture = await chainFixture(PARTIES, 1, (line) => console.error(line));
  writeFileSync(join(fixtureDirectory(PARTIES), 'genesis-key.json'), JSON.stringify(Buffer.from(fixture.genesisVerificationKey).toString('hex')));
  const signers = (JSON.parse(fixture.json[1]!) as { metadata: { signers: unknown[] } }).metadata.signers.length;
  console.error(`  certificate 1: ${signers} signers, ${(fixture.json[1]!.length / 1024).toFixed(0)} KiB of JSON`);

  // Interleaved (each run goes through every variant), so that a change in the machine's load
  // hits every variant alike; medians per variant. CPU time is printed beside wall time: on a
  // loaded machine it stretches far less.
  const length = Math.min(chainWanted, generatedLength(PARTIES));
  const oneSamples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
  const chainSamples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const variant of VARIANTS) {
      const sample = spawnMeasure(variant, 'one', 1);
      oneSamples.get(variant)!.push(sample);
      console.error(`  (a) run ${run + 1} ${variant}: ${describe(sample)}`);
    }
    for (const variant of VARIANTS) {
      if (variant === 'baseline' && length > 20) continue;
      const sample = spawnMeasure(variant, 'chain', length);
      chainSamples.get(variant)!.push(sample);
      console.error(`  (b) run ${run + 1} ${variant}: chain of ${length} + genesis: ${describe(sample)}`);
    }
  }
  const pick = (samples: Sample[]): Sample => {
    const total = median(samples.map((s) => s.total));
    return samples.find((s) => s.total === total)!;
  };
  const rows: string[] = [];
  const one = new Map(VARIANTS.map((v) => [v, pick(oneSamples.get(v)!)]));
  const base = one.get('baseline')!;
  for (const variant of VARIANTS) {
    const sample = one.get(variant)!;
    rows.push(
      `| (a) one certificate, ${variant} | ${sample.total.toFixed(0)} ms (decode ${sample.decode.toFixed(0)} + verify ${sample.verify.toFixed(0)}) | ${sample.cpu.toFixed(0)} ms | ${sample.load.toFixed(0)} ms | ${(base.total / sample.total).toFixed(1)}× | ≤ 60 ms | ${sample.total <= 60 ? 'met' : 'MISSED'} |`,
    );
  }
  const scale = 100 / length;
  const chainBase = chainSamples.get('baseline')!.length > 0 ? pick(chainSamples.get('baseline')!) : undefined;
  for (const variant of VARIANTS) {
    if (chainSamples.get(variant)!.length === 0) continue;
    const sample = pick(chainSamples.get(variant)!);
    const per100 = sample.total * scale;
    const ratio = chainBase === undefined ? '' : `${(chainBase.total / sample.total).toFixed(1)}×`;
    rows.push(
      `| (b) chain of ${length} to genesis${length < 100 ? ` (×${scale.toFixed(1)} for 100)` : ''}, ${variant} | ${sample.total.toFixed(0)} ms${length < 100 ? ` → ${(per100 / 1000).toFixed(2)} s per 100` : ''} | ${sample.cpu.toFixed(0)} ms | ${sample.load.toFixed(0)} ms | ${ratio} | ≤ 3 s per 100 | ${per100 <= 3000 ? 'met' : 'MISSED'} |`,
    );
  }
  console.log(
    `\nbench:verify, medians of ${runs} cold runs each, interleaved (${new Date().toISOString()}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  console.log(`| measurement | wall | CPU | backends' load (before) | vs baseline | target | status |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}`);
}

function describe(sample: Sample): string {
  return `${sample.total.toFixed(0)} ms (decode ${sample.decode.toFixed(0)}, verify ${sample.verify.toFixed(0)}; CPU ${sample.cpu.toFixed(0)} ms; backends loaded before, in ${sample.load.toFixed(0)} ms)`;
}

const at = process.argv.indexOf('--measure');
if (at >= 0) {
  await measure(process.argv[at + 1] as Variant, process.argv[at + 2] as 'one' | 'chain', Number(process.argv[at + 3]));
} else {
  await main();
}
