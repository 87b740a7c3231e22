import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cardanoDatabaseMerkleRoot } from '@mithril-ts/cardano';
import { ImmutableDbDigester, ImmutableDbError } from '../src/index.js';

const EXTENSIONS = ['chunk', 'primary', 'secondary'] as const;
const name = (n: number, extension: string): string => `${String(n).padStart(5, '0')}.${extension}`;
const content = (file: string): string => `bytes of ${file}`.repeat(50);
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const created: string[] = [];
afterAll(() => {
  for (const directory of created) rmSync(directory, { recursive: true, force: true });
});

function immutableDir(): string {
  const directory = mkdtempSync(join(tmpdir(), 'immutable-'));
  created.push(directory);
  return directory;
}

function writeTrio(directory: string, n: number, extensions: readonly string[] = EXTENSIONS): void {
  for (const extension of extensions) writeFileSync(join(directory, name(n, extension)), content(name(n, extension)));
}

/** The expected root, computed from the file contents this test wrote. */
function expectedRoot(upTo: number): string {
  const digests: string[] = [];
  for (let n = 0; n <= upTo; n += 1) for (const extension of EXTENSIONS) digests.push(sha256(content(name(n, extension))));
  return cardanoDatabaseMerkleRoot(digests);
}

async function rejection(promise: Promise<unknown>): Promise<ImmutableDbError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImmutableDbError);
  return error as ImmutableDbError;
}

describe('ImmutableDbDigester', () => {
  it('digests the files up to a number as the Merkle root of their SHA-256, ignoring other files', async () => {
    const directory = immutableDir();
    for (let n = 0; n <= 4; n += 1) writeTrio(directory, n); // 00004 is the open chunk
    writeFileSync(join(directory, 'clean'), 'x');
    writeFileSync(join(directory, `.${name(5, 'chunk')}.123.tmp`), 'x');
    mkdirSync(join(directory, 'sub'));
    const digester = new ImmutableDbDigester(directory);
    expect(await digester.cardanoDatabaseMerkleRoot(3n)).toBe(expectedRoot(3));
    expect(await digester.cardanoDatabaseMerkleRoot(0n)).toBe(expectedRoot(0));
    expect(expectedRoot(3)).not.toBe(expectedRoot(2));
  });

  it('hashes files of several read blocks, whole blocks, an empty file, and many files at once, as one SHA-256 each', async () => {
    const MIB = 1024 * 1024;
    const directory = immutableDir();
    const sizes = [3 * MIB, 2.5 * MIB + 7, 0, MIB - 1, MIB, MIB + 1];
    const digests: string[] = [];
    for (let n = 0; n < sizes.length; n += 1) {
      for (const extension of EXTENSIONS) {
        const bytes = Buffer.alloc(sizes[n] as number);
        for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (n * 31 + i / 4096 + extension.length) & 0xff;
        writeFileSync(join(directory, name(n, extension)), bytes);
        digests.push(createHash('sha256').update(bytes).digest('hex'));
      }
    }
    writeTrio(directory, sizes.length); // the open chunk
    const upTo = BigInt(sizes.length - 1);
    // Twice, concurrently: the pooled read buffers must never be shared by two files.
    const roots = await Promise.all([
      new ImmutableDbDigester(directory).cardanoDatabaseMerkleRoot(upTo),
      new ImmutableDbDigester(directory).cardanoDatabaseMerkleRoot(upTo),
    ]);
    expect(roots).toEqual([cardanoDatabaseMerkleRoot(digests), cardanoDatabaseMerkleRoot(digests)]);
  });

  it('hashes each final file once: a re-digest after a new chunk reads only the new files', async () => {
    const directory = immutableDir();
    for (let n = 0; n <= 2; n += 1) writeTrio(directory, n);
    const cache = new Map<string, string>();
    const digester = new ImmutableDbDigester(directory, { cache });
    const first = await digester.cardanoDatabaseMerkleRoot(1n);
    expect(first).toBe(expectedRoot(1));
    expect([...cache.keys()].sort()).toEqual(['00000', '00001'].flatMap((n) => EXTENSIONS.map((e) => `${n}.${e}`)));
    expect(cache.get('00001.primary')).toBe(sha256(content('00001.primary')));

    // An old file's bytes replaced behind the digester's back: the cached digest is used.
    writeFileSync(join(directory, name(0, 'chunk')), 'tampered');
    writeTrio(directory, 3);
    expect(await digester.cardanoDatabaseMerkleRoot(1n)).toBe(first);
    expect(await digester.cardanoDatabaseMerkleRoot(2n)).toBe(expectedRoot(2));
    expect(cache.size).toBe(9);
    // A digester without that cache does read the replaced file.
    expect(await new ImmutableDbDigester(directory).cardanoDatabaseMerkleRoot(2n)).not.toBe(expectedRoot(2));
  });

  it('reports a missing file, the open chunk and bad numbers with typed errors', async () => {
    const directory = immutableDir();
    writeTrio(directory, 0);
    writeTrio(directory, 1, ['chunk', 'secondary']);
    writeTrio(directory, 2);
    writeTrio(directory, 3);
    const digester = new ImmutableDbDigester(directory);
    const missing = await rejection(digester.cardanoDatabaseMerkleRoot(2n));
    expect(missing.code).toBe('MISSING_FILE');
    expect(missing.message).toMatch(/00001\.primary is missing/);
    expect(await digester.cardanoDatabaseMerkleRoot(0n)).toBe(expectedRoot(0));
    const open = await rejection(digester.cardanoDatabaseMerkleRoot(3n));
    expect(open.code).toBe('NOT_YET_IMMUTABLE');
    expect((await rejection(digester.cardanoDatabaseMerkleRoot(1000n))).code).toBe('NOT_YET_IMMUTABLE');
    expect((await rejection(digester.cardanoDatabaseMerkleRoot(-1n))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(digester.cardanoDatabaseMerkleRoot(1 as unknown as bigint))).code).toBe('INVALID_ARGUMENT');
    rmSync(join(directory, name(0, 'primary')));
    expect((await rejection(digester.cardanoDatabaseMerkleRoot(0n))).code).toBe('MISSING_FILE');
    const absent = new ImmutableDbDigester(join(directory, 'absent'));
    expect((await rejection(absent.cardanoDatabaseMerkleRoot(0n))).code).toBe('MISSING_FILE');
  });

  it('digests the trios that exist up to the number: a database starting at 00003 gives the root of exactly its files', async () => {
    const directory = immutableDir();
    for (const n of [3, 4, 5, 7, 8]) writeTrio(directory, n); // 00008 is the open chunk; 00006 was never there
    const digester = new ImmutableDbDigester(directory);
    const rootOf = (numbers: readonly number[]): string =>
      cardanoDatabaseMerkleRoot(numbers.flatMap((n) => EXTENSIONS.map((extension) => sha256(content(name(n, extension))))));
    expect(await digester.latestImmutableFileNumber()).toBe(7n);
    expect(await digester.cardanoDatabaseMerkleRoot(3n)).toBe(rootOf([3]));
    expect(await digester.cardanoDatabaseMerkleRoot(5n)).toBe(rootOf([3, 4, 5]));
    expect(await digester.cardanoDatabaseMerkleRoot(7n)).toBe(rootOf([3, 4, 5, 7]));
    expect(await digester.immutableFileDigests(4n)).toEqual(
      [3, 4].flatMap((n) => EXTENSIONS.map((extension) => ({ immutableFileName: name(n, extension), digest: sha256(content(name(n, extension))) }))),
    );
    // The number itself must be there (the reference's NotEnoughImmutable), before or inside the range.
    const absent = await rejection(digester.cardanoDatabaseMerkleRoot(6n));
    expect(absent.code).toBe('MISSING_FILE');
    expect(absent.message).toMatch(/00006\.chunk is missing/);
    expect((await rejection(digester.cardanoDatabaseMerkleRoot(1n))).message).toMatch(/00001\.chunk is missing/);
    expect((await rejection(digester.cardanoDatabaseMerkleRoot(8n))).code).toBe('NOT_YET_IMMUTABLE');
    // A trio with only some of its files is still refused, naming the missing file.
    rmSync(join(directory, name(4, 'secondary')));
    const partial = await rejection(new ImmutableDbDigester(directory).cardanoDatabaseMerkleRoot(5n));
    expect(partial.code).toBe('MISSING_FILE');
    expect(partial.message).toMatch(/00004\.secondary is missing/);
    expect(await new ImmutableDbDigester(directory).cardanoDatabaseMerkleRoot(3n)).toBe(rootOf([3]));
  });

  it('answers a number far beyond the tip from the files on disk (no name built per number)', async () => {
    const directory = immutableDir();
    for (let n = 0; n <= 2; n += 1) writeTrio(directory, n);
    const digester = new ImmutableDbDigester(directory);
    const started = Date.now();
    expect((await rejection(digester.cardanoDatabaseMerkleRoot((1n << 64n) - 1n))).code).toBe('NOT_YET_IMMUTABLE');
    expect((await rejection(digester.cardanoDatabaseMerkleRoot(1n << 80n))).code).toBe('NOT_YET_IMMUTABLE');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('takes digests known elsewhere for the files it covers, and reads only the others', async () => {
    const directory = immutableDir();
    for (let n = 0; n <= 2; n += 1) writeTrio(directory, n);
    writeFileSync(join(directory, name(0, 'chunk')), 'not what the known digest says');
    const asked: string[][] = [];
    const known = new Map([[name(0, 'chunk'), sha256(content(name(0, 'chunk')))]]);
    const files = await new ImmutableDbDigester(directory).immutableFileDigests(1n, {
      knownDigests: async (names) => {
        asked.push([...names]);
        return known;
      },
    });
    expect(asked).toEqual([[0, 1].flatMap((n) => EXTENSIONS.map((extension) => name(n, extension)))]);
    expect(cardanoDatabaseMerkleRoot(files.map((file) => file.digest))).toBe(expectedRoot(1));
  });

  it('gives the latest final trio: below the chunk still being written, skipping incomplete trios', async () => {
    const directory = immutableDir();
    const digester = new ImmutableDbDigester(directory);
    expect(await digester.latestImmutableFileNumber()).toBeUndefined();
    expect(await new ImmutableDbDigester(join(directory, 'absent')).latestImmutableFileNumber()).toBeUndefined();
    writeTrio(directory, 0);
    expect(await digester.latestImmutableFileNumber()).toBeUndefined(); // 00000 is the open chunk
    writeTrio(directory, 1, ['chunk']); // the next chunk has started: 00000 is final
    expect(await digester.latestImmutableFileNumber()).toBe(0n);
    writeTrio(directory, 1);
    writeTrio(directory, 2, ['chunk', 'primary']);
    expect(await digester.latestImmutableFileNumber()).toBe(1n);
    writeTrio(directory, 3);
    expect(await digester.latestImmutableFileNumber()).toBe(1n); // 00002 lacks its .secondary
    writeTrio(directory, 2);
    expect(await digester.latestImmutableFileNumber()).toBe(2n);
    writeFileSync(join(directory, '123456.chunk'), 'x'); // more than five digits is still a name
    expect(await digester.latestImmutableFileNumber()).toBe(3n);
  });
});
