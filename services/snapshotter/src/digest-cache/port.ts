/**
 * The per-file digest cache: the SHA-256 of each final immutable file, by file name. Immutable
 * files never change once final, so a digest computed once is valid forever and a re-digest after
 * a new immutable file only has to hash that file's trio. Adapters: in memory, SQLite (the
 * snapshotter store) and a JSON file (the reference's cache file shape).
 */
export interface DigestCache {
  /** The cached digests of those of `names` that are known (unknown names are simply absent). */
  get(names: readonly string[]): Promise<Map<string, string>>;
  /** Records the digests of final immutable files (a name already cached keeps one entry). */
  put(entries: ReadonlyMap<string, string>): Promise<void>;
}

export const FILE_DIGEST_HEX = /^[0-9a-f]{64}$/;
