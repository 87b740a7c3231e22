/** Runs the client in-process, capturing what it prints. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/index.js';

/** One JSON line of the client's output, probed field by field by the tests (whose assertions check the shapes). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type JsonEvent = Record<string, any>;

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout's JSON lines (in --json mode). */
  readonly events: JsonEvent[];
}

export async function run(args: readonly string[], options: { env?: Record<string, string>; isTTY?: boolean; signal?: AbortSignal } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: options.isTTY ?? false },
    env: options.env ?? {},
    signal: options.signal,
  });
  const events = args.includes('--json')
    ? stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as JsonEvent)
    : [];
  return { code, stdout, stderr, events };
}

/**
 * Every file under `directory` (relative paths) with its size and SHA-256, for byte-for-byte
 * comparisons (jest's deep equality walks Buffers element by element, far too slowly for
 * megabytes).
 */
export function tree(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string) => {
    for (const name of readdirSync(join(directory, relative))) {
      const path = join(relative, name);
      if (statSync(join(directory, path)).isDirectory()) walk(path);
      else {
        const bytes = readFileSync(join(directory, path));
        files.set(path, `${bytes.length}:${createHash('sha256').update(bytes).digest('hex')}`);
      }
    }
  };
  walk('');
  return files;
}
