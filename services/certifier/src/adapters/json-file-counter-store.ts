/**
 * Operational certificate counters in an append-only file of JSON lines (`{"pool":hex,"issue":"n"}`),
 * one line per new highest issue number; reading keeps the highest per pool. Appending keeps each
 * certification O(1) whatever the number of pools, a torn last line (crash mid-write) is ignored,
 * and the file is compacted (rewritten atomically: temporary file, then rename) when it has grown
 * to several lines per pool. Writes are serialised so concurrent certifications never interleave.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OpcertCounterStore } from '../ports.js';

const POOL = /^[0-9a-f]{56}$/;
const ISSUE = /^\d{1,20}$/;

export class JsonFileCounterStore implements OpcertCounterStore {
  private counters: Map<string, bigint> | undefined;
  private lines = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async highest(poolIdHex: string): Promise<bigint | undefined> {
    return (await this.load()).get(poolIdHex);
  }

  record(poolIdHex: string, issueNumber: bigint): Promise<void> {
    const write = this.queue.then(async () => {
      const counters = await this.load();
      const current = counters.get(poolIdHex);
      if (current !== undefined && current >= issueNumber) return; // the usual case: nothing new
      await appendFile(this.path, `${JSON.stringify({ pool: poolIdHex, issue: issueNumber.toString() })}\n`);
      counters.set(poolIdHex, issueNumber);
      this.lines += 1;
      if (this.lines > 4 * counters.size + 64) await this.compact(counters);
    });
    this.queue = write.catch(() => {});
    return write;
  }

  private async compact(counters: Map<string, bigint>): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, [...counters].map(([pool, issue]) => `${JSON.stringify({ pool, issue: issue.toString() })}\n`).join(''));
    await rename(temporary, this.path);
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
