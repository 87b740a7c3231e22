/**
 * Ancillary files (ledger state + last trio, vouched for by a manifest signed with the ancillary
 * key), protocolMagicId, range restores and `snapshot verify`, against the test servers.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AncillarySigner, encodeAncillaryKey } from '@mithril-ts/protocol';
import { EXIT_CODES } from '../src/index.js';
import { ANCILLARY_FILES, buildFixture, packAncillary, sha256Hex, type Fixture } from './support/fixture.js';
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
  scratch = join(fixture.root, `ancillary-${++counter}`);
  mkdirSync(scratch);
});

const requested = (name: string) => http.requests.some((request) => request.path === `/files/${name}`);

/** An ancillary archive of the fixture's ancillary files as they are now, with a manifest of `manifestData` (default: their digests) signed by `signer`. */
async function forgedArchive(files: readonly string[], signer: AncillarySigner, manifestData?: Map<string, string>): Promise<Buffer> {
  const out = join(scratch, 'forged.tar.gz');
  await packAncillary(fixture.ancillarySource, files, signer, out, manifestData);
  // The fixture's own manifest is rewritten by packAncillary: put it back for the next test.
  await packAncillary(fixture.ancillarySource, ANCILLARY_FILES, fixture.ancillarySigner, join(scratch, 'restored-manifest.tar.gz'));
  return readFileSync(out);
}

describe.each([
  ['REST', () => http.restUrl],
  ['gRPC', () => `grpc://${grpc.address}`],
] as const)('over %s', (_name, endpoint) => {
  const base = () => ['--aggregator', endpoint(), '--genesis-verification-key', fixture.genesisKey];

  test('--include-ancillary leaves a directory a node starts from: ledger snapshot, immutable files, last trio, protocolMagicId', async () => {
    const target = join(scratch, 'db');
    const restored = await run([
      'snapshot',
      'download',
      'latest',
      '--target',
      target,
      '--include-ancillary',
      '--ancillary-verification-key',
      fixture.ancillaryKey,
      ...base(),
      '--json',
    ]);
    expect(restored.code).toBe(0);
    expect(restored.events.at(-1)!.data).toMatchObject({
      ancillary: { ledgerSnapshots: ['119'], files: [...ANCILLARY_FILES].sort() },
      protocolMagicId: 42,
    });
    const immutable = tree(join(target, 'immutable'));
    for (const [name, digest] of tree(fixture.nodeImmutable)) expect(immutable.get(name)).toBe(digest);
    for (const file of ANCILLARY_FILES) expect(readFileSync(join(target, file))).toEqual(readFileSync(join(fixture.ancillarySource, file)));
    expect(readFileSync(join(target, 'protocolMagicId'), 'utf8')).toBe('42');
    expect(readdirSync(target).sort()).toEqual(['immutable', 'ledger', 'protocolMagicId']);
  });

  test('without --include-ancillary nothing ancillary is downloaded; --network-magic sets protocolMagicId', async () => {
    const target = join(scratch, 'db');
    const restored = await run(['snapshot', 'download', 'latest', '--target', target, '--network-magic', '7', ...base()]);
    expect(restored.code).toBe(0);
    expect(requested('ancillary.tar.gz')).toBe(false);
    expect(existsSync(join(target, 'ledger'))).toBe(false);
    expect(readFileSync(join(target, 'protocolMagicId'), 'utf8')).toBe('7');
  });

  test('a manifest signed by another key is refused with a clear message; nothing is left', async () => {
    const target = join(scratch, 'db');
    const other = encodeAncillaryKey(AncillarySigner.generate().verificationKey());
    const refused = await run([
      'snapshot',
      'download',
      'latest',
      '--target',
      target,
      '--include-ancillary',
      '--ancillary-verification-key',
      other,
      ...base(),
      '--json',
    ]);
    expect(refused.code).toBe(EXIT_CODES.verification);
    expect(refused.events.at(-1)).toMatchObject({ type: 'error', reason: 'ANCILLARY_MANIFEST_SIGNATURE_INVALID' });
    expect(refused.events.at(-1)!.message).toMatch(/ancillary manifest signature does not verify/);
    expect(existsSync(target)).toBe(false);
  });

  test('the ancillary key is required with --include-ancillary, and only then', async () => {
    const refused = await run(['snapshot', 'download', 'latest', '--target', join(scratch, 'db'), '--include-ancillary', ...base(), '--json']);
    expect(refused.code).toBe(EXIT_CODES.usage);
    expect(refused.events.at(-1)).toMatchObject({ reason: 'MISSING_ANCILLARY_KEY' });
    const fromEnv = await run(['snapshot', 'download', 'latest', '--target', join(scratch, 'env'), '--include-ancillary', ...base()], {
      env: { MITHRIL_ANCILLARY_VERIFICATION_KEY: fixture.ancillaryKey },
    });
    expect(fromEnv.code).toBe(0);
  });

  test('--start/--end restore a range of immutable files, downloading only those', async () => {
    const target = join(scratch, 'db');
    const ranged = await run(['snapshot', 'download', 'latest', '--target', target, '--start', '2', '--end', '4', ...base(), '--json']);
    expect(ranged.code).toBe(0);
    expect(ranged.events.at(-1)!.data).toMatchObject({ range: { start: 2, end: 4 }, immutableFileNumbers: 3, files: 9 });
    expect(readdirSync(join(target, 'immutable')).sort()).toEqual(
      ['00002', '00003', '00004'].flatMap((n) => ['chunk', 'primary', 'secondary'].map((e) => `${n}.${e}`)),
    );
    const archives = http.requests.filter((request) => /^\/files\/\d{5}\.tar\.gz$/.test(request.path)).map((request) => request.path.slice(7, 12));
    expect(archives.sort()).toEqual(['00002', '00003', '00004']);
    const bad = await run(['snapshot', 'download', 'latest', '--target', join(scratch, 'bad'), '--start', '4', '--end', '2', ...base(), '--json']);
    expect(bad.code).toBe(EXIT_CODES.usage);
    expect(bad.events.at(-1)).toMatchObject({ reason: 'INVALID_RANGE' });
  });
});

describe('ancillary archives that must be refused (REST: no archive SHA-256 announced, the manifest is the only check)', () => {
  const base = () => [
    '--aggregator',
    http.restUrl,
    '--genesis-verification-key',
    fixture.genesisKey,
    '--include-ancillary',
    '--ancillary-verification-key',
    fixture.ancillaryKey,
    '--json',
  ];

  test('a file changed after signing', async () => {
    const files = [...ANCILLARY_FILES];
    const data = new Map(files.map((file) => [file, sha256Hex(readFileSync(join(fixture.ancillarySource, file)))]));
    const state = join(fixture.ancillarySource, 'ledger/119/state');
    const original = readFileSync(state);
    const archive = await (async () => {
      writeFileSync(state, Buffer.concat([original, Buffer.from('tampered')]));
      try {
        return await forgedArchive(files, fixture.ancillarySigner, data);
      } finally {
        writeFileSync(state, original);
      }
    })();
    http.fileOverrides.set('ancillary.tar.gz', archive);
    const target = join(scratch, 'db');
    const refused = await run(['snapshot', 'download', 'latest', '--target', target, ...base()]);
    expect(refused.code).toBe(EXIT_CODES.verification);
    expect(refused.events.at(-1)).toMatchObject({ reason: 'ANCILLARY_DIGEST_MISMATCH' });
    expect(refused.events.at(-1)!.message).toContain('ledger/119/state');
    expect(existsSync(target)).toBe(false);
  });

  test('a signed manifest that would replace a certified immutable file', async () => {
    const certified = join(fixture.ancillarySource, 'immutable', '00005.chunk');
    writeFileSync(certified, 'not the certified bytes');
    try {
      http.fileOverrides.set('ancillary.tar.gz', await forgedArchive([...ANCILLARY_FILES, 'immutable/00005.chunk'], fixture.ancillarySigner));
    } finally {
      unlinkSync(certified);
    }
    const refused = await run(['snapshot', 'download', 'latest', '--target', join(scratch, 'db'), ...base()]);
    expect(refused.code).toBe(EXIT_CODES.verification);
    expect(refused.events.at(-1)).toMatchObject({ reason: 'UNEXPECTED_ANCILLARY_ENTRY' });
    expect(refused.events.at(-1)!.message).toContain('would replace certified immutable file number 5');
  });

  test('an archive with a file the manifest does not list', async () => {
    const files = [...ANCILLARY_FILES];
    const data = new Map(
      files.filter((file) => file !== 'ledger/119/meta').map((file) => [file, sha256Hex(readFileSync(join(fixture.ancillarySource, file)))]),
    );
    http.fileOverrides.set('ancillary.tar.gz', await forgedArchive(files, fixture.ancillarySigner, data));
    const refused = await run(['snapshot', 'download', 'latest', '--target', join(scratch, 'db'), ...base()]);
    expect(refused.code).toBe(EXIT_CODES.verification);
    expect(refused.events.at(-1)).toMatchObject({ reason: 'ANCILLARY_FILE_SET_MISMATCH' });
  });
});

describe('snapshot verify --db-dir', () => {
  const verify = (directory: string) =>
    run(['snapshot', 'verify', 'latest', '--db-dir', directory, '--aggregator', http.restUrl, '--genesis-verification-key', fixture.genesisKey, '--json']);

  test('reports per file what is missing, extra or tampered; the exit code says which', async () => {
    const target = join(scratch, 'db');
    expect(
      (await run(['snapshot', 'download', 'latest', '--target', target, '--aggregator', http.restUrl, '--genesis-verification-key', fixture.genesisKey])).code,
    ).toBe(0);
    const intact = await verify(target);
    expect(intact.code).toBe(0);
    expect(intact.events.at(-1)!.data).toMatchObject({ status: 'intact', checked: 18, intact: 18, missing: [], tampered: [], extra: [] });

    // A newer trio past the snapshot is the node's business, not an extra file.
    for (const ext of ['chunk', 'primary', 'secondary']) writeFileSync(join(target, 'immutable', `00006.${ext}`), 'newer');
    writeFileSync(join(target, 'immutable', 'notes.txt'), 'stray');
    const extra = await verify(target);
    expect(extra.code).toBe(EXIT_CODES.dbFilesExtra);
    expect(extra.events.at(-1)!.data).toMatchObject({ status: 'extra', extra: ['notes.txt'], beyondSnapshot: 3 });

    unlinkSync(join(target, 'immutable', '00002.primary'));
    const missing = await verify(target);
    expect(missing.code).toBe(EXIT_CODES.dbFilesMissing);
    expect(missing.events.at(-1)!.data).toMatchObject({ status: 'missing', missing: ['00002.primary'], extra: ['notes.txt'] });

    appendFileSync(join(target, 'immutable', '00004.chunk'), 'x');
    const tampered = await verify(target);
    expect(tampered.code).toBe(EXIT_CODES.verification);
    expect(tampered.events.at(-1)!.data).toMatchObject({ status: 'tampered', tampered: ['00004.chunk'], missing: ['00002.primary'], intact: 16 });

    const human = await run([
      'snapshot',
      'verify',
      'latest',
      '--db-dir',
      target,
      '--aggregator',
      http.restUrl,
      '--genesis-verification-key',
      fixture.genesisKey,
    ]);
    expect(human.code).toBe(EXIT_CODES.verification);
    expect(human.stdout).toMatch(/tampered \(SHA-256 is not the certified digest\): 00004\.chunk/);
    expect(human.stdout).toMatch(/missing: 00002\.primary/);
  });

  test('a directory without immutable/ is a usage error', async () => {
    const refused = await verify(join(scratch, 'nowhere'));
    expect(refused.code).toBe(EXIT_CODES.usage);
    expect(refused.events.at(-1)).toMatchObject({ reason: 'NO_IMMUTABLE_DIRECTORY' });
  });
});
