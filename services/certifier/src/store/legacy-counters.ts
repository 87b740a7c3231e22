/**
 * The upgrade path from the certifier's former counter file (`counterStorePath`: JSON lines
 * `{"pool":hex,"issue":"n"}`, the last one per pool the highest): its counters are raised into the
 * store once, then the file is renamed `<file>.imported` so later starts skip it. Raising never
 * lowers a counter, so an import repeated (a crash before the rename, two replicas starting on the
 * same file) changes nothing.
 */
import { readFile, rename } from 'node:fs/promises';
import type { Logger } from '@mithril-ts/service-kit';
import type { OpcertCounterStore } from '../ports.js';

const POOL = /^[0-9a-f]{56}$/;
const ISSUE = /^\d{1,20}$/;

/** The highest issue number per pool the file records. A torn line (a crash mid-write) is skipped; a malformed entry is an error. */
export function parseLegacyCounters(text: string, path: string): Map<string, bigint> {
  const counters = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: { pool?: unknown; issue?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // its certification was never answered
    }
    if (typeof entry.pool !== 'string' || !POOL.test(entry.pool) || typeof entry.issue !== 'string' || !ISSUE.test(entry.issue)) {
      throw new Error(`${path}: corrupt counter entry ${line.slice(0, 120)}`);
    }
    const issue = BigInt(entry.issue);
    if ((counters.get(entry.pool) ?? -1n) < issue) counters.set(entry.pool, issue);
  }
  return counters;
}

/** Imports the file at `path` if there is one; returns how many pools it held (0 when there was no file). */
export async function importLegacyCounters(path: string, store: Pick<OpcertCounterStore, 'raise'>, logger: Logger): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const counters = parseLegacyCounters(text, path);
  for (const [pool, issue] of counters) await store.raise(pool, issue);
  const renamed = `${path}.imported`;
  try {
    await rename(path, renamed);
    logger.info(
      { file: path, pools: counters.size, renamedTo: renamed },
      'imported the opcert counters of the former counter file into the store; remove the counterStorePath setting',
    );
  } catch (error) {
    // Imported all the same; the next start imports it again, harmlessly.
    logger.warn({ file: path, pools: counters.size, err: error }, 'imported the opcert counters of the former counter file, but could not rename it');
  }
  return counters.size;
}
