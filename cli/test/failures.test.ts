/**
 * Everything that must make the client fail, clearly and with the right exit code, without
 * leaving a half-restored directory: tampered archives, digests lists and certificates, a wrong
 * genesis key, interrupted transfers (then resumed), missing artifacts, bad usage.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { cardanoDatabaseMerkleRoot } from '@mithril-ts/cardano';
import {
  GenesisSigner,
  ProtocolMessage,
  cardanoDatabaseSnapshotHash,
  certificateToMessage,
  encodeGenesisVerificationKey,
  sealCertificate,
} from '@mithril-ts/protocol';
import { EXIT_CODES } from '../src/index.js';
import { compress } from 'zstd-napi';
import { LARGE_NUMBER, LAST_NUMBER, buildFixture, packArchive, padded, sha256Hex, tarOf, zstdImmutableArchives, type Fixture } from './support/fixture.js';
import { startGrpcAggregator, startHttpServers, stateOf, type GrpcAggregator, type HttpServers } from './support/servers.js';
import { run, tree } from './support/run.js';

let fixture: Fixture;
let http: HttpServers;
let grpc: GrpcAggregator;
let scratch: string;
let counter = 0;

beforeAll(async () => {
  fixture = await buildFixture();
  http = await startHttpServers(fixture);
  grpc = await startGrpcAggregator(http);
});

afterAll(async () => {
  await grpc?.close();
  await http?.close();
  rmSync(fixture.root, { recursive: true, force: true });
});

beforeEach(() => {
  http.state = stateOf(fixture);
  http.requests.length = 0;
  http.fileOverrides.clear();
  http.interruption = undefined;
  grpc.certificateOverrides.clear();
  scratch = join(fixture.root, `failure-${++counter}`);
  mkdirSync(scratch);
});

const transports = [
  ['REST', () => http.restUrl],
  ['gRPC', () => grpc.address],
] as const;

function archiveRequests(): string[] {
  return http.requests.filter((request) => /\d{5}\.tar\.gz$/.test(request.path)).map((request) => request.path);
}

/** A copy of the node's files with one file changed, packed as the archive of its number. */
async function tamperedArchive(number: number, change: (directory: string) => void): Promise<Buffer> {
  const directory = join(scratch, `tampered-${number}`);
  cpSync(fixture.nodeImmutable, directory, { recursive: true });
  change(directory);
  const names = readdirSync(directory).filter((name) => name.startsWith(padded(number)) || !/^\d{5}\./.test(name));
  const file = join(scratch, `tampered-${number}.tar.gz`);
  await packArchive(directory, names, file);
  const bytes = readFileSync(file);
  rmSync(directory, { recursive: true });
  rmSync(file);
  return bytes;
}

function flipFirstByte(path: string): void {
  const bytes = readFileSync(path);
  bytes[0] = bytes[0]! ^ 0xff;
  writeFileSync(path, bytes);
}

function expectFailure(result: Awaited<ReturnType<typeof run>>, exitCode: number, reason: string, message: RegExp): void {
  expect(result.code).toBe(exitCode);
  const error = result.events.at(-1)!;
  expect(error).toMatchObject({ type: 'error', exitCode, reason });
  expect(error.message).toMatch(message);
  expect(result.events.filter((event) => event.type === 'result')).toEqual([]);
}

test('an archive that decompresses to more than 100 times its size is refused as it is read, leaving nothing behind', async () => {
  // 64 MiB of zeros gzip ~1000-fold.
  const bomb = await tamperedArchive(2, (directory) => truncateSync(join(directory, `${padded(2)}.chunk`), 64 * 1024 * 1024));
  expect(bomb.length).toBeLessThan(100 * 1024);
  http.fileOverrides.set(`${padded(2)}.tar.gz`, bomb);
  const target = join(scratch, 'db');
  const result = await run([
    'snapshot',
    'download',
    'latest',
    '--target',
    target,
    '--aggregator',
    http.restUrl,
    '--genesis-verification-key',
    fixture.genesisKey,
    '--json',
  ]);
  expectFailure(result, EXIT_CODES.verification, 'ARCHIVE_CORRUPT', /decompresses to more than 100 times its size/);
  expect(existsSync(target)).toBe(false);
  expect(readdirSync(scratch)).toEqual([]);
});

test('a zstd archive expanding beyond the bound is refused before it fills the disk', async () => {
  // An expected file of 64 MiB of zeros, which zstd shrinks to a few KiB: refused within the
  // first 6.4 MiB it expands to, long before the file is written out.
  const directory = join(scratch, 'bomb');
  mkdirSync(directory);
  writeFileSync(join(directory, `${padded(2)}.chunk`), '');
  truncateSync(join(directory, `${padded(2)}.chunk`), 64 * 1024 * 1024);
  const bomb = compress(await tarOf(directory, [`${padded(2)}.chunk`]));
  rmSync(directory, { recursive: true });
  expect(bomb.length).toBeLessThan(64 * 1024);
  for (const [name, bytes] of await zstdImmutableArchives(fixture)) http.fileOverrides.set(name, bytes);
  http.fileOverrides.set(`${padded(2)}.tar.zst`, bomb);
  http.state.snapshots[0] = { ...http.state.snapshots[0]!, compression: 'zstd', immutablesTemplate: '{immutable_file_number}.tar.zst', full: undefined };
  const target = join(scratch, 'db');
  const result = await run([
    'snapshot',
    'download',
    'latest',
    '--target',
    target,
    '--aggregator',
    http.restUrl,
    '--genesis-verification-key',
    fixture.genesisKey,
    '--json',
  ]);
  expectFailure(result, EXIT_CODES.verification, 'ARCHIVE_CORRUPT', /decompresses to more than 100 times its size/);
  expect(existsSync(target)).toBe(false);
  expect(readdirSync(scratch)).toEqual([]);
});

describe.each(transports)('over %s', (_name, endpoint) => {
  const download = (target: string, key = fixture.genesisKey, ...more: string[]) =>
    run(['snapshot', 'download', 'latest', '--target', target, '--aggregator', endpoint(), '--genesis-verification-key', key, '--json', ...more]);

  test('a tampered archive fails verification and leaves no directory behind', async () => {
    http.fileOverrides.set(`${padded(2)}.tar.gz`, await tamperedArchive(2, (directory) => flipFirstByte(join(directory, `${padded(2)}.chunk`))));
    const target = join(scratch, 'db');
    const result = await download(target);
    expectFailure(result, EXIT_CODES.verification, 'DIGEST_MISMATCH', new RegExp(`${padded(2)}\\.chunk .* not the certified`));
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]); // no staging directory, and suspect downloads dropped
  });

  test('a tampered certificate fails verification before anything is downloaded', async () => {
    // A forger certifies other files: same multi-signature, a new Merkle root, re-hashed certificate.
    const forgedRoot = cardanoDatabaseMerkleRoot(fixture.files.map((file, i) => (i === 4 ? sha256Hex(Buffer.from('forged')) : file.digest)));
    const message = new ProtocolMessage(fixture.snapshotCertificate.protocolMessage.toRecord()).set('cardano_database_merkle_root', forgedRoot);
    const { hash: _hash, ...draft } = fixture.snapshotCertificate;
    const forged = sealCertificate({ ...draft, protocolMessage: message, signedMessage: message.signedMessage() });
    http.state.certificates.set(forged.hash, forged);
    const entry = http.state.snapshots[0]!;
    http.state.snapshots[0] = { ...entry, hash: cardanoDatabaseSnapshotHash(entry.epoch, forgedRoot), merkleRoot: forgedRoot, certificateHash: forged.hash };

    const target = join(scratch, 'db');
    const result = await download(target);
    expectFailure(result, EXIT_CODES.verification, 'CERTIFICATE_MULTI_SIGNATURE_INVALID', /multi-signature does not verify/);
    expect(archiveRequests()).toEqual([]);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]);
  });

  test('a valid certificate of something else does not certify the snapshot', async () => {
    http.state.snapshots[0] = { ...http.state.snapshots[0]!, certificateHash: fixture.stakeDistributionCertificate.hash };
    const result = await download(join(scratch, 'db'));
    expectFailure(result, EXIT_CODES.verification, 'CERTIFICATE_DOES_NOT_CERTIFY_SNAPSHOT', /does not certify snapshot/);
    expect(readdirSync(scratch)).toEqual([]);
  });

  test('a wrong genesis key fails verification', async () => {
    const other = encodeGenesisVerificationKey(GenesisSigner.generate().verificationKey());
    const target = join(scratch, 'not', 'yet', 'db'); // parents created for the restore are removed again
    const result = await download(target, other);
    expectFailure(result, EXIT_CODES.verification, 'INVALID_GENESIS_SIGNATURE', /genesis signature does not verify under the genesis verification key/);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]);

    const verify = await run(['certificate', 'verify', 'latest', '--aggregator', endpoint(), '--genesis-verification-key', other]);
    expect(verify.code).toBe(EXIT_CODES.verification);
    expect(verify.stderr).toMatch(/^error: certificate [0-9a-f]{16}… \(epoch 2\): the genesis signature does not verify/m);
  });

  test('a failed range restore leaves the existing database untouched', async () => {
    const target = join(scratch, 'db');
    cpSync(dirname(fixture.nodeImmutable), target, { recursive: true });
    for (const extension of ['chunk', 'primary', 'secondary']) rmSync(join(target, 'immutable', `${padded(LAST_NUMBER)}.${extension}`));
    const before = tree(target);
    http.fileOverrides.set(
      `${padded(LAST_NUMBER)}.tar.gz`,
      await tamperedArchive(LAST_NUMBER, (directory) => writeFileSync(join(directory, 'evil.sh'), 'rm -rf /')),
    );
    const result = await run([
      'snapshot',
      'restore',
      '--target',
      target,
      '--from-existing',
      '--aggregator',
      endpoint(),
      '--genesis-verification-key',
      fixture.genesisKey,
      '--json',
    ]);
    expectFailure(result, EXIT_CODES.verification, 'UNEXPECTED_ARCHIVE_ENTRY', /immutable\/evil\.sh/);
    expect(tree(target)).toEqual(before);
    expect(readdirSync(scratch)).toEqual(['db']);
  });

  test('unknown artifacts are "not found"', async () => {
    const zeros = '0'.repeat(64);
    const base = ['--aggregator', endpoint(), '--genesis-verification-key', fixture.genesisKey, '--json'];
    expectFailure(await run(['snapshot', 'show', zeros, ...base]), EXIT_CODES.notFound, 'SNAPSHOT_NOT_FOUND', /has no snapshot 0{64}/);
    expectFailure(
      await run(['snapshot', 'download', zeros, '--target', join(scratch, 'db'), ...base]),
      EXIT_CODES.notFound,
      'SNAPSHOT_NOT_FOUND',
      /has no snapshot/,
    );
    expectFailure(await run(['certificate', 'verify', zeros, ...base]), EXIT_CODES.notFound, 'CERTIFICATE_NOT_FOUND', /has no certificate 0{64}/);
    expectFailure(await run(['stake-distribution', 'show', zeros, ...base]), EXIT_CODES.notFound, 'STAKE_DISTRIBUTION_NOT_FOUND', /has no stake distribution/);
    expect(readdirSync(scratch)).toEqual([]);
  });
});

test('over REST, a certificate whose content does not match its hash fails verification', async () => {
  const message = certificateToMessage(fixture.snapshotCertificate);
  const parts = { ...(message.protocol_message as { message_parts: Record<string, string> }).message_parts, cardano_database_merkle_root: 'f'.repeat(64) };
  http.state.certificateJsonOverrides.set(fixture.snapshotCertificate.hash, { ...message, protocol_message: { message_parts: parts } });
  const result = await run([
    'snapshot',
    'download',
    'latest',
    '--target',
    join(scratch, 'db'),
    '--aggregator',
    http.restUrl,
    '--genesis-verification-key',
    fixture.genesisKey,
    '--json',
  ]);
  expectFailure(result, EXIT_CODES.verification, 'CERTIFICATE_HASH_MISMATCH', /hash does not match its content/);
  expect(readdirSync(scratch)).toEqual([]);
});

test('over gRPC, a certificate whose content does not match its hash fails verification', async () => {
  const { certificateToProto } = await import('@mithril-ts/proto');
  const served = certificateToProto(fixture.snapshotCertificate);
  served.protocolMessage = {
    parts: served.protocolMessage!.parts.map((part) => (part.key === 'cardano_database_merkle_root' ? { key: part.key, value: 'f'.repeat(64) } : part)),
  };
  grpc.certificateOverrides.set(fixture.snapshotCertificate.hash, served);
  const result = await run([
    'snapshot',
    'download',
    'latest',
    '--target',
    join(scratch, 'db'),
    '--aggregator',
    grpc.address,
    '--genesis-verification-key',
    fixture.genesisKey,
    '--json',
  ]);
  expectFailure(
    result,
    EXIT_CODES.verification,
    'INVALID_CERTIFICATE',
    /served an invalid certificate for [0-9a-f]{16}…: .*not the hash of the protocol message/,
  );
  expect(readdirSync(scratch)).toEqual([]);
});

test('a digests list that is not the certified one fails verification', async () => {
  const digests = JSON.parse(readFileSync(join(fixture.published, 'digests.json'), 'utf8')) as { immutable_file_name: string; digest: string }[];
  digests[1]!.digest = sha256Hex(Buffer.from('something else'));
  http.fileOverrides.set('digests.json', Buffer.from(JSON.stringify(digests)));
  const result = await run([
    'snapshot',
    'download',
    'latest',
    '--target',
    join(scratch, 'db'),
    '--aggregator',
    http.restUrl,
    '--genesis-verification-key',
    fixture.genesisKey,
    '--json',
  ]);
  expectFailure(result, EXIT_CODES.verification, 'MERKLE_ROOT_MISMATCH', /does not match the certified Merkle root/);
  expect(archiveRequests()).toEqual([]);
  expect(readdirSync(scratch)).toEqual([]);
});

test('an interrupted transfer fails without a target, and the next run resumes it with a Range request', async () => {
  const target = join(scratch, 'db');
  const workDirectory = join(scratch, '.db.mithril-downloads', fixture.snapshotHash);
  const large = `${padded(LARGE_NUMBER)}.tar.gz`;
  const partial = join(workDirectory, `${large}.part`);
  const cut = 256 * 1024;
  http.interruption = {
    file: large,
    bytes: cut,
    // Drop the connection only once the client has written what it received: no timing involved.
    until: async () => {
      while (!existsSync(partial) || statSync(partial).size < cut) await new Promise((resolve) => setTimeout(resolve, 5));
    },
  };
  const args = [
    'snapshot',
    'download',
    'latest',
    '--parallel',
    '1',
    '--target',
    target,
    '--aggregator',
    http.restUrl,
    '--genesis-verification-key',
    fixture.genesisKey,
    '--json',
  ];
  const first = await run(args);
  expect(first.code).toBe(EXIT_CODES.network);
  expect(first.events.at(-1)).toMatchObject({ type: 'error', code: 'NETWORK_ERROR', reason: 'INTERRUPTED_TRANSFER' });
  expect(first.events.at(-1)!.message).toMatch(/was interrupted after \d+ bytes .*run the command again to resume/);
  expect(first.events.at(-1)!.message).toContain(large);
  expect(existsSync(target)).toBe(false);
  expect(readdirSync(scratch)).toEqual(['.db.mithril-downloads']); // only the downloads, kept for the next run
  const kept = statSync(partial).size;
  expect(kept).toBeGreaterThanOrEqual(cut);
  const completeBefore = readdirSync(workDirectory).filter((name) => name.endsWith('.tar.gz'));
  expect(completeBefore.sort()).toEqual(Array.from({ length: LARGE_NUMBER }, (_, n) => `${padded(n)}.tar.gz`));

  http.requests.length = 0;
  const second = await run(args);
  expect(second.code).toBe(0);
  const requests = http.requests.filter((request) => /\d{5}\.tar\.gz$/.test(request.path));
  expect(requests).toEqual([
    { path: `/files/${large}`, range: `bytes=${kept}-`, apiVersion: undefined },
    ...Array.from({ length: LAST_NUMBER - LARGE_NUMBER }, (_, i) => ({
      path: `/files/${padded(LARGE_NUMBER + 1 + i)}.tar.gz`,
      range: undefined,
      apiVersion: undefined,
    })),
  ]);
  expect(second.events.at(-1)!.data).toMatchObject({ resumedDownloads: 1 });
  expect(tree(join(target, 'immutable'))).toEqual(tree(fixture.nodeImmutable));
  expect(readdirSync(scratch)).toEqual(['db']);
});

test('an interrupted command (Ctrl-C) exits 130, keeps its partial downloads and leaves no target', async () => {
  const target = join(scratch, 'db');
  const controller = new AbortController();
  const { CliError } = await import('../src/index.js');
  http.interruption = {
    file: `${padded(LARGE_NUMBER)}.tar.gz`,
    bytes: 64 * 1024,
    until: async () => {
      controller.abort(new CliError('interrupted', 'interrupted by SIGINT', { reason: 'INTERRUPTED' }));
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
  const result = await run(
    [
      'snapshot',
      'download',
      'latest',
      '--parallel',
      '1',
      '--target',
      target,
      '--aggregator',
      http.restUrl,
      '--genesis-verification-key',
      fixture.genesisKey,
      '--json',
    ],
    { signal: controller.signal },
  );
  expectFailure(result, EXIT_CODES.interrupted, 'INTERRUPTED', /interrupted by SIGINT/);
  expect(existsSync(target)).toBe(false);
  expect(readdirSync(scratch)).toEqual(['.db.mithril-downloads']);
});

test('usage errors: missing or invalid genesis key, bad hash, unknown option, target in the way', async () => {
  const target = join(scratch, 'db');
  const base = ['--aggregator', http.restUrl, '--json'];
  expectFailure(
    await run(['snapshot', 'download', 'latest', '--target', target, ...base]),
    EXIT_CODES.usage,
    'MISSING_GENESIS_KEY',
    /needs the genesis verification key/,
  );
  expectFailure(
    await run(['snapshot', 'download', 'latest', '--target', target, '--genesis-verification-key', 'abcd', ...base]),
    EXIT_CODES.usage,
    'INVALID_GENESIS_KEY',
    /--genesis-verification-key: not a genesis verification key/,
  );
  expectFailure(
    await run(['snapshot', 'show', 'not-a-hash', ...base]),
    EXIT_CODES.usage,
    'INVALID_ARGUMENT',
    /must be "latest" or a 64-character lowercase hex hash/,
  );
  expectFailure(await run(['snapshot', 'list', '--frobnicate', ...base]), EXIT_CODES.usage, 'INVALID_USAGE', /unknown option '--frobnicate'/);
  expectFailure(await run(['snapshot', 'list', '--json']), EXIT_CODES.usage, 'MISSING_AGGREGATOR', /no aggregator/);
  expectFailure(await run(['snapshot', 'list', '--aggregator', 'ftp://x', '--json']), EXIT_CODES.usage, 'INVALID_ENDPOINT', /expected http\(s\)/);
  const human = await run(['snapshot', 'list', '--frobnicate', '--aggregator', http.restUrl]);
  expect(human.code).toBe(EXIT_CODES.usage);
  expect(human.stderr).toContain("unknown option '--frobnicate'");

  mkdirSync(target);
  writeFileSync(join(target, 'keep.me'), 'mine');
  const inTheWay = await run(['snapshot', 'download', 'latest', '--target', target, '--genesis-verification-key', fixture.genesisKey, ...base]);
  expectFailure(inTheWay, EXIT_CODES.usage, 'TARGET_EXISTS', /already exists and is not empty.*--from-existing/);
  expect(readdirSync(target)).toEqual(['keep.me']);
  expect(readdirSync(scratch)).toEqual(['db']);
});

test('a REST aggregator of an incompatible API version is refused', async () => {
  const { createServer } = await import('node:http');
  const server = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'application/json', 'mithril-api-version': '0.2.0' }).end('[]'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const result = await run(['snapshot', 'list', '--aggregator', `http://127.0.0.1:${port}/aggregator`, '--json']);
    expectFailure(result, EXIT_CODES.network, 'INCOMPATIBLE_VERSION', /incompatible API version: protocol version 0\.2\.0 is not compatible with 0\.1\.68/);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('an unreachable aggregator is a network error', async () => {
  const rest = await run(['snapshot', 'list', '--aggregator', 'http://127.0.0.1:1/aggregator', '--json']);
  expectFailure(rest, EXIT_CODES.network, 'UNREACHABLE', /cannot reach http:\/\/127\.0\.0\.1:1\/aggregator/);
  const grpcResult = await run(['snapshot', 'list', '--aggregator', 'grpc://127.0.0.1:1', '--timeout', '5', '--json']);
  expectFailure(grpcResult, EXIT_CODES.network, 'UNREACHABLE', /unreachable/);
});
