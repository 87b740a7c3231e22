/**
 * The benches' printed table (markdown): each measurement with its figure, the baseline measured
 * in the same run, their ratio and the target with PASS/MISS; plus what the machine was doing.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

interface Row {
  readonly what: string;
  readonly figure: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: boolean | undefined;
}

export class Report {
  readonly #rows: (Row | { readonly section: string })[] = [];

  section(title: string): void {
    this.#rows.push({ section: title });
  }

  row(what: string, figure: string, options: { baseline?: string; ratio?: string; target?: string; met?: boolean } = {}): void {
    this.#rows.push({ what, figure, baseline: options.baseline ?? '', ratio: options.ratio ?? '', target: options.target ?? '', met: options.met });
  }

  get allMet(): boolean {
    return this.#rows.every((row) => !('met' in row) || row.met !== false);
  }

  render(title: string): string {
    const lines = [`\n${title}\n`, '| measurement | figure | baseline (same run) | ratio | target | status |', '|---|---|---|---|---|---|'];
    for (const row of this.#rows) {
      if ('section' in row) lines.push(`| **${row.section}** | | | | | |`);
      else
        lines.push(
          `| ${row.what} | ${row.figure} | ${row.baseline} | ${row.ratio} | ${row.target} | ${row.met === undefined ? '' : row.met ? 'PASS' : 'MISS'} |`,
        );
    }
    return lines.join('\n');
  }
}

export function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

export function throughput(bytes: number, secondsTaken: number): string {
  return `${(bytes / (1024 * 1024) / secondsTaken).toFixed(0)} MiB/s`;
}

export function gibibytes(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * Empties the kernel's page cache so the next read comes from the disk (root only, and only where
 * the kernel lets this process write /proc/sys/vm/drop_caches); false when not permitted.
 */
export async function dropPageCache(): Promise<boolean> {
  await new Promise<void>((resolve, reject) =>
    spawn('sync', { stdio: 'ignore' })
      .on('error', reject)
      .on('close', () => resolve()),
  );
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  } catch {
    return false;
  }
  // The kernel is still busy with the freed memory for a moment (seen here: a 35 ms read started
  // at once took 50 ms); every timed run starts after the same pause.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return true;
}

/** Share of the machine's CPU time used over `ms` (all processes, this one included). */
export async function machineBusyShare(ms = 1000): Promise<number> {
  const sample = () => {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { idle, total: fields.reduce((sum, value) => sum + value, 0) };
  };
  const before = sample();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = sample();
  const total = after.total - before.total;
  return total === 0 ? 0 : 1 - (after.idle - before.idle) / total;
}

/** "2 cores, 3 % busy before measuring" — heavy neighbours make every figure meaningless. */
export async function machineLine(): Promise<string> {
  const busy = await machineBusyShare();
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(busy * 100).toFixed(0)} % busy just before measuring, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
}

/** Runs a command to completion; its stdout, and the wall-clock seconds from spawn to exit. */
export function timeCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; shell?: boolean } = {},
): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], { cwd: options.cwd, shell: options.shell ?? false, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const secondsTaken = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`${command} exited with ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 500)}`));
      else resolve({ seconds: secondsTaken, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
}

export function best(values: readonly number[]): number {
  return Math.min(...values);
}
