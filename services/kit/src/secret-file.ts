/**
 * Reading a secret key file (a genesis secret key, a KES key, a TLS private key): it must be
 * readable by its owner only, as ssh does for its keys, and it is small.
 *
 * What the permission check covers: a key that another local user (or any process running under
 * another account: a web server, a backup agent) can read is as good as leaked, and the operator
 * is told before the service uses it. What it does not cover: ACLs, the permissions of the
 * directories on the way, or root; it is the warning light, not the lock.
 *
 * The file is opened once and everything is checked on the open descriptor (fstat, then a bounded
 * read): the file checked is the file read, even if the path is replaced in between, and a
 * symbolic link is judged by its target (what is actually read). It is opened non-blocking, so a
 * FIFO put in its place is refused instead of hanging the start-up.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { strictBoolean } from './config.js';

/** Key files are at most a few kilobytes (a KES Sum6 envelope is the largest, ~1.3 kB). */
export const DEFAULT_MAX_SECRET_FILE_BYTES = 64 * 1024;

/** The setting of every service that reads a secret key file. */
const ALLOW_INSECURE_KEY_PERMISSIONS_SETTING = 'allowInsecureKeyPermissions';

/** `missing`: there is no file at the path (callers that create the key when it is absent look for it). */
export type SecretFileProblem = 'missing' | 'unreadable' | 'not-a-file' | 'insecure-permissions' | 'too-large';

export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';

  constructor(
    readonly path: string,
    readonly problem: SecretFileProblem,
    message: string,
    /** The file's permission bits, when they were read. */
    readonly mode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ReadSecretFileOptions {
  /** Accept a file that the group or others may read or write (default false). */
  readonly allowInsecurePermissions?: boolean;
  readonly maxBytes?: number;
  /** How the operator says "accept it anyway", for the error message (default: the service setting). */
  readonly overrideHint?: string;
}

/** `allowInsecureKeyPermissions`: a strict boolean (config.ts), false by default. */
export const allowInsecureKeyPermissionsSchema = strictBoolean.default(false);

export const ALLOW_INSECURE_KEY_PERMISSIONS_DESCRIPTION = 'accept secret key files readable by group or others (true|false, default false)';

const DEFAULT_OVERRIDE_HINT = `set ${ALLOW_INSECURE_KEY_PERMISSIONS_SETTING}=true to accept it`;

// O_NONBLOCK does not exist on Windows (and is not needed there: no FIFO can sit at a file path).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The secret file's bytes, after the checks above. */
export function readSecretFileSync(path: string, options: ReadSecretFileOptions = {}): Buffer {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SECRET_FILE_BYTES;
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw unreadable(path, error);
  }
  let buffer: Buffer | undefined;
  try {
    let stats: Stats;
    try {
      stats = fstatSync(fd);
    } catch (error) {
      throw unreadable(path, error);
    }
    check(path, stats, maxBytes, options);
    buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (error) {
        throw unreadable(path, error);
      }
      if (read === 0) break;
      length += read;
      if (length > maxBytes) throw tooLarge(path, maxBytes);
    }
    return Buffer.from(buffer.subarray(0, length));
  } finally {
    buffer?.fill(0); // the read buffer's copy of the key
    closeSync(fd);
  }
}

/** As readSecretFileSync, without blocking the event loop (keys re-read while serving). */
export async function readSecretFile(path: string, options: ReadSecretFileOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SECRET_FILE_BYTES;
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw unreadable(path, error);
  }
  let buffer: Buffer | undefined;
  try {
    let stats: Stats;
    try {
      stats = await handle.stat();
    } catch (error) {
      throw unreadable(path, error);
    }
    check(path, stats, maxBytes, options);
    buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      let read: number;
      try {
        ({ bytesRead: read } = await handle.read(buffer, length, buffer.length - length, null));
      } catch (error) {
        throw unreadable(path, error);
      }
      if (read === 0) break;
      length += read;
      if (length > maxBytes) throw tooLarge(path, maxBytes);
    }
    return Buffer.from(buffer.subarray(0, length));
  } finally {
    buffer?.fill(0); // the read buffer's copy of the key
    await handle.close();
  }
}

function check(path: string, stats: Stats, maxBytes: number, options: ReadSecretFileOptions): void {
  if (!stats.isFile()) throw new SecretFileError(path, 'not-a-file', `secret key file ${path} is not a regular file`);
  // The size is checked again while reading (the file may grow in between); this refuses early.
  if (stats.size > maxBytes) throw tooLarge(path, maxBytes);
  // Windows: the POSIX permission bits node reports there are synthesised from the read-only
  // attribute and say nothing about who may read the file (that is in ACLs), so there is nothing to check.
  if (process.platform === 'win32' || options.allowInsecurePermissions === true) return;
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SecretFileError(
      path,
      'insecure-permissions',
      `secret key file ${path} has mode ${octal(mode)}: group or others may access it; run \`chmod 600 ${path}\`, or ${options.overrideHint ?? DEFAULT_OVERRIDE_HINT}`,
      mode,
    );
  }
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

function unreadable(path: string, error: unknown): SecretFileError {
  const problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  return new SecretFileError(path, problem, `cannot read secret key file ${path}: ${(error as Error).message}`, undefined, { cause: error });
}

function tooLarge(path: string, maxBytes: number): SecretFileError {
  return new SecretFileError(path, 'too-large', `${path} is larger than ${maxBytes} bytes: not a secret key file`);
}
