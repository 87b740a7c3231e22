/**
 * What the client prints. Human mode: results on stdout, steps and progress bars (cli-progress,
 * only on a TTY) on stderr. JSON mode (`--json`, for wallets and scripts embedding the client):
 * one JSON object per line on stdout — `step`, `progress`, then one `result` or one `error` —
 * with u64 values as exact JSON integers.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { stringifyJson } from '@mithril-ts/codec';
import type { CliError } from './errors.js';
import type { Fetch } from './http.js';
import type { RestoreEvents, RestorePhase } from './restore/restore.js';

export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** For tests and embedding: the fetch to use, and a signal that cancels the command. */
  readonly fetch?: Fetch;
  readonly signal?: AbortSignal;
}

/** JSON without undefined fields (absent means absent), bigints exact. */
export function jsonLine(value: unknown): string {
  return `${stringifyJson(withoutUndefined(value))}\n`;
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  );
}

/** JSON progress events are emitted per completed unit and at most once per this many bytes. */
const PROGRESS_BYTES_STEP = 4 * 1024 * 1024;

export class Output {
  private bars: MultiBar | undefined;
  private readonly bar = new Map<string, SingleBar>();
  private lastProgress = new Map<string, { done: number; bytes: number }>();

  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  private get interactive(): boolean {
    return !this.json && this.io.stderr.isTTY === true;
  }

  /** A line for the human reader (stderr), or a `step` event. */
  step(phase: string, message: string): void {
    if (this.json) {
      this.io.stdout.write(jsonLine({ type: 'step', phase, message }));
    } else if (this.bars) {
      this.bars.log(`${message}\n`);
    } else {
      this.io.stderr.write(`${message}\n`);
    }
  }

  progress(phase: string, done: number, total: number, bytes: number): void {
    if (this.json) {
      const last = this.lastProgress.get(phase);
      if (last !== undefined && last.done === done && bytes - last.bytes < PROGRESS_BYTES_STEP && done !== total) return;
      this.lastProgress.set(phase, { done, bytes });
      this.io.stdout.write(jsonLine({ type: 'progress', phase, done, total, bytes }));
      return;
    }
    if (!this.interactive) return;
    this.bars ??= new MultiBar(
      {
        stream: this.io.stderr as unknown as NodeJS.WritableStream,
        format: ' {phase} |{bar}| {value}/{total} {unit}  {size}',
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
    const payload = { phase: phase.padEnd(11), unit: phase === 'download' ? 'archives' : 'numbers', size: bytes > 0 ? formatBytes(bytes) : '' };
    const bar = this.bar.get(phase);
    if (bar === undefined) this.bar.set(phase, this.bars.create(total, done, payload));
    else bar.update(done, payload);
  }

  /** The adapter a restore reports through. */
  restoreEvents(): RestoreEvents {
    return {
      step: (phase: RestorePhase, message: string) => this.step(phase, message),
      progress: (phase, done, total, bytes) => this.progress(phase, done, total, bytes),
    };
  }

  private stopBars(): void {
    this.bars?.stop();
    this.bars = undefined;
    this.bar.clear();
  }

  /** The command's outcome: `data` as a `result` event, or `human` text on stdout. */
  result(command: string, data: unknown, human: string): void {
    this.stopBars();
    if (this.json) this.io.stdout.write(jsonLine({ type: 'result', command, data }));
    else this.io.stdout.write(human.endsWith('\n') ? human : `${human}\n`);
  }

  error(error: CliError): void {
    this.stopBars();
    if (this.json) {
      this.io.stdout.write(jsonLine({ type: 'error', code: error.eventCode, reason: error.reason, exitCode: error.exitCode, message: error.message }));
    } else {
      this.io.stderr.write(`error: ${error.message}\n`);
    }
  }
}

export function formatBytes(bytes: number | bigint): string {
  const value = Number(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  let scaled = value;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${scaled.toFixed(1)} ${units[unit]}`;
}

/** A plain text table: columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
