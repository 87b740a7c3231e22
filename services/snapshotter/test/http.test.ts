/** The download server: whole and ranged GET, HEAD, validators, and refused paths. */
import { writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LocalDirectoryStorage, parseRange, startDownloadServer, type DownloadServer } from '../src/index.js';
import { removeTempDirs, tempDir } from './fixture.js';

describe('parseRange', () => {
  it('reads one byte range, suffix and open-ended ranges, and tells unsatisfiable from ignorable', () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'partial', range: { start: 0, end: 9 } });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'partial', range: { start: 90, end: 99 } });
    expect(parseRange('bytes=90-500', 100)).toEqual({ kind: 'partial', range: { start: 90, end: 99 } });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'partial', range: { start: 90, end: 99 } });
    expect(parseRange('bytes=-500', 100)).toEqual({ kind: 'partial', range: { start: 0, end: 99 } });
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    // Not acted on: the whole object is sent (RFC 9110 lets a server ignore Range).
    for (const header of ['bytes=5-2', 'items=0-1', 'bytes=0-1,5-6', 'bytes=-', 'bytes=x-1', `bytes=0-${'9'.repeat(30)}`])
      expect(parseRange(header, 100)).toEqual({ kind: 'whole' });
  });
});

describe('download server', () => {
  const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  let root: string;
  let server: DownloadServer;

  beforeAll(async () => {
    root = tempDir('served');
    mkdirSync(join(root, 'immutables'), { recursive: true });
    writeFileSync(join(root, 'immutables', '00001.tar.gz'), body);
    mkdirSync(join(root, '.partial'));
    writeFileSync(join(root, '.partial', 'x.tmp'), 'partial');
    const outside = tempDir('outside');
    writeFileSync(join(outside, 'secret'), 'secret');
    symlinkSync(join(outside, 'secret'), join(root, 'link'));
    server = await startDownloadServer({ host: '127.0.0.1', port: 0, storage: new LocalDirectoryStorage(root, '') });
  });

  afterAll(async () => {
    await server.close();
    removeTempDirs();
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${server.baseUrl}/${path}`, { method, headers });

  it('serves the whole object with its length, validators and Accept-Ranges', async () => {
    const response = await get('immutables/00001.tar.gz');
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(new Date(response.headers.get('last-modified') as string).getTime()).toBeGreaterThan(0);
    expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}/artifacts`);
  });

  it('serves ranges (206), suffix ranges, and refuses unsatisfiable ones (416)', async () => {
    const partial = await get('immutables/00001.tar.gz', { range: 'bytes=10-19' });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(partial.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await partial.arrayBuffer())).toEqual(body.subarray(10, 20));

    const suffix = await get('immutables/00001.tar.gz', { range: 'bytes=-100' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe('bytes 900-999/1000');
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(body.subarray(900));

    const open = await get('immutables/00001.tar.gz', { range: 'bytes=995-' });
    expect(Buffer.from(await open.arrayBuffer())).toEqual(body.subarray(995));

    const beyond = await get('immutables/00001.tar.gz', { range: 'bytes=1000-2000' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */1000');
    await beyond.arrayBuffer();
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const whole = await get('immutables/00001.tar.gz', {}, 'HEAD');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe('1000');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect((await whole.arrayBuffer()).byteLength).toBe(0);
    const partial = await get('immutables/00001.tar.gz', { range: 'bytes=0-99' }, 'HEAD');
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-length')).toBe('100');
  });

  it('honours If-None-Match and If-Range', async () => {
    const etag = (await get('immutables/00001.tar.gz', {}, 'HEAD')).headers.get('etag') as string;
    expect((await get('immutables/00001.tar.gz', { 'if-none-match': etag })).status).toBe(304);
    const resumed = await get('immutables/00001.tar.gz', { range: 'bytes=500-', 'if-range': etag });
    expect(resumed.status).toBe(206);
    await resumed.arrayBuffer();
    // The client's part is of another version: the whole object comes back.
    const changed = await get('immutables/00001.tar.gz', { range: 'bytes=500-', 'if-range': '"other"' });
    expect(changed.status).toBe(200);
    expect((await changed.arrayBuffer()).byteLength).toBe(1000);
  });

  it('refuses traversal, hidden files and links leading outside, and 404s missing objects', async () => {
    for (const path of ['..%2f..%2fetc%2fpasswd', 'immutables/..%2f..%2fx', '.partial/x.tmp', 'immutables%5c..%5cx']) {
      const response = await get(path);
      expect([400, 404]).toContain(response.status);
      expect(await response.text()).not.toContain('partial');
    }
    expect((await get('link')).status).toBe(404);
    expect((await get('immutables/00002.tar.gz')).status).toBe(404);
    expect((await get('immutables')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/health`)).status).toBe(200);
  });
});
