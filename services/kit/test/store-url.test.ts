import { resolve } from 'node:path';
import { StoreSetupError, parseStoreUrl, sqliteStorePath } from '../src/index.js';

const invalid = (message: RegExp) => expect.objectContaining({ name: 'StoreSetupError', code: 'INVALID_URL', message: expect.stringMatching(message) });

describe('store locations', () => {
  it('reads SQLite URLs (query dropped, path resolved) and PostgreSQL URLs as they are', () => {
    expect(parseStoreUrl('file:./a.db')).toEqual({ dialect: 'sqlite', path: resolve('a.db') });
    expect(parseStoreUrl('sqlite:///tmp/a.db?mode=rwc')).toEqual({ dialect: 'sqlite', path: '/tmp/a.db' });
    expect(parseStoreUrl('SQLITE:/tmp/b.db')).toEqual({ dialect: 'sqlite', path: '/tmp/b.db' });
    expect(parseStoreUrl('postgresql://u:p@h/db')).toEqual({ dialect: 'postgresql', connectionString: 'postgresql://u:p@h/db' });
    expect(parseStoreUrl('postgres://h/db?sslmode=require')).toEqual({ dialect: 'postgresql', connectionString: 'postgres://h/db?sslmode=require' });
  });

  it('takes a bare path only when the store allows it', () => {
    expect(() => parseStoreUrl('/tmp/a.db')).toThrow(invalid(/unsupported store URL \/tmp\/a\.db \(expected file:PATH, sqlite:PATH or postgresql:\/\/…\)/));
    expect(parseStoreUrl('/tmp/a.db', { barePath: true })).toEqual({ dialect: 'sqlite', path: '/tmp/a.db' });
    expect(sqliteStorePath('data/x.db?cache=shared', { barePath: true })).toBe(resolve('data/x.db'));
  });

  it('refuses PostgreSQL and other schemes for a SQLite-only store, without showing credentials', () => {
    const options = { barePath: true, storeName: 'signer store' };
    expect(() => sqliteStorePath('postgresql://u:secret@host/db', options)).toThrow(
      invalid(/^unsupported signer store URL postgresql:\/\/\*\*\*@host\/db \(the signer store is SQLite: a path, file:PATH or sqlite:PATH\)$/),
    );
    expect(() => sqliteStorePath('mysql://x/db', options)).toThrow(StoreSetupError);
    expect(() => parseStoreUrl('mysql://u:secret@x/db')).toThrow(invalid(/mysql:\/\/\*\*\*@x\/db/));
  });

  it('refuses an empty location and an in-memory database', () => {
    expect(() => parseStoreUrl('  ', { storeName: 'aggregator store' })).toThrow(invalid(/^the aggregator store location is empty$/));
    expect(() => sqliteStorePath('')).toThrow(invalid(/empty/));
    for (const url of ['file::memory:', 'sqlite::memory:', 'file:', 'sqlite://?mode=memory'])
      expect(() => parseStoreUrl(url)).toThrow(invalid(/in-memory SQLite database is not supported/));
    expect(() => sqliteStorePath(':memory:', { barePath: true })).toThrow(invalid(/in-memory/));
  });
});
