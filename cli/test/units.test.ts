/** The small decisions of the client on their own: endpoints, decoding, error mapping, bounded parallelism. */
import { ProtocolError } from '@mithril-ts/protocol';
import { CliError, EXIT_CODES, digestsListFromJson, parseAggregatorEndpoint, toCliError } from '../src/index.js';
import { resolveAgainst } from '../src/aggregator/rest.js';
import { runBounded } from '../src/restore/bounded.js';

const DIGEST = 'a'.repeat(64);

test('--aggregator picks the transport', () => {
  expect(parseAggregatorEndpoint('https://aggregator.example/aggregator/')).toEqual({ transport: 'rest', baseUrl: 'https://aggregator.example/aggregator' });
  expect(parseAggregatorEndpoint('http://127.0.0.1:8080/aggregator')).toEqual({ transport: 'rest', baseUrl: 'http://127.0.0.1:8080/aggregator' });
  expect(parseAggregatorEndpoint('grpc://aggregator.example:50051')).toEqual({ transport: 'grpc', address: 'aggregator.example:50051', tls: false });
  expect(parseAggregatorEndpoint('grpcs://aggregator.example:443')).toEqual({ transport: 'grpc', address: 'aggregator.example:443', tls: true });
  expect(parseAggregatorEndpoint('localhost:50051')).toEqual({ transport: 'grpc', address: 'localhost:50051', tls: false });
  expect(parseAggregatorEndpoint('[::1]:50051')).toEqual({ transport: 'grpc', address: '[::1]:50051', tls: false });
  for (const bad of ['ftp://x', 'localhost', 'grpc://host', 'host:0', 'host:70000', '']) {
    expect(() => parseAggregatorEndpoint(bad)).toThrow(expect.objectContaining({ kind: 'usage', reason: 'INVALID_ENDPOINT' }));
  }
});

test('relative REST locations resolve against the API, templates keep their braces', () => {
  expect(resolveAgainst('http://h:1/aggregator', '/files/{immutable_file_number}.tar.gz')).toBe('http://h:1/files/{immutable_file_number}.tar.gz');
  expect(resolveAgainst('http://h:1/aggregator', 'artifact/x')).toBe('http://h:1/aggregator/artifact/x');
  expect(resolveAgainst('http://h:1/aggregator', 'https://cdn/{immutable_file_number}.tar.gz')).toBe('https://cdn/{immutable_file_number}.tar.gz');
});

test('a digests list names immutable files only, each once, with SHA-256 digests', () => {
  expect(digestsListFromJson([{ immutable_file_name: '00001.chunk', digest: DIGEST }])).toEqual([{ name: '00001.chunk', digest: DIGEST }]);
  expect(digestsListFromJson([{ immutable_file_name: '18446744073709551615.secondary', digest: DIGEST }])).toEqual([
    { name: '18446744073709551615.secondary', digest: DIGEST },
  ]);
  const refused = [
    [{ immutable_file_name: '../00001.chunk', digest: DIGEST }],
    [{ immutable_file_name: 'immutable/00001.chunk', digest: DIGEST }],
    [{ immutable_file_name: '00001.ledger', digest: DIGEST }],
    [{ immutable_file_name: '1.chunk', digest: DIGEST }],
    // The one grammar of @mithril-ts/cardano's layout: a u64, written with no extra leading zero, of bounded length.
    [{ immutable_file_name: '000001.chunk', digest: DIGEST }],
    [{ immutable_file_name: '18446744073709551616.chunk', digest: DIGEST }],
    [{ immutable_file_name: `${'9'.repeat(10_000)}.chunk`, digest: DIGEST }],
    [{ immutable_file_name: '00001.chunk', digest: DIGEST.toUpperCase() }],
    [{ immutable_file_name: '00001.chunk', digest: 'ab' }],
    [
      { immutable_file_name: '00001.chunk', digest: DIGEST },
      { immutable_file_name: '00001.chunk', digest: DIGEST },
    ],
    { immutable_file_name: '00001.chunk', digest: DIGEST },
  ];
  for (const value of refused) expect(() => digestsListFromJson(value)).toThrow(expect.objectContaining({ kind: 'network', reason: 'MALFORMED_RESPONSE' }));
});

test('errors map to exit codes', () => {
  expect(toCliError(new ProtocolError('CERTIFICATE_MULTI_SIGNATURE_INVALID', 'bad')).exitCode).toBe(EXIT_CODES.verification);
  expect(toCliError(new ProtocolError('INVALID_GENESIS_KEY', 'bad')).exitCode).toBe(EXIT_CODES.usage);
  expect(toCliError(Object.assign(new Error('no space'), { code: 'ENOSPC' })).exitCode).toBe(EXIT_CODES.localIo);
  expect(toCliError(new Error('bug')).exitCode).toBe(EXIT_CODES.internal);
  const error = new CliError('not-found', 'gone');
  expect(toCliError(error)).toBe(error);
  expect([error.exitCode, error.eventCode]).toEqual([EXIT_CODES.notFound, 'NOT_FOUND']);
});

test('bounded parallelism never exceeds its limit and stops starting tasks after a failure', async () => {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const release: (() => void)[] = [];
  const pending = runBounded([1, 2, 3, 4, 5, 6], 2, async (item) => {
    started.push(item);
    running += 1;
    peak = Math.max(peak, running);
    await new Promise<void>((resolve) => release.push(resolve));
    running -= 1;
    if (item === 2) throw new Error('task 2 failed');
  });
  // Let tasks finish one at a time, in order, until the runner settles.
  let settled = false;
  pending.catch(() => undefined).finally(() => (settled = true));
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    release.shift()?.();
  }
  await expect(pending).rejects.toThrow('task 2 failed');
  expect(peak).toBe(2);
  expect(started).toEqual([1, 2, 3]);
});
