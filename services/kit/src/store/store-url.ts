/**
 * Where a service store lives, from its configured location:
 * - `file:PATH`, `sqlite:PATH` or `sqlite://PATH` → a SQLite file (the path is resolved; a `?…`
 *   suffix is dropped);
 * - `postgresql://…` or `postgres://…` → PostgreSQL, for stores that support it;
 * - a bare path → a SQLite file, for stores that accept one.
 */
import { resolve } from 'node:path';
import { StoreSetupError } from './errors.js';

export type ParsedStoreUrl = { readonly dialect: 'sqlite'; readonly path: string } | { readonly dialect: 'postgresql'; readonly connectionString: string };

export interface StoreUrlOptions {
  /** A location without a scheme is a SQLite file path (default false: a URL is required). */
  readonly barePath?: boolean;
  /** What the store is called in messages (default 'store'). */
  readonly storeName?: string;
}

const POSTGRES = /^postgres(ql)?:\/\//i;
const SQLITE = /^(?:file:|sqlite:(?:\/\/)?)(.*)$/i;
const ANY_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A SQLite or PostgreSQL store location. */
export function parseStoreUrl(url: string, options: StoreUrlOptions = {}): ParsedStoreUrl {
  checkNotEmpty(url, options);
  if (POSTGRES.test(url)) return { dialect: 'postgresql', connectionString: url };
  return { dialect: 'sqlite', path: sqlitePath(url, options, true) };
}

/** The SQLite file of a store that only knows SQLite. */
export function sqliteStorePath(url: string, options: StoreUrlOptions = {}): string {
  checkNotEmpty(url, options);
  return sqlitePath(url, options, false);
}

function checkNotEmpty(url: string, options: StoreUrlOptions): void {
  if (typeof url !== 'string' || url.trim() === '') throw new StoreSetupError('INVALID_URL', `the ${options.storeName ?? 'store'} location is empty`);
}

function sqlitePath(url: string, options: StoreUrlOptions, postgresql: boolean): string {
  const match = SQLITE.exec(url);
  if (!match && (!options.barePath || ANY_SCHEME.test(url))) {
    const storeName = options.storeName ?? 'store';
    const accepted = `${options.barePath ? 'a path, ' : ''}file:PATH${postgresql ? ', sqlite:PATH or postgresql://…' : ' or sqlite:PATH'}`;
    const expected = postgresql ? `expected ${accepted}` : `the ${storeName} is SQLite: ${accepted}`;
    throw new StoreSetupError('INVALID_URL', `unsupported ${storeName} URL ${redact(url)} (${expected})`);
  }
  const path = (match ? match[1]! : url).replace(/\?.*$/, '');
  if (path === '' || path === ':memory:') {
    throw new StoreSetupError(
      'INVALID_URL',
      'an in-memory SQLite database is not supported (the migrations and the store use separate connections, and the data must outlive the process): use a file',
    );
  }
  return resolve(path);
}

/** Keeps credentials out of messages and logs. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
