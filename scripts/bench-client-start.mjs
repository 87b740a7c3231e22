#!/usr/bin/env node
/**
 * `npm run bench:client-start`: how long `mithril-client --help` takes to start, compiled (the bin
 * `npx mithril-client` runs: cli/bin/mithril-client.mjs → dist/client/main.mjs, from `npm run
 * build:client`) against the TypeScript under tsx (`tsx cli/src/main.ts`), with `node -e ""` (node's
 * own start) as the baseline, all in the same run, interleaved, so that a loaded machine slows each
 * alike. Prints the median and best wall time of each over RUNS runs (default 15) and the ratios.
 *
 * The target (issue 16) is 300 ms for the compiled `--help` on an idle machine: compare the
 * "above node" column, which removes node's own start, when the machine is busy.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, ROOT } from './build.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
if (!existsSync(join(DIST, 'client', 'main.mjs'))) {
  console.error('dist/client is missing: run `npm run build:client` first');
  process.exit(1);
}

const modes = [
  { name: 'node -e "" (baseline)', command: process.execPath, args: ['-e', ''] },
  { name: 'compiled: mithril-client --help', command: process.execPath, args: [join(ROOT, 'cli', 'bin', 'mithril-client.mjs'), '--help'] },
  { name: 'tsx cli/src/main.ts --help', command: tsx, args: [join(ROOT, 'cli', 'src', 'main.ts'), '--help'] },
];

const times = new Map(modes.map((mode) => [mode.name, []]));
for (let run = 0; run < RUNS; run += 1) {
  for (const mode of modes) {
    const start = process.hrtime.bigint();
    const result = spawnSync(mode.command, mode.args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) {
      console.error(`${mode.name} exited with ${result.status}: ${result.stderr.toString().slice(0, 500)}`);
      process.exit(1);
    }
    times.get(mode.name).push(ms);
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const baseline = median(times.get(modes[0].name));
const compiled = median(times.get(modes[1].name));
const rows = modes.map((mode) => {
  const values = times.get(mode.name);
  const m = median(values);
  return [mode.name, `${m.toFixed(0)} ms`, `${Math.min(...values).toFixed(0)} ms`, `${(m - baseline).toFixed(0)} ms`, `${(m / compiled).toFixed(2)}×`];
});
const header = ['mode', 'median', 'best', 'above node', 'vs compiled'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
console.log(`client start-up, ${RUNS} runs each, interleaved (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
console.log(line(header));
for (const row of rows) console.log(line(row));
