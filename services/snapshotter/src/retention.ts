/**
 * Which stored artifacts a retention of the last N snapshots removes. Pure: the snapshotter
 * carries the plan out (storage objects first, then their records, so a failed delete is tried
 * again at the next pruning rather than forgotten).
 *
 * - Snapshots are ranked newest first (highest immutable file number, then latest created); the
 *   first N are retained, the others removed with their full archive and digests list (unless a
 *   retained snapshot shares that object).
 * - A per-immutable archive is shared: it is kept while a retained snapshot of its compression
 *   reaches its immutable file number.
 */
import type { ImmutableArchiveRecord, SnapshotRecord } from './store/types.js';

export interface RetentionPlan {
  readonly retained: readonly SnapshotRecord[];
  readonly removedSnapshots: readonly SnapshotRecord[];
  /** Storage keys of the removed snapshots' full archives, digests lists and ancillary archives that nothing retained uses. */
  readonly removedKeys: readonly string[];
  readonly removedArchives: readonly ImmutableArchiveRecord[];
}

export function newestFirst(a: SnapshotRecord, b: SnapshotRecord): number {
  if (a.immutableFileNumber !== b.immutableFileNumber) return a.immutableFileNumber > b.immutableFileNumber ? -1 : 1;
  const byDate = b.createdAt.getTime() - a.createdAt.getTime();
  if (byDate !== 0) return byDate;
  return a.merkleRoot < b.merkleRoot ? -1 : a.merkleRoot > b.merkleRoot ? 1 : 0;
}

/** The storage objects a snapshot owns (per-immutable archives are shared, planned apart). */
export function ownKeys(snapshot: SnapshotRecord): string[] {
  return [snapshot.fullArchiveKey, snapshot.digestsKey, ...(snapshot.ancillary === undefined ? [] : [snapshot.ancillary.key])];
}

export function planRetention(snapshots: readonly SnapshotRecord[], archives: readonly ImmutableArchiveRecord[], keepSnapshots: number): RetentionPlan {
  if (!Number.isSafeInteger(keepSnapshots) || keepSnapshots < 1)
    throw new RangeError(`the number of snapshots to keep must be a positive integer, got ${keepSnapshots}`);
  const ranked = [...snapshots].sort(newestFirst);
  const retained = ranked.slice(0, keepSnapshots);
  const removedSnapshots = ranked.slice(keepSnapshots);
  const keptKeys = new Set(retained.flatMap(ownKeys));
  const removedKeys = [...new Set(removedSnapshots.flatMap(ownKeys))].filter((key) => !keptKeys.has(key));
  const reach = new Map<string, bigint>();
  for (const snapshot of retained) {
    const current = reach.get(snapshot.compression);
    if (current === undefined || snapshot.immutableFileNumber > current) reach.set(snapshot.compression, snapshot.immutableFileNumber);
  }
  const removedArchives = archives.filter((archive) => {
    const needed = reach.get(archive.compression);
    return needed === undefined || archive.immutableFileNumber > needed;
  });
  return { retained, removedSnapshots, removedKeys, removedArchives };
}
