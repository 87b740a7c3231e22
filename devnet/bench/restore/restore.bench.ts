/**
 * Issue 6, restore (`npm run bench:restore`, repo root or `-w devnet`): the client restoring a
 * ~2 GiB snapshot over loopback — `runCli(['snapshot', 'download', …])` in this process,
 * verifying the certificate chain back to genesis, the digests list against the certified Merkle
 * root, the archive and every file — against `curl -s <full archive> | tar -xz` of the same
 * archive from the same download server, which verifies nothing; target ratio curl time / client time ≥ 0.8, for the
 * full archive (`--full-archive`) and the per-immutable archives (`--parallel`).
 *
 * The servers (snapshotter + download server, AggregatorService over gRPC) run in a child
 * process (servers.ts); the snapshot of a size is made once and kept. Best of BENCH_ROUNDS
 * (default 3) runs each, the three alternating; every run starts with the previous output
 * removed, `sync`ed and — where this process may — the page cache dropped, so that each starts
 * from the same state (without it, runs writing 2 GiB one after the other varied by half again;
 * the server then reads the archives from disk, the same for all three).
 *
 *   npm run bench:restore                (2 GiB, generated once in /tmp)
 *   BENCH_GB=0.2 npm run bench:restore   (a quick run)
 *   BENCH_PARALLEL=n                     (--parallel of the per-immutable mode; default 4, the client's default)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runCli } from '@mithril-ts/client-cli';
import { Report, best, dropPageCache, ensureDataset, gibibytes, machineLine, seconds, throughput, timeCommand } from '@mithril-ts/testkit/bench';
import type { ServedSnapshot } from './servers.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 4);
const TARGET = 0.8;
const log = (line: string) => process.stderr.write(`${line}\n`);
const here = dirname(fileURLToPath(import.meta.url));

ensureDataset(log); // built (once per size) here, before the servers' process reads it

function startServers(): Promise<{ child: ChildProcess; served: ServedSnapshot }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'servers.ts')], { cwd: here, stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, served: JSON.parse(line) as ServedSnapshot }));
    child.once('exit', (code) => reject(new Error(`the bench servers exited with ${code} before serving`)));
  });
}

async function sync(): Promise<void> {
  await timeCommand('sync', []);
}

async function countFiles(directory: string): Promise<number> {
  return (await readdir(directory)).length;
}

log('starting the snapshotter and the aggregator (child process)…');
const { child, served } = await startServers();
const scratch = await mkdtemp(join(tmpdir(), 'mithril-ts-bench-restore-'));

type Mode = 'curl' | 'full' | 'parallel';
const times: Record<Mode, number[]> = { curl: [], full: [], parallel: [] };

const dropPermitted = await dropPageCache();

async function runOnce(mode: Mode, round: number): Promise<number> {
  const target = join(scratch, `${mode}-${round}`);
  await sync();
  if (dropPermitted) await dropPageCache();
  if (mode === 'curl') {
    await mkdir(target);
    const { seconds: taken } = await timeCommand('bash', ['-o', 'pipefail', '-c', 'curl -sSf "$0" | tar -xz -C "$1"', served.fullArchiveUrl, target]);
    const files = await countFiles(join(target, 'immutable'));
    if (files !== served.files) throw new Error(`curl | tar produced ${files} files, not ${served.files}`);
    return taken;
  }
  let stderr = '';
  const started = performance.now();
  const code = await runCli(
    [
      'snapshot',
      'download',
      served.hash,
      '--target',
      target,
      '--aggregator',
      served.aggregator,
      '--genesis-verification-key',
      served.genesisKey,
      ...(mode === 'full' ? ['--full-archive'] : ['--parallel', String(PARALLEL)]),
    ],
    { stdout: { write: () => undefined }, stderr: { write: (chunk: string) => void (stderr += chunk), isTTY: false }, env: {} },
  );
  const taken = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`the client exited with ${code}: ${stderr.slice(-2000)}`);
  const files = await countFiles(join(target, 'immutable'));
  if (files !== served.files) throw new Error(`the client restored ${files} files, not ${served.files}`);
  return taken;
}

let machine: string;
try {
  machine = await machineLine();
  log(`machine: ${machine}`);
  if (!dropPermitted) {
    // Not timed: the archives into the page cache, as every later run finds them.
    await runOnce('curl', -1);
    await rm(join(scratch, 'curl--1'), { recursive: true, force: true });
  }
  const orders: Mode[][] = [
    ['curl', 'full', 'parallel'],
    ['parallel', 'curl', 'full'],
    ['full', 'parallel', 'curl'],
  ];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const mode of orders[round % orders.length] as Mode[]) {
      const taken = await runOnce(mode, round);
      times[mode].push(taken);
      log(`  round ${round + 1}: ${mode} ${seconds(taken)}`);
      await rm(join(scratch, `${mode}-${round}`), { recursive: true, force: true });
    }
  }
} finally {
  child.stdin?.end();
  await rm(scratch, { recursive: true, force: true });
}

const curl = best(times.curl);
const report = new Report();
report.section('setup');
report.row(
  'snapshot',
  `${served.files} files (immutable file numbers 0..${served.numbers - 1}), ${gibibytes(served.totalSize)}; full archive ${gibibytes(served.fullArchiveSize)} gzip`,
);
if (served.snapshotSeconds > 0)
  report.row('snapshotter: snapshot stored (full + per-immutable archives, first run of this size)', seconds(served.snapshotSeconds));
report.row('machine', machine);
report.row(
  'rounds',
  `best of ${ROUNDS} per figure, the three alternating; loopback HTTP from the snapshotter's download server; ${dropPermitted ? 'page cache dropped before each run' : 'archives in the page cache (dropping it was not permitted)'}`,
);
report.section('restore over loopback (client: certificate chain to genesis, digests list vs Merkle root, archive SHA-256, every file SHA-256)');
for (const [mode, what] of [
  ['full', 'client, full archive (--full-archive)'],
  ['parallel', `client, per-immutable archives (--parallel ${PARALLEL})`],
] as const) {
  const ours = best(times[mode]);
  report.row(what, `${seconds(ours)} (${throughput(served.totalSize, ours)})`, {
    baseline: `curl -s \\| tar -xz: ${seconds(curl)} (${throughput(served.totalSize, curl)})`,
    ratio: `${(curl / ours).toFixed(2)}×`,
    target: `≥ ${TARGET}×`,
    met: curl / ours >= TARGET,
  });
}
console.log(report.render(`restore of a ${gibibytes(served.totalSize)} snapshot (issue 6)`));
process.exitCode = report.allMet ? 0 : 1;
