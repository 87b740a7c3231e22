/**
 * The pools' key files, kept across bench runs. A pool's keys depend only on the devnet seed and
 * its number, and deriving one Sum6 KES key costs ~36 ms (≈ 2 min for 3000 pools on one core), so
 * they are derived once, in worker threads, into `<cacheRoot>/pools-<hash of the seed>/pool-<i>/`
 * and reused by every later run with the same seed (a run with fewer signers uses the first ones).
 * `Devnet.create` is not used for this: it derives every pool's keys again on each call.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePoolId, type PoolId } from '@mithril-ts/cardano';
import type { WorkerPool } from './worker-pool.js';

export interface CachedPool {
  /** 1-based, as the devnet numbers pools. */
  readonly index: number;
  readonly keysDirectory: string;
  readonly poolId: PoolId;
}

export function poolCacheDirectory(cacheRoot: string, seed: string): string {
  return join(cacheRoot, `pools-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`);
}

async function cachedPoolId(directory: string): Promise<PoolId | undefined> {
  let text: string;
  try {
    text = await readFile(join(directory, 'pool-id.txt'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const hex = text.split('\n')[1]?.trim();
  return hex === undefined || hex === '' ? undefined : parsePoolId(hex);
}

/** Pools 1..count, deriving the missing ones; `onProgress` hears how many were derived, of how many missing. */
export async function ensurePools(
  cacheRoot: string,
  seed: string,
  count: number,
  workers: WorkerPool,
  onProgress: (derived: number, missing: number) => void = () => {},
): Promise<{ pools: CachedPool[]; derived: number }> {
  const directory = poolCacheDirectory(cacheRoot, seed);
  const known = new Map<number, PoolId>();
  const missing: number[] = [];
  for (let index = 1; index <= count; index += 1) {
    const poolId = await cachedPoolId(join(directory, `pool-${index}`));
    if (poolId === undefined) missing.push(index);
    else known.set(index, poolId);
  }
  let derived = 0;
  if (missing.length > 0) {
    const chunks: number[][] = [];
    for (let start = 0; start < missing.length; start += 25) chunks.push(missing.slice(start, start + 25));
    await Promise.all(
      chunks.map(async (indexes) => {
        const ids = await workers.run({ kind: 'derive-pools', seed, directory, indexes });
        ids.forEach((hex, i) => known.set(indexes[i]!, parsePoolId(hex)));
        derived += indexes.length;
        onProgress(derived, missing.length);
      }),
    );
  }
  const pools = Array.from({ length: count }, (_, i) => ({ index: i + 1, keysDirectory: join(directory, `pool-${i + 1}`), poolId: known.get(i + 1)! }));
  return { pools, derived };
}
