/**
 * The REST gateway's HTTP routes under fuzzed requests (paths with extreme or random parameters,
 * random query strings, random and mutated bodies, bodies of extreme numbers), over loopback HTTP in
 * front of gRPC doubles: every request is answered within a deadline, never with a 5xx (a fault of
 * the gateway: the doubles answer everything), the gateway keeps answering, its heap comes back.
 * `npm run fuzz` raises the cases through FUZZ_RUNS.
 */
import { encodeJsonHex } from '@mithril-ts/codec';
import { kesSignatureToJson, operationalCertificateToJson } from '@mithril-ts/cardano';
import { verificationKeyPoPToJson } from '@mithril-ts/stm';
import { EXTREME_UINT64, fuzzRuns, mutatedBytes, settledHeapBytes } from '@mithril-ts/testkit/fuzz';
import fc, { type Arbitrary } from 'fast-check';
import { restGatewayConfigSchema, startRestGateway, type RunningRestGateway } from '../src/index.js';
import { AggregatorDouble, SignerGatewayDouble, buildWorld, http, type HttpAnswer, type World } from './fixture.js';

const RUNS = fuzzRuns(40);
/** What the heap may keep after the run: caches that fill once (the gateway's response cache); a leak per request grows past it. */
const HEAP_BOUND = 24 * 1024 * 1024;
/** A request not answered by then is a hang. */
const DEADLINE_MS = 10_000;
/** Node's HTTP parser refuses request heads over 16 KiB (431): paths stay under it, so routes see them. */
const MAX_PATH_CHARACTERS = 12_000;
const BODY_LIMIT = 64 * 1024;

let world: World;
let aggregator: AggregatorDouble;
let signerGateway: SignerGatewayDouble;
let gateway: RunningRestGateway;
let heapBefore: number;

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

/** Bytes as a path segment or query part: every byte percent-encoded (invalid UTF-8, NUL, slashes included). */
const percentEncoded = (bytes: Uint8Array) => Array.from(bytes, (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** A route parameter: numbers at the edges, the fixture's hashes, hex-like text, random text or bytes, a long run. */
function parameter(hashes: readonly string[]): Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      ...EXTREME_UINT64.map(String),
      '18446744073709551616',
      '-1',
      '1e308',
      'NaN',
      'Infinity',
      '0x10',
      '%201',
      '1.5',
      'latest',
      'latest-1',
      'latest-99999999999',
    ),
    fc.constantFrom(...hashes),
    fc.string({ maxLength: 80, unit: fc.constantFrom(...'0123456789abcdefABCDEF') }),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.uint8Array({ maxLength: 64 }).map(percentEncoded),
    fc.tuple(fc.constantFrom('a', '0', '%ff', '..'), fc.integer({ min: 1, max: 2_000 })).map(([unit, count]) => unit.repeat(count)),
  );
}

const query: Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('limit', 'offset', 'epoch', 'page', 'hash', ''), fc.string({ maxLength: 12 }).map(encodeURIComponent)),
        fc.string({ maxLength: 40 }).map(encodeURIComponent),
      ),
      {
        maxLength: 6,
      },
    )
    .map((pairs) => `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => `?${percentEncoded(bytes)}`),
);

const TEMPLATES = [
  '',
  '/',
  '/epoch-settings',
  '/protocol-configuration/{}',
  '/certificates',
  '/certificate/genesis',
  '/certificate/{}',
  '/artifact/mithril-stake-distributions',
  '/artifact/mithril-stake-distribution/{}',
  '/artifact/cardano-database',
  '/artifact/cardano-database/epoch/{}',
  '/artifact/cardano-database/digests',
  '/artifact/cardano-database/{}',
  '/signers/registered/{}',
  '/register-signer',
  '/register-signatures',
  '/{}',
  '/certificate/{}/{}',
];

/** A JSON value of extreme numbers or odd shapes, where a field's value is expected. */
const oddJsonValue: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...EXTREME_UINT64.map(Number), -1, 1.5, 1e308, -0, 2 ** 53 + 2, null, true, '', '18446744073709551616', [], {}),
  fc.string({ maxLength: 64 }),
  fc.constant('ab'.repeat(30_000)),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A valid body of the route with one to three fields replaced by odd values, or a field added. */
function oddBody(valid: Record<string, unknown>): Arbitrary<Buffer> {
  const keys = Object.keys(valid);
  return fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 10 })), oddJsonValue), { minLength: 1, maxLength: 3 })
    .map((changes) => Buffer.from(JSON.stringify({ ...valid, ...Object.fromEntries(changes) })));
}

function requests(
  bodies: { readonly registration: Record<string, unknown>; readonly signature: Record<string, unknown> },
  hashes: readonly string[],
): Arbitrary<FuzzRequest> {
  const seeds = [bodies.registration, bodies.signature].map((body) => Buffer.from(JSON.stringify(body)));
  const body: Arbitrary<Buffer | undefined> = fc.oneof(
    fc.constant(undefined),
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
    mutatedBytes(seeds).map((bytes) => Buffer.from(bytes)),
    oddBody(bodies.registration),
    oddBody(bodies.signature),
    fc.constantFrom(BODY_LIMIT - 16, BODY_LIMIT + 1).map((size) => Buffer.from(`{"party_id":"${'a'.repeat(size)}"}`)),
  );
  const path = fc
    .tuple(fc.constantFrom(...TEMPLATES), fc.array(parameter(hashes), { minLength: 2, maxLength: 2 }), query)
    .map(([template, [first, second], search]) => `/aggregator${template.replace('{}', first!).replace('{}', second!)}${search}`.slice(0, MAX_PATH_CHARACTERS));
  const contentType = fc.constantFrom<string | undefined>(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/octet-stream',
    'multipart/form-data',
    undefined,
  );
  const acceptEncoding = fc.constantFrom<string | undefined>(undefined, 'gzip', 'br', 'gzip;q=0, identity', '*;q=0', 'x'.repeat(200));
  return fc
    .record({
      method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'),
      path,
      body,
      contentType,
      acceptEncoding,
      apiVersion: fc.constantFrom<string | undefined>(undefined, '0.1.0', '9.9.9', 'x'),
    })
    .map(({ method, path: url, body: payload, contentType: type, acceptEncoding: encoding, apiVersion }) => {
      const headers: Record<string, string> = {};
      if (type !== undefined) headers['content-type'] = type;
      if (encoding !== undefined) headers['accept-encoding'] = encoding;
      if (apiVersion !== undefined) headers['mithril-api-version'] = apiVersion;
      const sent = method === 'GET' || method === 'HEAD' ? undefined : payload;
      if (sent !== undefined) headers['content-length'] = String(sent.length);
      return Object.assign(
        { method, path: url, headers, ...(sent === undefined ? {} : { body: sent }) },
        { [fc.toStringMethod]: () => `${method} ${url.slice(0, 200)} (${sent?.length ?? 0} body bytes)` },
      );
    });
}

function answer(request: FuzzRequest): Promise<HttpAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${request.method} ${request.path.slice(0, 200)}: no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  const options = { headers: request.headers, ...(request.body === undefined ? {} : { body: request.body }) };
  return Promise.race([http(gateway.port, request.method, request.path, options), deadline]).finally(() => clearTimeout(timer));
}

let bodies: { registration: Record<string, unknown>; signature: Record<string, unknown> };
let hashes: string[];

beforeAll(async () => {
  world = buildWorld();
  aggregator = await new AggregatorDouble(world).start();
  signerGateway = await new SignerGatewayDouble().start();
  gateway = await startRestGateway(
    restGatewayConfigSchema.parse({
      insecure: true,
      port: 0,
      aggregatorAddress: `127.0.0.1:${aggregator.port}`,
      signerGatewayAddress: `127.0.0.1:${signerGateway.port}`,
      bodyLimitBytes: BODY_LIMIT,
      logLevel: 'silent',
    }),
  );
  const pool = world.certifiedPool;
  bodies = {
    registration: {
      epoch: 4,
      party_id: pool.partyId,
      verification_key: encodeJsonHex(verificationKeyPoPToJson(pool.initializer.verificationKeyPoP)),
      verification_key_signature: encodeJsonHex(kesSignatureToJson(pool.kesSignature)),
      operational_certificate: encodeJsonHex(operationalCertificateToJson(pool.opcert)),
      kes_period: pool.kesEvolutions,
    },
    signature: {
      entity_type: { MithrilStakeDistribution: 4 },
      party_id: pool.partyId,
      signature: 'ab'.repeat(100),
      indexes: [1, 5, 9],
      signed_message: world.chain.certificates.at(-1)!.signedMessage,
    },
  };
  hashes = [world.chain.certificates.at(-1)!.hash, world.chain.certificates[0]!.hash, world.snapshot.hash, world.stakeDistribution.hash];
  // Warm up (routes compiled, caches filled) before the heap is measured.
  await fuzz(10);
  heapBefore = settledHeapBytes();
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await Promise.all([aggregator?.stop(), signerGateway?.stop()]);
});

/** Every request is answered, and never with a 5xx: the doubles answer everything, so a 5xx is the gateway's fault. */
async function fuzz(runs: number): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  await fc.assert(
    fc.asyncProperty(requests(bodies, hashes), async (request) => {
      const { status, body } = await answer(request);
      counts[status] = (counts[status] ?? 0) + 1;
      if (status >= 500) throw new Error(`${request.method} ${request.path.slice(0, 200)} answered ${status}: ${body.slice(0, 300)}`);
    }),
    { numRuns: runs },
  );
  return counts;
}

describe('REST gateway under fuzzed HTTP requests', () => {
  it(`answers ${RUNS} requests within the deadline, never with a 5xx`, async () => {
    const counts = await fuzz(RUNS);
    // Some requests got past the router to the routes' handlers.
    expect(counts[200] ?? 0).toBeGreaterThan(0);
  });

  it('keeps answering after the run, its heap back to its level', async () => {
    expect((await http(gateway.port, 'GET', '/aggregator/')).status).toBe(200);
    expect(settledHeapBytes() - heapBefore).toBeLessThan(HEAP_BOUND);
  });
});
