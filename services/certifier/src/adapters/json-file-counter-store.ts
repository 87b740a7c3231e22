/**
 * Operational certificate counters in an append-only file of JSON lines (`{"pool":hex,"issue":"n"}`),
 * one line per new highest issue number; reading keeps the highest per pool. Appending keeps each
 * certification O(1) whatever the number of pools, a torn last line (crash mid-write) is ignored,
 * and the file is compacted (rewritten atomically: temporary file, then rename) when it has grown
 * to several lines per pool.
 *
 * A line is written synchronously to a descriptor kept open in append mode before the
 * certification is answered: one small write to the page cache (microseconds, where an async
 * append costs a thread-pool round trip), and no two writes can interleave. There is no fsync: a
 * power loss may forget the last counters, which only reopens the replay of an older certificate
 * that was itself valid moments before.
 */
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OpcertCounterStore } from '../ports.js';

const POOL = /^[0-9a-f]{56}$/;
const ISSUE = /^\d{1,20}$/;

export class JsonFileCounterStore implements OpcertCounterStore {
  private counters: Map<string, bigint> | undefined;
  private lines = 0;
  private fd: number | undefined;
  /** The file ends in a torn line: the next write starts a fresh one. */
  private tornTail = false;

  constructor(private readonly path: string) {}

  async highest(poolIdHex: string): Promise<bigint | undefined> {
    return (await this.load()).get(poolIdHex);
  }

  async record(poolIdHex: string, issueNumber: bigint): Promise<void> {
    const counters = await this.load();
    const current = counters.get(poolIdHex);
    if (current !== undefined && current >= issueNumber) return; // the usual case: nothing new
    this.fd ??= openSync(this.path, 'a');
    writeSync(this.fd, `${this.tornTail ? '\n' : ''}${JSON.stringify({ pool: poolIdHex, issue: issueNumber.toString() })}\n`);
    this.tornTail = false;
    counters.set(poolIdHex, issueNumber);
    this.lines += 1;
    if (this.lines > 4 * counters.size + 64) this.compact(counters);
  }

  /** Closes the file (the store reopens it on the next write). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private compact(counters: Map<string, bigint>): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, [...counters].map(([pool, issue]) => `${JSON.stringify({ pool, issue: issue.toString() })}\n`).join(''));
    this.close();
    renameSync(temporary, this.path);
    this.lines = counters.size;
  }

  private async load(): Promise<Map<string, bigint>> {
    if (this.counters !== undefined) return this.counters;
    await mkdir(dirname(this.path), { recursive: true });
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const counters = new Map<string, bigint>();
    this.tornTail = text.length > 0 && !text.endsWith('\n');
    let lines = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let entry: { pool?: unknown; issue?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // a line torn by a crash: its certification was never answered
      }
      if (typeof entry.pool !== 'string' || !POOL.test(entry.pool) || typeof entry.issue !== 'string' || !ISSUE.test(entry.issue)) {
        throw new Error(`${this.path}: corrupt counter entry ${line.slice(0, 120)}`);
      }
      const issue = BigInt(entry.issue);
      if ((counters.get(entry.pool) ?? -1n) < issue) counters.set(entry.pool, issue);
      lines += 1;
    }
    this.lines = lines;
    this.counters ??= counters;
    return this.counters;
  }
}
