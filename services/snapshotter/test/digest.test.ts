/** The digest with its per-file cache: the root rule, each cache adapter, and incremental re-digests. */
import { readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cardanoDatabaseMerkleRoot } from '@mithril-ts/cardano';
import { CachedImmutableDigester, JsonFileDigestCache, MemoryDigestCache, SnapshotterError, openSnapshotStore, type DigestCache } from '../src/index.js';
import { expectedFiles, expectedRoot, fileName, immutableDb, rejection, removeTempDirs, tempDir, writeTrio } from './fixture.js';

afterAll(removeTempDirs);

/** Records what the digester asks of the cache port. */
class RecordingCache implements DigestCache {
  readonly puts: string[][] = [];
  readonly gets: string[][] = [];
  constructor(private readonly inner: DigestCache) {}
  async get(names: readonly string[]) {
    this.gets.push([...names]);
    return this.inner.get(names);
  }
  async put(entries: ReadonlyMap<string, string>) {
    this.puts.push([...entries.keys()].sort());
    return this.inner.put(entries);
  }
}

const adapters: [string, () => Promise<{ cache: DigestCache; reopen: () => Promise<DigestCache>; close: () => Promise<void> }>][] = [
  [
    'memory',
    async () => {
      const cache = new MemoryDigestCache();
      return { cache, reopen: async () => cache, close: async () => {} };
    },
  ],
  [
    'JSON file',
    async () => {
      const path = join(tempDir('cache'), 'nested', 'digests.json');
      return { cache: new JsonFileDigestCache(path), reopen: async () => new JsonFileDigestCache(path), close: async () => {} };
    },
  ],
  [
    'SQLite (Prisma)',
    async () => {
      const path = join(tempDir('cache'), 'store.sqlite3');
      const opened = [await openSnapshotStore({ url: path })];
      return {
        cache: opened[0]!.store.digestCache(),
        reopen: async () => {
          await opened[0]!.close();
          opened[0] = await openSnapshotStore({ url: path });
          return opened[0].store.digestCache();
        },
        close: () => opened[0]!.close(),
      };
    },
  ],
];

describe.each(adapters)('digest cache: %s', (_, make) => {
  it('digests as the Merkle root of the files’ SHA-256, and re-digests after a new immutable file by hashing only its trio', async () => {
    const { cache, reopen, close } = await make();
    try {
      const directory = immutableDb(3); // 00003 is still being written
      const recording = new RecordingCache(cache);
      const digester = new CachedImmutableDigester(directory, recording);

      const first = await digester.digest(2n);
      expect(first.merkleRoot).toBe(expectedRoot(2));
      expect(first.files).toEqual(expectedFiles(2));
      expect(recording.puts).toEqual([expectedFiles(2).map((f) => f.immutableFileName)]);

      // Trio 3 becomes final (4 starts). An old file's bytes replaced behind the digester's back
      // prove the cached digests are used rather than the files re-read.
      writeTrio(directory, 4);
      writeFileSync(join(directory, fileName(0, 'chunk')), 'tampered');
      const second = await digester.digest(3n);
      expect(second.merkleRoot).toBe(expectedRoot(3));
      expect(recording.puts[1]).toEqual(['00003.chunk', '00003.primary', '00003.secondary']);

      // Nothing new: nothing is hashed or written.
      expect((await digester.digest(3n)).merkleRoot).toBe(expectedRoot(3));
      expect(recording.puts).toHaveLength(2);

      // The cache survives a reopening (memory: the same process).
      const again = new RecordingCache(await reopen());
      expect((await new CachedImmutableDigester(directory, again).digest(3n)).merkleRoot).toBe(expectedRoot(3));
      expect(again.puts).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('CachedImmutableDigester', () => {
  it('refuses the chunk still being written, a gap and a bad number with typed errors', async () => {
    const directory = immutableDb(2);
    const digester = new CachedImmutableDigester(directory, new MemoryDigestCache());
    expect(await digester.latestImmutableFileNumber()).toBe(1n);
    expect(await rejection(digester.digest(2n))).toMatchObject({ code: 'NOT_READY' });
    expect(await rejection(digester.digest(-1n))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const gap = immutableDb(3);
    (await import('node:fs')).rmSync(join(gap, fileName(1, 'primary')));
    const error = await rejection(new CachedImmutableDigester(gap, new MemoryDigestCache()).digest(2n));
    expect(error).toBeInstanceOf(SnapshotterError);
    expect(error).toMatchObject({ code: 'NOT_READY' });
    expect(error.message).toContain('00001.primary');
  });

  it('asks the cache for the files that exist up to the number only, and digests a database starting later', async () => {
    const directory = immutableDb(4);
    for (const n of [0, 1]) for (const ext of ['chunk', 'primary', 'secondary']) rmSync(join(directory, fileName(n, ext)));
    const recording = new RecordingCache(new MemoryDigestCache());
    const digester = new CachedImmutableDigester(directory, recording);
    const files = expectedFiles(3).filter((file) => file.immutableFileName >= '00002');
    const digest = await digester.digest(3n);
    expect(digest).toEqual({ merkleRoot: cardanoDatabaseMerkleRoot(files.map((file) => file.digest)), files });
    expect(recording.gets).toEqual([files.map((file) => file.immutableFileName)]);
    expect(recording.puts).toEqual([files.map((file) => file.immutableFileName)]);
    expect(await rejection(digester.digest(1n))).toMatchObject({ code: 'NOT_READY' });
    expect(await rejection(digester.digest((1n << 64n) - 1n))).toMatchObject({ code: 'NOT_READY' });
    expect(recording.gets).toHaveLength(1); // a refused digest reads no cache
  });
});

describe('JsonFileDigestCache', () => {
  it('writes the reference’s {file name: digest} shape atomically, leaving no temporary file', async () => {
    const directory = tempDir('json');
    const path = join(directory, 'digests.json');
    const cache = new JsonFileDigestCache(path);
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    await Promise.all([cache.put(new Map([['00001.chunk', a]])), cache.put(new Map([['00000.chunk', b]]))]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ '00000.chunk': b, '00001.chunk': a });
    expect(readdirSync(directory)).toEqual(['digests.json']);
    expect(await new JsonFileDigestCache(path).get(['00000.chunk', '00002.chunk'])).toEqual(new Map([['00000.chunk', b]]));
    await expect(cache.put(new Map([['../x', a]]))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('reports a corrupt cache file clearly', async () => {
    const path = join(tempDir('json'), 'digests.json');
    writeFileSync(path, '{"00000.chunk": "not a digest"}');
    const error = await rejection(new JsonFileDigestCache(path).get(['00000.chunk']));
    expect(error).toMatchObject({ code: 'STORE_FAILED' });
    expect(error.message).toContain(path);
    writeFileSync(path, '[1,');
    expect(await rejection(new JsonFileDigestCache(path).get([]))).toMatchObject({ code: 'STORE_FAILED' });
  });
});

describe('PrismaDigestCache', () => {
  it('reads the table once, refuses a corrupt row and a closed store with typed errors', async () => {
    const path = join(tempDir('sqlite'), 'store.sqlite3');
    const a = 'a'.repeat(64);
    let opened = await openSnapshotStore({ url: path });
    try {
      await opened.store.digestCache().put(new Map([['00000.chunk', a]]));
      expect(opened.store.digestCache()).toBe(opened.store.digestCache());
      expect(await opened.store.digestCache().get(['00000.chunk', '00001.chunk'])).toEqual(new Map([['00000.chunk', a]]));
      await expect(opened.store.digestCache().put(new Map([['00000.chunk', 'A'.repeat(64)]]))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await opened.close();
    }
    await expect(opened.store.digestCache().get(['00000.chunk'])).rejects.toMatchObject({ code: 'STORE_FAILED' });

    // A row written behind the store's back that is not a digest is reported, not used.
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    db.prepare('INSERT INTO immutable_file_digest (file_name, digest) VALUES (?, ?)').run('00001.chunk', 'not a digest');
    db.close();
    opened = await openSnapshotStore({ url: path });
    try {
      const error = await rejection(opened.store.digestCache().get(['00000.chunk']));
      expect(error).toMatchObject({ code: 'STORE_FAILED' });
      expect(error.message).toContain('00001.chunk');
    } finally {
      await opened.close();
    }
  });
});
