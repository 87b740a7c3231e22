/**
 * `npm run bench:browser`: one mainnet-size certificate (3000 parties, k=2422, m=20973,
 * phi_f=0.2) verified from its reference JSON, decode included, on a cold page of headless
 * Chromium (a fresh browser process per run) loading a small bundle of the verifier from
 * localhost, with the WebAssembly BLS code (mcl, what the explorer loads) and, as the before
 * figure, with noble's; and, in the same run, the same verifier in a cold Node process (the
 * noble path), the reference. Prints medians and ratios. PARTIES=… and RUNS=… change the size
 * and the runs. mcl is loaded while the page fetches the certificate; its load time is
 * printed apart (it is inside navigation → verdict).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium } from '../test/chromium.js';
import { mainnetCertificate } from './mainnet-certificate.js';

const PARTIES = Number(process.env.PARTIES ?? 3000);
const RUNS = Number(process.env.RUNS ?? 5);
const TARGET_MS = 300;
const repository = fileURLToPath(new URL('../../', import.meta.url));
const work = join(repository, '.tmp', 'bench');
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Timing {
  decodeMs: number;
  verifyMs: number;
  /** Browser only: loading the BLS code (concurrent with the fetches). */
  loadMs?: number;
  engine?: string;
  /** Browser only: navigation start → verdict (page load, bundle, fetching the JSON, verification). */
  doneAtMs?: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const fixed = (ms: number) => `${ms.toFixed(0)} ms`;

const cacheFile = join(work, `mainnet-certificate-${PARTIES}.json`);
const certificate = mainnetCertificate(cacheFile, PARTIES, log);
log(
  `bench:browser: one certificate of ${certificate.signers} signers out of ${PARTIES} parties (k=2422, m=20973, phi_f=0.2), ${(certificate.json.length / 1e6).toFixed(2)} MB of reference JSON; ${RUNS} cold runs each`,
);

// The page: the explorer's verifier, bundled by the explorer's own Vite configuration.
const outDir = join(work, 'verify-page');
await build({
  configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true, sourcemap: false, rollupOptions: { input: fileURLToPath(new URL('./verify-page.html', import.meta.url)) } },
});
writeFileSync(join(outDir, 'bench', 'certificate.json'), certificate.json);
writeFileSync(join(outDir, 'bench', 'genesis.vkey'), certificate.genesisVerificationKey);

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.vkey': 'text/plain' };
const server = createServer((request, response) => {
  const path = normalize(decodeURIComponent((request.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = readFileSync(join(outDir, path));
    response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench/verify-page.html`;

/** A fresh Chromium process (no code cache, no warm JIT) loading the page once. */
async function browserRun(pairing: 'noble' | 'mcl'): Promise<Timing> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${url}?bls=${pairing}`);
    const result = page.locator('#result[data-result]');
    await result.waitFor({ timeout: 300_000 });
    const outcome = JSON.parse((await result.getAttribute('data-result'))!) as Timing & { ok: boolean; message?: string };
    if (!outcome.ok) throw new Error(`the page failed to verify the certificate: ${outcome.message}`);
    if (outcome.engine !== pairing) throw new Error(`the page verified with ${outcome.engine}, not ${pairing}`);
    return outcome;
  } finally {
    await browser.close();
  }
}

/** A fresh Node process verifying the same JSON. */
function nodeRun(): Timing {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./node-verify.ts', import.meta.url)), cacheFile], {
    cwd: repository,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`the Node baseline failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Timing;
}

// Interleaved, so that a change in the machine's load hits every side alike.
const browserRuns: Timing[] = [];
const nobleBrowserRuns: Timing[] = [];
const nodeRuns: Timing[] = [];
try {
  for (let run = 0; run < RUNS; run += 1) {
    const noble = await browserRun('noble');
    nobleBrowserRuns.push(noble);
    log(
      `  Chromium (noble) run ${run + 1}: decode ${fixed(noble.decodeMs)} + verify ${fixed(noble.verifyMs)} (verdict ${fixed(noble.doneAtMs!)} after navigation)`,
    );
    const browser = await browserRun('mcl');
    browserRuns.push(browser);
    log(
      `  Chromium (mcl) run ${run + 1}: decode ${fixed(browser.decodeMs)} + verify ${fixed(browser.verifyMs)} (mcl loaded in ${fixed(browser.loadMs!)}; verdict ${fixed(browser.doneAtMs!)} after navigation)`,
    );
    const node = nodeRun();
    nodeRuns.push(node);
    log(`  Node run ${run + 1}: decode ${fixed(node.decodeMs)} + verify ${fixed(node.verifyMs)}`);
  }
} finally {
  server.close();
}

const total = (runs: Timing[]) => median(runs.map((r) => r.decodeMs + r.verifyMs));
const split = (runs: Timing[]) => `decode ${fixed(median(runs.map((r) => r.decodeMs)))}, verify ${fixed(median(runs.map((r) => r.verifyMs)))}`;
const browserTotal = total(browserRuns);
const nobleBrowserTotal = total(nobleBrowserRuns);
const nodeTotal = total(nodeRuns);
const rows = [
  ['Node (noble path), cold process: decode + verify', fixed(nodeTotal), split(nodeRuns), 'reference'],
  [
    'Chromium, noble (before), cold page: decode + verify',
    fixed(nobleBrowserTotal),
    split(nobleBrowserRuns),
    `${(nobleBrowserTotal / nodeTotal).toFixed(2)}× Node`,
  ],
  [
    'Chromium, mcl (now), cold page: decode + verify',
    fixed(browserTotal),
    split(browserRuns),
    `${(nobleBrowserTotal / browserTotal).toFixed(2)}× faster than before; ${(browserTotal / nodeTotal).toFixed(2)}× Node; target ≤ ${TARGET_MS} ms: ${browserTotal <= TARGET_MS ? 'met' : 'MISSED'}`,
  ],
  ['Chromium (mcl): loading the WebAssembly module', fixed(median(browserRuns.map((r) => r.loadMs!))), 'concurrent with the two fetches', ''],
  [
    'Chromium: navigation → verdict, noble / mcl',
    `${fixed(median(nobleBrowserRuns.map((r) => r.doneAtMs!)))} / ${fixed(median(browserRuns.map((r) => r.doneAtMs!)))}`,
    'page, bundle, 2 fetches, decode, verify',
    '',
  ],
];
console.log(
  `\nbench:browser, medians of ${RUNS} cold runs each, interleaved (${new Date().toISOString()}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')})`,
);
console.log('| measurement | median | split | note |\n|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
