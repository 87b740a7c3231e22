/** Streaming archives: what is stored extracts byte-identical, and its size and SHA-256 are those of the stored bytes. */
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompress } from 'zstd-napi';
import { x as extract, list } from 'tar';
import { LocalDirectoryStorage, MeasuringStream, storeArchive } from '../src/index.js';
import { contentOf, immutableDb, rejection, removeTempDirs, sha256, tempDir } from './fixture.js';

afterAll(removeTempDirs);

describe('storeArchive', () => {
  it('streams a tar.gz of the files under immutable/ that extracts byte-identical, with the stored size and SHA-256', async () => {
    const directory = immutableDb(3);
    const storage = new LocalDirectoryStorage(tempDir('storage'), 'http://example.test/artifacts');
    const files = ['00000.chunk', '00000.primary', '00000.secondary', '00001.chunk', '00001.primary', '00001.secondary'];
    const archive = await storeArchive({ directory, files, compression: 'gzip', storage, key: 'full/test.tar.gz' });

    const path = storage.pathOf('full/test.tar.gz');
    const stored = readFileSync(path);
    expect(archive).toEqual({ size: stored.length, sha256: sha256(stored) });
    expect(stored.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip magic

    const entries: string[] = [];
    await list({ file: path, onReadEntry: (entry) => entries.push(entry.path) });
    expect(entries).toEqual(files.map((file) => `immutable/${file}`));
    const target = tempDir('extract');
    await extract({ file: path, cwd: target });
    for (const file of files) expect(readFileSync(join(target, 'immutable', file))).toEqual(contentOf(file));
    expect(readdirSync(join(target, 'immutable')).sort()).toEqual(files);
    // Nothing is left in the storage's temporary directory.
    expect(readdirSync(join(storage.root, '.partial'))).toEqual([]);
  });

  it('stores nothing when a file cannot be read, and says which', async () => {
    const directory = immutableDb(1);
    const storage = new LocalDirectoryStorage(tempDir('storage'), 'http://example.test');
    const error = await rejection(
      storeArchive({ directory, files: ['00000.chunk', '00007.chunk'], compression: 'gzip', storage, key: 'immutables/00007.tar.gz' }),
    );
    expect(error).toMatchObject({ code: 'IMMUTABLE_DB_UNREADABLE' });
    expect(error.message).toContain('00007.chunk');
    expect(existsSync(storage.pathOf('immutables/00007.tar.gz'))).toBe(false);
    expect(readdirSync(join(storage.root, '.partial'))).toEqual([]);
  });

  it('reports a file tar cannot read while the archive waits on a slow storage, and stores nothing', async () => {
    const directory = immutableDb(1);
    // Large files first: tar reaches the missing one while the compressor waits for the storage,
    // when nothing is reading tar's stream.
    const big = ['a', 'b', 'c', 'd', 'e'].map((letter) => `0000${letter}`);
    for (const name of big) writeFileSync(join(directory, name), Buffer.alloc(2 * 1024 * 1024, name));
    const local = new LocalDirectoryStorage(tempDir('storage'), 'http://example.test');
    const slow = Object.assign(Object.create(local) as LocalDirectoryStorage, {
      put: (key: string, source: AsyncIterable<Uint8Array>) =>
        local.put(
          key,
          (async function* () {
            for await (const chunk of source) {
              await new Promise((resolve) => setTimeout(resolve, 5));
              yield chunk;
            }
          })(),
        ),
    });
    const error = await rejection(
      storeArchive({ directory, files: [...big, '00009.chunk'], compression: 'gzip', storage: slow, key: 'immutables/00009.tar.gz' }),
    );
    expect(error).toMatchObject({ code: 'IMMUTABLE_DB_UNREADABLE' });
    expect(error.message).toContain('00009.chunk');
    expect(existsSync(local.pathOf('immutables/00009.tar.gz'))).toBe(false);
  });

  it('streams a tar.zst that zstd decompresses to the same tar entries, byte-identical', async () => {
    const directory = immutableDb(2);
    const storage = new LocalDirectoryStorage(tempDir('storage'), 'http://example.test');
    const files = ['00000.chunk', '00000.primary', '00000.secondary', '00001.chunk'];
    const archive = await storeArchive({ directory, files, compression: 'zstd', storage, key: 'immutables/x.tar.zst' });
    const stored = readFileSync(storage.pathOf('immutables/x.tar.zst'));
    expect(archive).toEqual({ size: stored.length, sha256: sha256(stored) });
    expect(stored.readUInt32LE(0)).toBe(0xfd2fb528); // zstd frame magic
    const target = tempDir('extract');
    await pipeline(Readable.from([decompress(stored)]), extract({ cwd: target }));
    for (const file of files) expect(readFileSync(join(target, 'immutable', file))).toEqual(contentOf(file));
    expect(readdirSync(join(target, 'immutable')).sort()).toEqual(files);
  });

  it('refuses a compression it does not know', async () => {
    const storage = new LocalDirectoryStorage(tempDir('storage'), 'http://example.test');
    await expect(
      storeArchive({ directory: immutableDb(1), files: ['00000.chunk'], compression: 'brotli' as 'gzip', storage, key: 'x.tar.br' }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_COMPRESSION' });
  });
});

describe('MeasuringStream', () => {
  it('counts and hashes what passes through unchanged', async () => {
    const measure = new MeasuringStream();
    const chunks = [Buffer.from('hello '), Buffer.from('world')];
    const out: Buffer[] = [];
    for await (const chunk of Readable.from(chunks).pipe(measure)) out.push(chunk as Buffer);
    expect(Buffer.concat(out).toString()).toBe('hello world');
    expect(measure.size).toBe(11);
    expect(measure.sha256).toBe(sha256('hello world'));
    expect(() => new MeasuringStream().sha256).toThrow(/not ended/);
  });
});

describe('LocalDirectoryStorage', () => {
  it('puts atomically, stats, reads ranges, deletes, and refuses keys leaving its directory', async () => {
    const root = tempDir('storage');
    const storage = new LocalDirectoryStorage(root, 'https://cdn.example.test/base/');
    await storage.put('a/b.json', [Buffer.from('0123456789')]);
    expect((await storage.stat('a/b.json'))?.size).toBe(10);
    expect(statSync(join(root, 'a', 'b.json')).isFile()).toBe(true);
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.read('a/b.json', { start: 2, end: 4 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('234');
    expect(await storage.stat('a/missing')).toBeUndefined();
    await expect(storage.read('a/missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await storage.delete('a/b.json');
    await storage.delete('a/b.json');
    expect(await storage.stat('a/b.json')).toBeUndefined();
    for (const key of ['../x', 'a/../../x', '/etc/passwd', '.partial/x', 'a//b', 'a\\b', '']) expect(() => storage.pathOf(key)).toThrow(/relative path/);
    expect(storage.url('immutables/{immutable_file_number}.tar.gz')).toBe('https://cdn.example.test/base/immutables/{immutable_file_number}.tar.gz');
    expect(() => storage.url('{immutable_file_number}/../x')).toThrow();
  });
});
