import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { SecretFileError, allowInsecureKeyPermissionsSchema, readSecretFile, readSecretFileSync, type ReadSecretFileOptions } from '../src/index.js';

const posix = process.platform !== 'win32';
let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'secret-file-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

function keyFile(mode: number, content = 'secret key\n', name = 'key.skey'): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

const readers: [string, (path: string, options?: ReadSecretFileOptions) => Promise<Buffer>][] = [
  ['readSecretFile', readSecretFile],
  ['readSecretFileSync', async (path, options) => readSecretFileSync(path, options)],
];

async function refusal(read: Promise<Buffer>): Promise<SecretFileError> {
  const error = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretFileError);
  return error as SecretFileError;
}

describe.each(readers)('%s', (_name, read) => {
  it('reads an owner-only file (0600, 0400)', async () => {
    expect((await read(keyFile(0o600))).toString()).toBe('secret key\n');
    expect((await read(keyFile(0o400, 'other', 'ro.skey'))).toString()).toBe('other');
  });

  (posix ? it : it.skip)('refuses a file the group or others may read, naming the file, its mode and the fixes', async () => {
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      const path = keyFile(mode);
      const error = await refusal(read(path));
      expect(error).toMatchObject({ path, problem: 'insecure-permissions', mode });
      expect(error.message).toContain(`mode 0${mode.toString(8)}`);
      expect(error.message).toContain(`chmod 600 ${path}`);
      expect(error.message).toContain('allowInsecureKeyPermissions=true');
    }
    const hinted = await refusal(read(keyFile(0o644), { overrideHint: 'pass --allow-insecure-key-permissions' }));
    expect(hinted.message).toContain('pass --allow-insecure-key-permissions');
  });

  it('reads a group/world-readable file when told to', async () => {
    expect((await read(keyFile(0o644), { allowInsecurePermissions: true })).toString()).toBe('secret key\n');
  });

  (posix ? it : it.skip)('judges a symbolic link by its target', async () => {
    const link = join(directory, 'link.skey');
    symlinkSync(keyFile(0o644), link);
    expect(await refusal(read(link))).toMatchObject({ path: link, problem: 'insecure-permissions', mode: 0o644 });
    chmodSync(join(directory, 'key.skey'), 0o600);
    expect((await read(link)).toString()).toBe('secret key\n');
  });

  it('refuses a file larger than the cap, a directory, a FIFO, and says when the file is missing', async () => {
    expect(await refusal(read(keyFile(0o600, 'x'.repeat(65)), { maxBytes: 64 }))).toMatchObject({ problem: 'too-large' });
    expect((await read(keyFile(0o600, 'x'.repeat(64)), { maxBytes: 64 })).length).toBe(64);
    expect(await refusal(read(directory))).toMatchObject({ problem: 'not-a-file' });
    expect(await refusal(read(join(directory, 'absent.skey')))).toMatchObject({ problem: 'missing' });
    if (posix) {
      const fifo = join(directory, 'fifo.skey');
      execFileSync('mkfifo', ['-m', '600', fifo]);
      expect(await refusal(read(fifo))).toMatchObject({ problem: 'not-a-file' });
    }
  });
});

describe('allowInsecureKeyPermissions setting', () => {
  const schema = z.object({ allowInsecureKeyPermissions: allowInsecureKeyPermissionsSchema });
  it('is false by default and takes exactly true or false', () => {
    expect(schema.parse({}).allowInsecureKeyPermissions).toBe(false);
    expect(schema.parse({ allowInsecureKeyPermissions: 'true' }).allowInsecureKeyPermissions).toBe(true);
    expect(schema.parse({ allowInsecureKeyPermissions: 'false' }).allowInsecureKeyPermissions).toBe(false);
    expect(schema.parse({ allowInsecureKeyPermissions: true }).allowInsecureKeyPermissions).toBe(true);
    for (const value of ['1', 'yes', 'TRUE', '', 'false ', 0]) expect(schema.safeParse({ allowInsecureKeyPermissions: value }).success).toBe(false);
  });
});
