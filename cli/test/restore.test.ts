/**
 * The client end to end over both transports, against test servers serving a certified
 * situation with real STM multi-signatures: list, show, download, verify and restore snapshots;
 * range restores; stake distributions; certificate chains; JSON events.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXIT_CODES } from '../src/index.js';
import { buildFixture, EPOCH, LAST_NUMBER, padded, zstdImmutableArchives, type Fixture } from './support/fixture.js';
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
  scratch = join(fixture.root, `run-${++counter}`);
  mkdirSync(scratch);
});

function archiveRequests(): string[] {
  return http.requests
    .filter((request) => /^\/files\/\d{5}\.tar\.gz$/.test(request.path))
    .map((request) => request.path.slice('/files/'.length, -'.tar.gz'.length));
}

const transports = [
  ['REST', () => http.restUrl],
  ['gRPC', () => `grpc://${grpc.address}`],
] as const;

describe.each(transports)('over %s', (_name, endpoint) => {
  const base = () => ['--aggregator', endpoint(), '--genesis-verification-key', fixture.genesisKey];

  test('snapshot list shows the certified snapshot (table and JSON)', async () => {
    const human = await run(['snapshot', 'list', '--aggregator', endpoint()]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(fixture.snapshotHash);
    expect(human.stdout).toMatch(/Epoch\s+Immutable\s+Hash/);

    const json = await run(['snapshot', 'list', '--aggregator', endpoint(), '--json']);
    expect(json.code).toBe(0);
    expect(json.events).toEqual([
      expect.objectContaining({
        type: 'result',
        command: 'snapshot list',
        data: [
          expect.objectContaining({
            hash: fixture.snapshotHash,
            merkleRoot: fixture.merkleRoot,
            beacon: { epoch: Number(EPOCH), immutableFileNumber: LAST_NUMBER },
          }),
        ],
      }),
    ]);
  });

  test('snapshot show latest verifies the chain and reports the stake share and security level', async () => {
    const shown = await run(['snapshot', 'show', 'latest', ...base(), '--json']);
    expect(shown.code).toBe(0);
    const result = shown.events.at(-1)!;
    expect(result.type).toBe('result');
    expect(result.data.snapshot.hash).toBe(fixture.snapshotHash);
    expect(result.data.verification).toMatchObject({ verified: true, chainLength: 3, genesisCertificateHash: fixture.genesis.hash });
    const strength = result.data.certificate.strength;
    const signed = fixture.snapshotCertificate.signature.kind === 'multi-signature' ? fixture.snapshotCertificate.signature.multiSignature.signatures : [];
    const signedStake = signed.reduce((sum, { party }) => sum + party.stake, 0n);
    expect(BigInt(strength.signedStake)).toBe(signedStake);
    expect(BigInt(strength.totalStake)).toBe(fixture.snapshotCertificate.aggregateVerificationKey.totalStake);
    expect(strength.signedStakeShare).toBeCloseTo(Number(signedStake) / Number(fixture.snapshotCertificate.aggregateVerificationKey.totalStake), 6);
    expect(strength.securityLevels.map((level: { adversarialStakeShare: number }) => level.adversarialStakeShare)).toEqual([0.25, 1 / 3, 0.5]);
    expect(strength.securityLevels[0].securityBits).toBeGreaterThan(strength.securityLevels[2].securityBits);

    const human = await run(['snapshot', 'show', fixture.snapshotHash, ...base()]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`Snapshot           ${fixture.snapshotHash}`);
    expect(human.stdout).toMatch(
      /Security level +forgery probability (2\^-\d+|[0-9.e-]+) against 25\.00 % adversarial stake, (2\^-\d+|[0-9.e-]+) against 33\.33 %/,
    );
    expect(human.stdout).toMatch(/Signers +\d+, holding \d+ of \d+ stake \(\d+\.\d\d %\)/);
    expect(human.stdout).toContain('Verified: the certificate chain (3 certificates)');
  });

  test('snapshot show without a genesis key says it did not verify', async () => {
    const shown = await run(['snapshot', 'show', 'latest', '--aggregator', endpoint()]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Not verified: no genesis verification key given');
  });

  test('restores from zstd archives, byte-identical', async () => {
    for (const [name, bytes] of await zstdImmutableArchives(fixture)) http.fileOverrides.set(name, bytes);
    http.state.snapshots[0] = { ...http.state.snapshots[0]!, compression: 'zstd', immutablesTemplate: '{immutable_file_number}.tar.zst', full: undefined };
    const target = join(scratch, 'db');
    const downloaded = await run(['snapshot', 'download', 'latest', '--target', target, ...base(), '--json']);
    expect(downloaded.stderr).toBe('');
    expect(downloaded.code).toBe(0);
    expect(tree(join(target, 'immutable'))).toEqual(tree(fixture.nodeImmutable));
    expect(http.requests.filter((request) => request.path.endsWith('.tar.zst'))).toHaveLength(LAST_NUMBER + 1);
    expect(readdirSync(scratch)).toEqual(['db']);
  });

  test('snapshot download restores byte-identical immutable files, with JSON progress events', async () => {
    const target = join(scratch, 'db');
    const downloaded = await run(['snapshot', 'download', 'latest', '--target', target, ...base(), '--json']);
    expect(downloaded.stderr).toBe('');
    expect(downloaded.code).toBe(0);
    expect(tree(join(target, 'immutable'))).toEqual(tree(fixture.nodeImmutable));
    // protocolMagicId: the node's network magic for a non-mainnet network (devnet: 42).
    expect(readdirSync(target).sort()).toEqual(['immutable', 'protocolMagicId']);
    expect(readFileSync(join(target, 'protocolMagicId'), 'utf8')).toBe('42');
    expect(readdirSync(scratch)).toEqual(['db']); // no staging or download directory left behind
    expect(archiveRequests().sort()).toEqual(Array.from({ length: LAST_NUMBER + 1 }, (_, n) => padded(n)));

    const types = downloaded.events.map((event) => event.type);
    expect(types.at(-1)).toBe('result');
    expect(downloaded.events.filter((event) => event.type === 'step').map((event) => event.phase)).toEqual([
      'verify-certificate',
      'digests',
      'download',
      'commit',
    ]);
    const progress = downloaded.events.filter((event) => event.type === 'progress' && event.phase === 'download');
    expect(progress.at(-1)).toMatchObject({ done: LAST_NUMBER + 1, total: LAST_NUMBER + 1 });
    expect(downloaded.events.at(-1)!.data).toMatchObject({
      snapshotHash: fixture.snapshotHash,
      files: fixture.files.length,
      downloadedNumbers: LAST_NUMBER + 1,
      reusedNumbers: 0,
      chainLength: 3,
      genesisCertificateHash: fixture.genesis.hash,
    });
  });

  test('snapshot restore --from-existing downloads only the missing and damaged numbers', async () => {
    const target = join(scratch, 'db');
    cpSync(dirname(fixture.nodeImmutable), target, { recursive: true });
    mkdirSync(join(target, 'ledger'));
    writeFileSync(join(target, 'ledger', 'state'), 'ledger state');
    // Behind by the last two numbers, one file lost, one file damaged, one stray file.
    for (const number of [LAST_NUMBER - 1, LAST_NUMBER])
      for (const extension of ['chunk', 'primary', 'secondary']) rmSync(join(target, 'immutable', `${padded(number)}.${extension}`));
    rmSync(join(target, 'immutable', `${padded(1)}.secondary`));
    writeFileSync(join(target, 'immutable', `${padded(2)}.primary`), 'damaged');
    writeFileSync(join(target, 'immutable', 'stray.tmp'), 'not certified');

    const restored = await run(['snapshot', 'restore', fixture.snapshotHash, '--target', target, '--from-existing', ...base()]);
    expect(restored.stderr).not.toContain('error');
    expect(restored.code).toBe(0);
    expect(archiveRequests().sort()).toEqual([padded(1), padded(2), padded(LAST_NUMBER - 1), padded(LAST_NUMBER)]);
    expect(tree(join(target, 'immutable'))).toEqual(tree(fixture.nodeImmutable));
    expect(readFileSync(join(target, 'ledger', 'state'), 'utf8')).toBe('ledger state');
    expect(readdirSync(target).sort()).toEqual(['immutable', 'ledger', 'protocolMagicId']);
    expect(restored.stdout).toContain('4 numbers downloaded');
    expect(restored.stdout).toContain(`${LAST_NUMBER + 1 - 4} reused`);

    // Nothing missing: nothing downloaded.
    http.requests.length = 0;
    const again = await run(['snapshot', 'restore', 'latest', '--target', target, '--from-existing', ...base(), '--json']);
    expect(again.code).toBe(0);
    expect(archiveRequests()).toEqual([]);
    expect(again.events.at(-1)!.data).toMatchObject({ downloadedNumbers: 0, reusedNumbers: LAST_NUMBER + 1 });
  });

  test('stake-distribution list and show (verified against its certificate)', async () => {
    const listed = await run(['stake-distribution', 'list', '--aggregator', endpoint(), '--json']);
    expect(listed.code).toBe(0);
    expect(listed.events[0]!.data).toEqual([expect.objectContaining({ hash: fixture.stakeDistribution.hash, epoch: Number(EPOCH) })]);

    const shown = await run(['stake-distribution', 'show', 'latest', ...base(), '--json']);
    expect(shown.code).toBe(0);
    const data = shown.events.at(-1)!.data;
    expect(data.stakeDistribution.hash).toBe(fixture.stakeDistribution.hash);
    expect(data.stakeDistribution.signers).toHaveLength(fixture.stakeDistribution.signers.length);
    expect(data.verification).toMatchObject({ verified: true, genesisCertificateHash: fixture.genesis.hash });

    const human = await run(['stake-distribution', 'show', fixture.stakeDistribution.hash, ...base()]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`Stake distribution ${fixture.stakeDistribution.hash}`);
    expect(human.stdout).toContain('pool-a');
  });

  test('certificate verify reports the chain back to genesis', async () => {
    const verified = await run(['certificate', 'verify', 'latest', ...base(), '--json']);
    expect(verified.code).toBe(0);
    const data = verified.events.at(-1)!.data;
    expect(data.certificate.hash).toBe(fixture.snapshotCertificate.hash);
    expect(data.verification.chain.map((link: { hash: string }) => link.hash)).toEqual([
      fixture.snapshotCertificate.hash,
      fixture.stakeDistributionCertificate.hash,
      fixture.genesis.hash,
    ]);

    const genesis = await run(['certificate', 'verify', 'genesis', ...base()]);
    expect(genesis.code).toBe(0);
    expect(genesis.stdout).toContain('(genesis)');

    const listed = await run(['certificate', 'list', '--aggregator', endpoint()]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(fixture.genesis.hash);
  });
});

test('over gRPC, snapshot download --full-archive fetches the one full archive', async () => {
  const target = join(scratch, 'db');
  const downloaded = await run([
    'snapshot',
    'download',
    'latest',
    '--full-archive',
    '--target',
    target,
    '--aggregator',
    grpc.address,
    '--genesis-verification-key',
    fixture.genesisKey,
  ]);
  expect(downloaded.code).toBe(0);
  expect(tree(join(target, 'immutable'))).toEqual(tree(fixture.nodeImmutable));
  expect(archiveRequests()).toEqual([]);
  expect(http.requests.filter((request) => request.path === '/files/full.tar.gz')).toHaveLength(1);
  expect(downloaded.stdout).toContain('full archive');
});

test('on a terminal, progress bars go to stderr and the summary to stdout', async () => {
  const target = join(scratch, 'db');
  const downloaded = await run(
    ['snapshot', 'download', 'latest', '--target', target, '--aggregator', http.restUrl, '--genesis-verification-key', fixture.genesisKey],
    { isTTY: true },
  );
  expect(downloaded.code).toBe(0);
  expect(downloaded.stderr).toMatch(/download +\|[█░]+\| 6\/6 archives/);
  expect(downloaded.stderr).toContain('verifying the certificate chain');
  expect(downloaded.stdout).toMatch(/^Restored snapshot [0-9a-f]{64} \(devnet, epoch 3, immutable file 5\)/);
  expect(tree(join(target, 'immutable'))).toEqual(tree(fixture.nodeImmutable));
});

test('REST requests carry the mithril-api-version header', async () => {
  await run(['snapshot', 'list', '--aggregator', http.restUrl]);
  const api = http.requests.filter((request) => request.path.startsWith('/aggregator/'));
  expect(api.length).toBeGreaterThan(0);
  expect(api.every((request) => request.apiVersion === '0.1.68')).toBe(true);
});

test('the genesis key and the aggregator can come from the environment and a key file', async () => {
  const keyFile = join(scratch, 'genesis.vkey');
  writeFileSync(keyFile, `${fixture.genesisKey}\n`);
  const fromFile = await run(['certificate', 'verify', 'latest', '--genesis-verification-key-file', keyFile], {
    env: { MITHRIL_AGGREGATOR_ENDPOINT: http.restUrl },
  });
  expect(fromFile.code).toBe(0);
  const fromEnv = await run(['certificate', 'verify', 'latest'], {
    env: { MITHRIL_AGGREGATOR_ENDPOINT: grpc.address, MITHRIL_GENESIS_VERIFICATION_KEY: fixture.genesisKey },
  });
  expect(fromEnv.code).toBe(0);
  expect(existsSync(keyFile)).toBe(true);
  expect(EXIT_CODES.ok).toBe(0);
});
