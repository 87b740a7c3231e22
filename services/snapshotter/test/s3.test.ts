/**
 * The S3 adapter against a minimal S3-compatible HTTP server written here (a test double of the
 * external service): path-style PUT/GET/HEAD/DELETE object and the multipart upload calls.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Storage } from '../src/index.js';

interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly lastModified: Date;
}

/** Just enough of S3 for the calls the adapter makes. */
class MiniS3 {
  readonly objects = new Map<string, StoredObject>();
  readonly uploads = new Map<string, { key: string; parts: Map<number, Buffer>; contentType: string | undefined }>();
  readonly calls: string[] = [];
  readonly authorizations: string[] = [];
  server!: Server;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.handle(request, Buffer.concat(chunks), response));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    const url = new URL(request.url as string, 'http://s3.test');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = `${bucket}/${rest.map(decodeURIComponent).join('/')}`;
    const query = url.searchParams;
    this.authorizations.push(String(request.headers.authorization));
    const send = (status: number, xml?: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { ...headers, ...(xml === undefined ? {} : { 'content-type': 'application/xml' }) });
      response.end(xml);
    };
    const etag = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;
    const notFound = () =>
      request.method === 'HEAD' ? send(404) : send(404, `<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>`);
    const call = (name: string) => this.calls.push(`${name} ${key}`);

    if (request.method === 'POST' && query.has('uploads')) {
      call('CreateMultipartUpload');
      const uploadId = randomBytes(6).toString('hex');
      this.uploads.set(uploadId, { key, parts: new Map(), contentType: request.headers['content-type'] });
      return send(
        200,
        `<?xml version="1.0"?><InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${rest.join('/')}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    if (request.method === 'PUT' && query.has('uploadId')) {
      call(`UploadPart#${query.get('partNumber')}`);
      const upload = this.uploads.get(query.get('uploadId') as string);
      if (upload === undefined) return send(404, '<Error><Code>NoSuchUpload</Code></Error>');
      upload.parts.set(Number(query.get('partNumber')), body);
      return send(200, undefined, { etag: etag(body) });
    }
    if (request.method === 'POST' && query.has('uploadId')) {
      call('CompleteMultipartUpload');
      const uploadId = query.get('uploadId') as string;
      const upload = this.uploads.get(uploadId);
      if (upload === undefined) return send(404, '<Error><Code>NoSuchUpload</Code></Error>');
      const numbers = [...body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
      const whole = Buffer.concat(numbers.map((n) => upload.parts.get(n) as Buffer));
      this.objects.set(upload.key, { body: whole, contentType: upload.contentType, lastModified: new Date() });
      this.uploads.delete(uploadId);
      return send(
        200,
        `<?xml version="1.0"?><CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${rest.join('/')}</Key><ETag>${etag(whole)}</ETag></CompleteMultipartUploadResult>`,
      );
    }
    if (request.method === 'DELETE' && query.has('uploadId')) {
      call('AbortMultipartUpload');
      this.uploads.delete(query.get('uploadId') as string);
      return send(204);
    }
    if (request.method === 'PUT') {
      call('PutObject');
      this.objects.set(key, { body, contentType: request.headers['content-type'], lastModified: new Date() });
      return send(200, undefined, { etag: etag(body) });
    }
    if (request.method === 'DELETE') {
      call('DeleteObject');
      this.objects.delete(key);
      return send(204);
    }
    const object = this.objects.get(key);
    if (object === undefined) return notFound();
    const headers = {
      'content-length': String(object.body.length),
      'last-modified': object.lastModified.toUTCString(),
      etag: etag(object.body),
      'accept-ranges': 'bytes',
    };
    if (request.method === 'HEAD') {
      call('HeadObject');
      return send(200, undefined, headers);
    }
    call('GetObject');
    const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
    if (range === null) {
      response.writeHead(200, headers);
      response.end(object.body);
      return;
    }
    const slice = object.body.subarray(Number(range[1]), Number(range[2]) + 1);
    response.writeHead(206, { ...headers, 'content-length': String(slice.length), 'content-range': `bytes ${range[1]}-${range[2]}/${object.body.length}` });
    response.end(slice);
  }
}

const s3 = new MiniS3();
let storage: S3Storage;

beforeAll(async () => {
  await s3.start();
  storage = new S3Storage({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: 'snapshots',
    accessKeyId: 'TESTKEYID',
    secretAccessKey: 'test-secret',
    forcePathStyle: true,
    keyPrefix: 'devnet',
    partSizeBytes: 1024,
  });
});

afterAll(async () => {
  storage.close();
  await s3.stop();
});

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('S3Storage', () => {
  it('puts a small object in one PutObject, under the key prefix, signed with the configured credentials', async () => {
    s3.calls.length = 0;
    await storage.put('digests/devnet-e1-i2.digests.json', [Buffer.from('[]')]);
    expect(s3.calls).toEqual(['PutObject snapshots/devnet/digests/devnet-e1-i2.digests.json']);
    const object = s3.objects.get('snapshots/devnet/digests/devnet-e1-i2.digests.json');
    expect(object?.body.toString()).toBe('[]');
    expect(object?.contentType).toBe('application/json');
    expect(s3.authorizations.at(-1)).toContain('Credential=TESTKEYID/');
  });

  it('streams a large object as a multipart upload whose parts join up to the bytes sent', async () => {
    s3.calls.length = 0;
    const bytes = randomBytes(5000);
    await storage.put('full/a.tar.gz', chunked(bytes, 700));
    expect(s3.calls[0]).toBe('CreateMultipartUpload snapshots/devnet/full/a.tar.gz');
    expect(s3.calls.filter((c) => c.startsWith('UploadPart'))).toHaveLength(4); // 3 parts of two 700-byte chunks (≥ 1024 bytes), then the last 800 bytes
    expect(s3.calls.at(-1)).toBe('CompleteMultipartUpload snapshots/devnet/full/a.tar.gz');
    expect(s3.objects.get('snapshots/devnet/full/a.tar.gz')?.body).toEqual(bytes);
    expect(s3.objects.get('snapshots/devnet/full/a.tar.gz')?.contentType).toBe('application/gzip');
  });

  it('aborts the multipart upload when the body fails, leaving no object', async () => {
    s3.calls.length = 0;
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield randomBytes(3000);
      throw new Error('archive source broke');
    }
    await expect(storage.put('full/broken.tar.gz', failing())).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('archive source broke'),
    });
    expect(s3.calls.at(-1)).toBe('AbortMultipartUpload snapshots/devnet/full/broken.tar.gz');
    expect(s3.objects.has('snapshots/devnet/full/broken.tar.gz')).toBe(false);
    expect(s3.uploads.size).toBe(0);
  });

  it('stats, reads (whole and ranges) and deletes objects; a missing one is undefined / NOT_FOUND', async () => {
    const bytes = randomBytes(2000);
    await storage.put('immutables/00003.tar.gz', chunked(bytes, 500));
    expect((await storage.stat('immutables/00003.tar.gz'))?.size).toBe(2000);
    expect(await readAll(await storage.read('immutables/00003.tar.gz'))).toEqual(bytes);
    expect(await readAll(await storage.read('immutables/00003.tar.gz', { start: 100, end: 199 }))).toEqual(bytes.subarray(100, 200));
    expect(await storage.stat('immutables/99999.tar.gz')).toBeUndefined();
    await expect(storage.read('immutables/99999.tar.gz')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await storage.delete('immutables/00003.tar.gz');
    expect(await storage.stat('immutables/00003.tar.gz')).toBeUndefined();
    await expect(storage.put('../escape', [Buffer.from('x')])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('builds public URLs from the bucket (path style) or a configured base, keeping templates', () => {
    expect(storage.url('immutables/{immutable_file_number}.tar.gz')).toBe(`${s3.endpoint}/snapshots/devnet/immutables/{immutable_file_number}.tar.gz`);
    const cdn = new S3Storage({ region: 'eu-west-3', bucket: 'b', forcePathStyle: false, publicBaseUrl: 'https://cdn.example.test/x' });
    expect(cdn.url('full/a.tar.gz')).toBe('https://cdn.example.test/x/full/a.tar.gz');
    expect(new S3Storage({ region: 'eu-west-3', bucket: 'b', forcePathStyle: false }).url('k')).toBe('https://b.s3.eu-west-3.amazonaws.com/k');
    expect(() => new S3Storage({ region: 'r', bucket: 'b', forcePathStyle: true, accessKeyId: 'only-id' })).toThrow(/both/);
    cdn.close();
  });
});
