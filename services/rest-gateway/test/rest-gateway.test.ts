/**
 * The REST gateway as clients of the reference's API see it, over loopback HTTP, in front of gRPC
 * doubles of the aggregator and the signer gateway: every response of every route is validated
 * against the reference's OpenAPI document, POST bodies in the reference's shapes reach the signer
 * gateway as the expected gRPC requests, and typed gRPC errors become the reference's statuses.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { decodeJsonHex, encodeJsonHex, parseJson, toHex } from '@mithril-ts/codec';
import {
  kesSignatureFromJson,
  kesSignatureToJson,
  operationalCertificateFromJson,
  operationalCertificateToCbor,
  operationalCertificateToJson,
} from '@mithril-ts/cardano';
import * as proto from '@mithril-ts/proto';
import { signedEntityTypeToProto } from '@mithril-ts/proto';
import { PROTOCOL_VERSION, avkJsonHex, certificateToJson, signedMessageBytes } from '@mithril-ts/protocol';
import { singleSignatureToBytes, singleSignatureToJson, verificationKeyPoPFromJson, verificationKeyPoPToJson, type SingleSignature } from '@mithril-ts/stm';
import { freePort } from '@mithril-ts/testkit';
import { HTTP_STATUS_OF_ERROR_CODE, OPENAPI_VERSION, REST_GATEWAY_VERSION, type RestGatewayConfigInput, type RunningRestGateway } from '../src/index.js';
import { AggregatorDouble, SignerGatewayDouble, buildWorld, http, poolIdOf, startGatewayInFront, type HttpAnswer, type World } from './fixture.js';
import { OpenApiValidator } from './openapi.js';

const openapi = new OpenApiValidator();
let world: World;
let aggregator: AggregatorDouble;
let signerGateway: SignerGatewayDouble;
let gateway: RunningRestGateway;
const extraGateways: RunningRestGateway[] = [];

async function startGateway(extra: Partial<RestGatewayConfigInput> = {}): Promise<RunningRestGateway> {
  const started = await startGatewayInFront({ aggregator, signerGateway }, { volatileCacheMs: 0, ...extra });
  if (gateway !== undefined) extraGateways.push(started);
  return started;
}

beforeAll(async () => {
  world = buildWorld();
  aggregator = await new AggregatorDouble(world).start();
  signerGateway = await new SignerGatewayDouble().start();
  gateway = await startGateway();
});

afterAll(async () => {
  await Promise.all([gateway, ...extraGateways].map((g) => g.close()));
  await Promise.all([aggregator.stop(), signerGateway.stop()]);
});

/**
 * One request to the gateway; the answer is checked against the OpenAPI document for `route`
 * (the document's path template) and must carry the API version header.
 */
async function call(
  method: string,
  route: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; port?: number } = {},
): Promise<HttpAnswer> {
  const answer = await http(options.port ?? gateway.port, method, `/aggregator${path}`, options);
  expect(answer.headers['mithril-api-version']).toBe(OPENAPI_VERSION);
  openapi.check(route, method, answer.status, answer.body);
  return answer;
}

const get = (route: string, path = route, headers?: Record<string, string>) => call('GET', route, path, headers ? { headers } : {});
const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
  call('POST', route, route, {
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)),
  });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a response body probed field by field; the assertions check the shapes
type Json = Record<string, any>;
const json = (answer: HttpAnswer) => parseJson(answer.body) as Json;
const errorOf = (answer: HttpAnswer) => JSON.parse(answer.body) as { label: string; message: string };

describe('read routes', () => {
  it('stamps the version of the OpenAPI document it serves', () => {
    expect(OPENAPI_VERSION).toBe(openapi.document.info.version);
  });

  it('checks responses strictly against the document (the validator itself can fail)', () => {
    const certificate = JSON.parse(certificateToJson(world.chain.latest));
    expect(() => openapi.check('/certificate/{certificate_hash}', 'GET', 200, JSON.stringify(certificate))).not.toThrow();
    const broken = [
      { ...certificate, full_archive: 'x' },
      { ...certificate, metadata: { ...certificate.metadata, sealed_at: 'yesterday' } },
      { ...certificate, genesis_signature: undefined },
    ];
    for (const body of broken) expect(() => openapi.check('/certificate/{certificate_hash}', 'GET', 200, JSON.stringify(body))).toThrow(/does not match/);
    expect(() => openapi.check('/register-signer', 'POST', 201, '{}')).toThrow(/no body/);
  });

  it('GET / announces the API version and the signing capabilities', async () => {
    for (const path of ['', '/']) {
      const body = json(await get('/', path));
      expect(body).toEqual({
        open_api_version: OPENAPI_VERSION,
        documentation_url: 'https://mithril.network',
        capabilities: { signed_entity_types: ['MithrilStakeDistribution', 'CardanoDatabase'], aggregate_signature_type: 'Concatenation' },
      });
    }
  });

  it('GET /epoch-settings gives the signers with their keys, KES signatures and operational certificates in json-hex', async () => {
    const body = json(await get('/epoch-settings'));
    const settings = world.epochSettings;
    expect(body.epoch).toBe(4);
    expect(body.signer_registration_protocol).toEqual({ k: 8, m: 40, phi_f: 0.6 });
    expect(body.current_signers.map((s: { party_id: string }) => s.party_id)).toEqual(settings.currentSigners.map((s) => s.partyId));
    expect(body.next_signers).toHaveLength(settings.nextSigners.length);
    for (const [i, signer] of body.current_signers.entries()) {
      expect(Object.keys(signer).sort()).toEqual(['party_id', 'verification_key']);
      expect(verificationKeyPoPFromJson(decodeJsonHex(signer.verification_key)).toBytes()).toEqual(new Uint8Array(settings.currentSigners[i]!.verificationKey));
    }
    const pool = world.certifiedPool;
    const certified = body.next_signers.find((s: { party_id: string }) => s.party_id === pool.partyId);
    expect(certified.kes_period).toBe(pool.kesEvolutions);
    expect(certified.verification_key).toBe(encodeJsonHex(verificationKeyPoPToJson(pool.initializer.verificationKeyPoP)));
    expect(kesSignatureFromJson(decodeJsonHex(certified.verification_key_signature))).toEqual(pool.kesSignature);
    expect(operationalCertificateToCbor(operationalCertificateFromJson(decodeJsonHex(certified.operational_certificate)))).toEqual(
      operationalCertificateToCbor(pool.opcert),
    );
  });

  it('GET /epoch-settings skips a signer entry that does not decode (a garbage operational certificate) and still answers 200', async () => {
    const signers = world.epochSettings.nextSigners;
    const honest = signers.length;
    const garbage = { ...signers[0]!, partyId: 'pool1garbage', operationalCertificate: Buffer.from('garbage opcert') };
    signers.push(garbage, { ...signers[0]!, partyId: 'pool1shortkey', verificationKey: Buffer.alloc(3) });
    try {
      const answer = await get('/epoch-settings');
      expect(answer.status).toBe(200);
      const body = json(answer);
      expect(body.next_signers).toHaveLength(honest);
      expect(body.next_signers.map((s: { party_id: string }) => s.party_id)).not.toContain('pool1garbage');
    } finally {
      signers.splice(honest);
    }
  });

  it('GET /protocol-configuration/{epoch} gives the parameters of that epoch', async () => {
    expect(json(await get('/protocol-configuration/{epoch}', '/protocol-configuration/9'))).toEqual({
      protocol_parameters: { k: 10, m: 50, phi_f: 0.65 },
      available_signed_entity_types: ['MithrilStakeDistribution', 'CardanoDatabase'],
    });
    expect(aggregator.callsOf('getProtocolParameters').at(-1)!.request).toEqual({ epoch: 9n });
    expect(json(await get('/protocol-configuration/{epoch}', '/protocol-configuration/3')).protocol_parameters).toEqual({ k: 8, m: 40, phi_f: 0.6 });
  });

  it('GET /certificates lists the latest certificates, most recent first', async () => {
    const body = json(await get('/certificates')) as unknown as Json[];
    const newestFirst = [...world.chain.certificates].reverse();
    expect(body.map((c) => c.hash)).toEqual(newestFirst.map((c) => c.hash));
    expect(aggregator.callsOf('listCertificates').at(-1)!.request).toEqual({ pageSize: 20, pageToken: '' });
    const latest = world.chain.latest;
    expect(body[0]).toEqual({
      hash: latest.hash,
      previous_hash: latest.previousHash,
      epoch: 4,
      signed_entity_type: {
        CardanoDatabase: { epoch: 4, immutable_file_number: Number((latest.signedEntityType as { immutableFileNumber: bigint }).immutableFileNumber) },
      },
      metadata: {
        network: 'devnet',
        version: '0.1.0',
        parameters: { k: 8, m: 40, phi_f: 0.6 },
        initiated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        sealed_at: expect.stringMatching(/\.\d{9}Z$/),
        total_signers: latest.metadata.signers.length,
      },
      protocol_message: { message_parts: latest.protocolMessage.toRecord() },
      signed_message: latest.signedMessage,
      aggregate_verification_key: avkJsonHex(latest.aggregateVerificationKey),
    });
  });

  it('GET /certificate/{hash} and /certificate/genesis give exactly the reference JSON of each certificate', async () => {
    for (const certificate of world.chain.certificates) {
      const answer = await get('/certificate/{certificate_hash}', `/certificate/${certificate.hash}`);
      expect(answer.body).toBe(certificateToJson(certificate));
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
    }
    const genesis = await get('/certificate/genesis');
    expect(genesis.body).toBe(certificateToJson(world.chain.certificates[0]!));
    expect(json(genesis).genesis_signature).toMatch(/^[0-9a-f]{128}$/);
    expect(json(genesis).multi_signature).toBe('');
  });

  it('GET the Mithril stake distributions, listed and by hash', async () => {
    const distribution = world.stakeDistribution;
    const list = json(await get('/artifact/mithril-stake-distributions')) as unknown as Record<string, unknown>[];
    expect(list).toEqual([
      { epoch: 4, hash: distribution.hash, certificate_hash: distribution.certificateHash, created_at: expect.stringMatching(/\.\d{9}Z$/) },
    ]);
    const body = json(await get('/artifact/mithril-stake-distribution/{hash}', `/artifact/mithril-stake-distribution/${distribution.hash}`));
    expect(body.hash).toBe(distribution.hash);
    expect(body.certificate_hash).toBe(distribution.certificateHash);
    expect(body.protocol_parameters).toEqual({ k: 8, m: 40, phi_f: 0.6 });
    expect(body.signers.map((s: { party_id: string; stake: number }) => [s.party_id, s.stake])).toEqual(
      distribution.signers.map((s) => [s.partyId, Number(s.stake)]),
    );
    expect(verificationKeyPoPFromJson(decodeJsonHex(body.signers[0].verification_key)).toBytes()).toEqual(
      new Uint8Array(distribution.signers[0]!.verificationKey),
    );
  });

  it('GET the Cardano database snapshots: lists (all, by epoch, latest), digests, and one by hash with template locations and no full archive', async () => {
    const snapshot = world.snapshot;
    const item = {
      hash: snapshot.hash,
      merkle_root: snapshot.merkleRoot,
      beacon: { epoch: 4, immutable_file_number: Number(snapshot.beacon!.immutableFileNumber) },
      certificate_hash: snapshot.certificateHash,
      total_db_size_uncompressed: 123_456_789,
      cardano_node_version: '10.1.4',
      created_at: expect.stringMatching(/Z$/),
    };
    expect(json(await get('/artifact/cardano-database'))).toEqual([item]);
    expect(json(await get('/artifact/cardano-database/epoch/{epoch}', '/artifact/cardano-database/epoch/4'))).toEqual([item]);
    expect(aggregator.callsOf('listCardanoDatabaseSnapshots').at(-1)!.request).toEqual({ pageSize: 20, pageToken: '', epoch: 4n });
    expect(json(await get('/artifact/cardano-database/epoch/{epoch}', '/artifact/cardano-database/epoch/latest'))).toEqual([item]);
    expect(json(await get('/artifact/cardano-database/epoch/{epoch}', '/artifact/cardano-database/epoch/latest-1'))).toEqual([]);
    expect(aggregator.callsOf('listCardanoDatabaseSnapshots').at(-1)!.request).toEqual({ pageSize: 20, pageToken: '', epoch: 3n });

    const digests = json(await get('/artifact/cardano-database/digests')) as unknown as unknown[];
    expect(digests).toEqual(world.digests.map((d) => ({ immutable_file_name: d.immutableFileName, digest: d.digest })));
    expect(aggregator.callsOf('getCardanoDatabaseDigests').at(-1)!.request).toEqual({ hash: '' });

    const body = json(await get('/artifact/cardano-database/{hash}', `/artifact/cardano-database/${snapshot.hash}`));
    expect(body).toEqual({
      hash: snapshot.hash,
      merkle_root: snapshot.merkleRoot,
      network: 'devnet',
      beacon: item.beacon,
      certificate_hash: snapshot.certificateHash,
      total_db_size_uncompressed: 123_456_789,
      digests: { size_uncompressed: 4096, locations: [{ type: 'aggregator', uri: 'http://aggregator.example/artifact/cardano-database/digests' }] },
      immutables: {
        average_size_uncompressed: 1_048_576,
        locations: [
          { type: 'cloud_storage', uri: { Template: 'https://cdn.example/devnet/{immutable_file_number}.tar.zst' }, compression_algorithm: 'zstandard' },
        ],
      },
      ancillary: {
        size_uncompressed: 2_345_678,
        locations: [{ type: 'cloud_storage', uri: 'https://cdn.example/devnet/ancillary.tar.zst', compression_algorithm: 'zstandard' }],
      },
      cardano_node_version: '10.1.4',
      created_at: expect.stringMatching(/\.\d{9}Z$/),
    });
  });

  it('GET /signers/registered/{epoch} names registrations by the epoch they were made in', async () => {
    const body = json(await get('/signers/registered/{epoch}', '/signers/registered/3'));
    expect(aggregator.callsOf('listRegisteredSigners').at(-1)!.request).toEqual({ epoch: 4n });
    expect(body).toEqual({
      registered_at: 3,
      signing_at: 5,
      registrations: world.chain.recordings.get(4n)!.records.map((r) => ({ party_id: poolIdOf(r.partyId), stake: Number(r.stake) })),
    });
    expect(json(await get('/signers/registered/{epoch}', '/signers/registered/latest-1')).registered_at).toBe(3);
    // Nothing is recorded for epoch 5 yet (registrations of the current epoch 4).
    const none = await get('/signers/registered/{epoch}', '/signers/registered/latest');
    expect(none.status).toBe(404);
    expect(errorOf(none).message).toMatch(/epoch 4/);
  });

  it("GET /status gives the aggregator's status in the reference shape, stakes beyond 2^53 exact", async () => {
    const answer = await get('/status');
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('public, max-age=2');
    const settings = world.epochSettings;
    const parametersJson = ({ k, m, phiF }: proto.ProtocolParameters) => ({ k: Number(k), m: Number(m), phi_f: phiF });
    const stakeOf = (signers: readonly proto.Signer[]) => signers.reduce((sum, signer) => sum + signer.stake, 0n);
    expect(json(answer)).toEqual({
      epoch: 4,
      cardano_era: 'Conway',
      cardano_network: 'devnet',
      mithril_era: 'pythagoras',
      cardano_node_version: '10.1.4',
      aggregator_node_version: '0.1.0',
      protocol: parametersJson(settings.currentProtocolParameters!),
      next_protocol: parametersJson(settings.nextProtocolParameters!),
      total_signers: settings.currentSigners.length,
      total_next_signers: settings.nextSigners.length,
      total_stakes_signers: Number(stakeOf(settings.currentSigners)),
      total_next_stakes_signers: Number(stakeOf(settings.nextSigners)),
      total_cardano_spo: 3012,
      total_cardano_stake: 22_000_000_000_000_001n,
    });
    // The JSON text carries the exact integer (a double would print 22000000000000000).
    expect(answer.body).toContain('"total_cardano_stake":22000000000000001');
    // The schema is strict enough to catch a field left out or one added.
    const body = JSON.parse(answer.body) as Json;
    for (const broken of [
      { ...body, total_cardano_spo: undefined },
      { ...body, cardano_era: 7 },
      { ...body, extra: 1 },
    ])
      expect(() => openapi.check('/status', 'GET', 200, JSON.stringify(broken))).toThrow(/does not match/);
  });

  it('GET /status says "unknown" for an era the node did not report, and refuses to relay a status missing a required field (502)', async () => {
    aggregator.status = { ...world.status, cardanoEra: '' };
    try {
      expect(json(await get('/status')).cardano_era).toBe('unknown');
      aggregator.status = { ...world.status, cardanoNetwork: '' };
      const missing = await get('/status');
      expect([missing.status, errorOf(missing).label]).toEqual([502, 'invalid_upstream_answer']);
      expect(errorOf(missing).message).toMatch(/status\.cardano_network is missing/);
      aggregator.status = { ...world.status, nextProtocolParameters: undefined };
      expect(errorOf(await get('/status')).message).toMatch(/next_protocol_parameters is missing/);
    } finally {
      aggregator.status = world.status;
    }
  });

  it('calls the aggregator with its version metadata and a deadline', () => {
    expect(aggregator.calls.length).toBeGreaterThan(10);
    for (const { metadata, deadline } of aggregator.calls) {
      expect(proto.readVersionMetadata(metadata)).toEqual({ nodeVersion: REST_GATEWAY_VERSION, protocolVersion: PROTOCOL_VERSION });
      expect(Number.isFinite(deadline)).toBe(true);
    }
  });
});

describe('errors', () => {
  it('answers unknown, malformed and unserved resources with the reference Error shape', async () => {
    const cases: [route: string, path: string, status: number, label: string][] = [
      ['/certificate/{certificate_hash}', `/certificate/${'ab'.repeat(32)}`, 404, 'certificate_not_found'],
      ['/certificate/{certificate_hash}', '/certificate/not-a-hash', 400, 'bad_request'],
      ['/artifact/mithril-stake-distribution/{hash}', `/artifact/mithril-stake-distribution/${'cd'.repeat(32)}`, 404, 'artifact_not_found'],
      ['/artifact/cardano-database/{hash}', `/artifact/cardano-database/${'ef'.repeat(32)}`, 404, 'artifact_not_found'],
      ['/protocol-configuration/{epoch}', '/protocol-configuration/101', 404, 'unknown_epoch'],
      ['/protocol-configuration/{epoch}', '/protocol-configuration/-1', 400, 'bad_request'],
      ['/protocol-configuration/{epoch}', '/protocol-configuration/18446744073709551616', 400, 'bad_request'],
      ['/artifact/cardano-database/epoch/{epoch}', '/artifact/cardano-database/epoch/latest-9', 400, 'bad_request'],
      ['/signers/registered/{epoch}', '/signers/registered/newest', 400, 'bad_request'],
    ];
    for (const [route, path, status, label] of cases) {
      const answer = await get(route, path);
      expect([path, answer.status, errorOf(answer).label]).toEqual([path, status, label]);
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    const unknown = await http(gateway.port, 'GET', '/aggregator/status/unknown');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['mithril-api-version']).toBe(OPENAPI_VERSION);
    openapi.validate('openapi#/$defs/Error', JSON.parse(unknown.body), 'unknown route');
  });

  it("answers the router's own refusals (an over-long path parameter, a malformed URL), unknown routes and bad bodies in the reference shape, with the version header and without echoing the URL", async () => {
    const longHash = 'a'.repeat(5000);
    const cases: [method: string, path: string, status: number, label: string, body?: string][] = [
      ['GET', `/aggregator/certificate/${longHash}`, 414, 'uri_too_long'],
      ['GET', '/aggregator/certificate/%E0%A4%A', 400, 'bad_request'],
      ['GET', `/aggregator/no-such-route/${longHash}`, 404, 'not_found'],
      ['POST', '/aggregator/register-signatures', 400, 'bad_request', '{"not json'],
      ['POST', '/aggregator/register-signatures', 400, 'bad_request', ''],
    ];
    for (const [method, path, status, label, body] of cases) {
      const answer = await http(gateway.port, method, path, body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body });
      expect([path.slice(0, 60), answer.status, errorOf(answer).label]).toEqual([path.slice(0, 60), status, label]);
      expect(answer.headers['mithril-api-version']).toBe(OPENAPI_VERSION);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      openapi.validate('openapi#/$defs/Error', JSON.parse(answer.body), path.slice(0, 60));
      expect(answer.body).not.toContain('aaaaaaaaaa');
      expect(answer.body.length).toBeLessThan(400);
    }
  });

  it('GET /status: 503 while the aggregator is not ready or cannot be reached, 501 from an aggregator without the RPC', async () => {
    aggregator.failures.set(
      'getAggregatorStatus',
      proto.createServiceError({ code: proto.ErrorCode.ERROR_CODE_NOT_READY, message: 'the aggregator has not read the chain yet' }),
    );
    const notReady = await get('/status');
    expect([notReady.status, errorOf(notReady)]).toEqual([503, { label: 'not_ready', message: 'the aggregator has not read the chain yet' }]);
    expect(notReady.headers['cache-control']).toBe('no-store');

    const unused = await freePort();
    const orphan = await startGateway({ aggregatorAddress: `127.0.0.1:${unused}`, aggregatorDeadlineMs: 5_000 });
    const unreachable = await call('GET', '/status', '/status', { port: orphan.port });
    expect([unreachable.status, errorOf(unreachable).label]).toEqual([503, 'upstream_unavailable']);

    aggregator.unimplemented.add('getAggregatorStatus');
    try {
      const older = await get('/status');
      expect([older.status, errorOf(older).label]).toEqual([501, 'not_implemented']);
    } finally {
      aggregator.unimplemented.clear();
    }
  });

  it('answers 501 while the aggregator does not serve the Cardano database RPCs yet', async () => {
    for (const method of ['listCardanoDatabaseSnapshots', 'getCardanoDatabaseSnapshot', 'getCardanoDatabaseDigests']) aggregator.unimplemented.add(method);
    try {
      for (const [route, path] of [
        ['/artifact/cardano-database', '/artifact/cardano-database'],
        ['/artifact/cardano-database/digests', '/artifact/cardano-database/digests'],
        ['/artifact/cardano-database/{hash}', `/artifact/cardano-database/${'12'.repeat(32)}`],
      ] as const) {
        const answer = await get(route, path);
        expect([path, answer.status, errorOf(answer).label]).toEqual([path, 501, 'not_implemented']);
      }
    } finally {
      aggregator.unimplemented.clear();
    }
  });

  it('maps every typed gRPC error to the reference status', async () => {
    const expected: Record<string, number> = {
      ERROR_CODE_UNSPECIFIED: 502,
      ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION: 502,
      ERROR_CODE_MISSING_VERSION_METADATA: 502,
      ERROR_CODE_MALFORMED_REQUEST: 400,
      ERROR_CODE_UNKNOWN_EPOCH: 404,
      ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN: 550,
      ERROR_CODE_UNKNOWN_SIGNER: 400,
      ERROR_CODE_OPERATIONAL_CERTIFICATE_INVALID: 400,
      ERROR_CODE_KES_SIGNATURE_INVALID: 400,
      ERROR_CODE_KES_PERIOD_OUT_OF_WINDOW: 400,
      ERROR_CODE_VERIFICATION_KEY_INVALID: 400,
      ERROR_CODE_NO_OPEN_MESSAGE: 404,
      ERROR_CODE_SIGNATURE_TOO_LATE: 410,
      ERROR_CODE_SIGNATURE_INVALID: 400,
      ERROR_CODE_CERTIFICATE_NOT_FOUND: 404,
      ERROR_CODE_ARTIFACT_NOT_FOUND: 404,
      ERROR_CODE_INVALID_PAGE_TOKEN: 400,
      ERROR_CODE_NOT_READY: 503,
      ERROR_CODE_RATE_LIMITED: 429,
      ERROR_CODE_DIGEST_MISMATCH: 409,
      ERROR_CODE_CERTIFICATION_DENIED: 400,
      ERROR_CODE_CERTIFICATE_MISMATCH: 409,
      ERROR_CODE_BEYOND_CHAIN_TIP: 404,
      // About the gateway's own client certificate: an operator's fault, not the HTTP client's.
      ERROR_CODE_CLIENT_CERTIFICATE_REQUIRED: 502,
      ERROR_CODE_CLIENT_NOT_ALLOWED: 502,
    };
    expect(Object.keys(HTTP_STATUS_OF_ERROR_CODE).map((code) => proto.errorCodeToJSON(Number(code)))).toEqual(Object.keys(expected));
    for (const [name, status] of Object.entries(expected)) {
      const code = proto.errorCodeFromJSON(name);
      aggregator.failures.set('getEpochSettings', proto.createServiceError({ code, message: `failure ${name}` }));
      const answer = await get('/epoch-settings');
      expect([name, answer.status]).toEqual([name, status]);
      expect(errorOf(answer).message).toMatch(`failure ${name}`);
    }
    // A code from a newer peer is read as UNSPECIFIED.
    aggregator.failures.set('getEpochSettings', proto.createServiceError({ code: 99 as proto.ErrorCode, message: 'from the future' }));
    expect((await get('/epoch-settings')).status).toBe(502);
  });

  it('refuses to relay a certificate whose content does not match its hash (502)', async () => {
    const fresh = await startGateway();
    const hash = world.chain.latest.hash;
    aggregator.tampered.add(hash);
    try {
      const answer = await call('GET', '/certificate/{certificate_hash}', `/certificate/${hash}`, { port: fresh.port });
      expect([answer.status, errorOf(answer).label]).toEqual([502, 'invalid_upstream_answer']);
      expect(errorOf(answer).message).toMatch(/not the hash of its content/);
    } finally {
      aggregator.tampered.clear();
    }
    // Nothing wrong was kept: the certificate is served once the upstream answers correctly.
    expect((await call('GET', '/certificate/{certificate_hash}', `/certificate/${hash}`, { port: fresh.port })).status).toBe(200);
  });

  it('serves the same certificates from an aggregator that answers only the message (transcoded, hash still checked)', async () => {
    const fresh = await startGateway();
    aggregator.answersJson = false;
    try {
      for (const certificate of [world.chain.latest, world.chain.certificates[0]!]) {
        const answer = await call('GET', '/certificate/{certificate_hash}', `/certificate/${certificate.hash}`, { port: fresh.port });
        expect([answer.status, answer.body]).toEqual([200, certificateToJson(certificate)]);
      }
      expect((await call('GET', '/certificate/genesis', '/certificate/genesis', { port: fresh.port })).body).toBe(
        certificateToJson(world.chain.certificates[0]!),
      );
      const hash = world.chain.certificates[1]!.hash;
      aggregator.tampered.add(hash);
      const tampered = await call('GET', '/certificate/{certificate_hash}', `/certificate/${hash}`, { port: fresh.port });
      expect([tampered.status, errorOf(tampered).label]).toEqual([502, 'invalid_upstream_answer']);
      expect(errorOf(tampered).message).toMatch(/not the hash of its content/);
    } finally {
      aggregator.answersJson = true;
      aggregator.tampered.clear();
    }
  });

  it('answers 503 when the aggregator cannot be reached', async () => {
    const unused = await freePort();
    const orphan = await startGateway({ aggregatorAddress: `127.0.0.1:${unused}`, aggregatorDeadlineMs: 2_000 });
    const answer = await call('GET', '/certificates', '/certificates', { port: orphan.port });
    expect([503, 504]).toContain(answer.status);
    expect(errorOf(answer).label).toMatch(/^upstream_(unavailable|timeout)$/);
  });

  it('refuses bodies above the limit with 413, before anything goes upstream', async () => {
    const before = signerGateway.calls.length;
    const answer = await post('/register-signer', JSON.stringify({ epoch: 1, party_id: 'x'.repeat(70 * 1024), verification_key: '00' }));
    expect(answer.status).toBe(413);
    expect(errorOf(answer).label).toBe('payload_too_large');
    expect(signerGateway.calls.length).toBe(before);
  });
});

describe('API version header', () => {
  it('refuses requests of an incompatible API version with 412, and a malformed one with 400', async () => {
    for (const [version, status] of [
      ['0.1.0', 200],
      [`${OPENAPI_VERSION}`, 200],
      ['0.1.999', 200],
      ['0.2.0', 412],
      ['0.0.9', 412],
      ['1.1.68', 412],
      ['not-a-version', 400],
    ] as const) {
      const answer = await get('/certificates', '/certificates', { 'mithril-api-version': version });
      expect([version, answer.status]).toEqual([version, status]);
      if (status === 412) expect(errorOf(answer)).toEqual({ label: 'incompatible_api_version', message: expect.stringContaining(OPENAPI_VERSION) });
    }
    const banana = errorOf(await get('/certificates', '/certificates', { 'mithril-api-version': 'banana' }));
    expect(banana.label).toBe('invalid_api_version');
    expect(banana.message.match(/not a semantic version/g)).toHaveLength(1);
    expect(banana.message).toContain('"banana"');
    const fromBrowser = await get('/certificates', '/certificates', { 'mithril-api-version': '0.2.0', origin: 'https://explorer.example' });
    expect([fromBrowser.status, fromBrowser.headers['access-control-allow-origin']]).toEqual([412, '*']);
    const refusedPost = await post('/register-signatures', {}, { 'mithril-api-version': '0.2.0' });
    expect(refusedPost.status).toBe(412);
  });
});

describe('caching', () => {
  it('serves immutable resources with a strong ETag and a long Cache-Control, answers 304 to a matching If-None-Match, and asks upstream once', async () => {
    const certificate = world.chain.certificates[2]!;
    const path = `/certificate/${certificate.hash}`;
    const route = '/certificate/{certificate_hash}';
    const first = await get(route, path);
    const calls = aggregator.callsOf('getCertificate').length;
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await http(gateway.port, 'GET', `/aggregator${path}`, { headers: { 'if-none-match': ifNoneMatch } });
      expect([ifNoneMatch, again.status, again.body]).toEqual([ifNoneMatch, 304, '']);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers['mithril-api-version']).toBe(OPENAPI_VERSION);
    }
    const changed = await get(route, path, { 'if-none-match': '"something else"' });
    expect(changed.status).toBe(200);
    expect(changed.body).toBe(first.body);
    expect(aggregator.callsOf('getCertificate').length).toBe(calls);
  });

  it('compresses bodies by Accept-Encoding (br or gzip, q-values honoured), each coding with its own ETag and 304', async () => {
    const path = `/aggregator/certificate/${world.chain.latest.hash}`;
    const plain = await http(gateway.port, 'GET', path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('accept-encoding');
    const cases: [string, string | undefined][] = [
      ['gzip', 'gzip'],
      ['br', 'br'],
      ['gzip, deflate, br', 'br'],
      ['gzip, br;q=0.5', 'gzip'],
      ['br;q=0, gzip;q=0', undefined],
      ['deflate', undefined],
      ['identity', undefined],
    ];
    for (const [acceptEncoding, expected] of cases) {
      const answer = await http(gateway.port, 'GET', path, { headers: { 'accept-encoding': acceptEncoding } });
      expect([acceptEncoding, answer.status, answer.headers['content-encoding']]).toEqual([acceptEncoding, 200, expected]);
      const body = expected === 'gzip' ? gunzipSync(answer.raw) : expected === 'br' ? brotliDecompressSync(answer.raw) : answer.raw;
      expect(body.equals(plain.raw)).toBe(true);
      expect(answer.headers.etag).toBe(expected === undefined ? plain.headers.etag : `${plain.headers.etag!.slice(0, -1)}.${expected}"`);
      if (expected !== undefined) expect(answer.raw.length).toBeLessThan(plain.raw.length / 2);
      const again = await http(gateway.port, 'GET', path, { headers: { 'accept-encoding': acceptEncoding, 'if-none-match': answer.headers.etag! } });
      expect(again.status).toBe(304);
    }
    // A validator of another coding does not match the one asked for.
    const other = await http(gateway.port, 'GET', path, { headers: { 'accept-encoding': 'gzip', 'if-none-match': plain.headers.etag! } });
    expect([other.status, other.headers['content-encoding']]).toEqual([200, 'gzip']);
    // Small bodies go as they are.
    const root = await http(gateway.port, 'GET', '/aggregator', { headers: { 'accept-encoding': 'gzip, br' } });
    expect([root.status, root.headers['content-encoding']]).toEqual([200, undefined]);
  });

  it('gives changing resources a short Cache-Control, and reuses them for the configured period', async () => {
    const cached = await startGateway({ volatileCacheMs: 60_000, volatileMaxAgeSeconds: 3 });
    const before = aggregator.callsOf('listCertificates').length;
    const first = await call('GET', '/certificates', '/certificates', { port: cached.port });
    const second = await call('GET', '/certificates', '/certificates', { port: cached.port });
    expect(second.body).toBe(first.body);
    expect(first.headers['cache-control']).toBe('public, max-age=3');
    expect(aggregator.callsOf('listCertificates').length).toBe(before + 1);
    const notModified = await http(cached.port, 'GET', '/aggregator/certificates', { headers: { 'if-none-match': first.headers.etag! } });
    expect(notModified.status).toBe(304);
  });
});

describe('CORS', () => {
  it('lets any origin read by default: preflight and exposed headers', async () => {
    const preflight = await http(gateway.port, 'OPTIONS', '/aggregator/certificates', {
      headers: { origin: 'https://explorer.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'mithril-api-version' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toMatch(/^GET, ?HEAD$/);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/mithril-api-version/);
    expect(preflight.headers['mithril-api-version']).toBe(OPENAPI_VERSION);
    const read = await get('/certificates', '/certificates', { origin: 'https://explorer.example' });
    expect(read.headers['access-control-allow-origin']).toBe('*');
    expect(read.headers['access-control-expose-headers']).toMatch(/mithril-api-version/);
  });

  it('allows only the configured origins when given', async () => {
    const restricted = await startGateway({ corsOrigins: 'https://explorer.example, https://other.example' });
    const allowed = await http(restricted.port, 'GET', '/aggregator/', { headers: { origin: 'https://explorer.example' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://explorer.example');
    const refused = await http(restricted.port, 'GET', '/aggregator/', { headers: { origin: 'https://evil.example' } });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('POST /register-signer', () => {
  const pool = () => world.certifiedPool;
  const referenceBody = () => ({
    epoch: 4,
    party_id: pool().partyId,
    verification_key: encodeJsonHex(verificationKeyPoPToJson(pool().initializer.verificationKeyPoP)),
    verification_key_signature: encodeJsonHex(kesSignatureToJson(pool().kesSignature)),
    operational_certificate: encodeJsonHex(operationalCertificateToJson(pool().opcert)),
    kes_period: pool().kesEvolutions,
  });

  it('translates the reference JSON (json-hex keys) into the signer gateway registration, and answers 201', async () => {
    const answer = await post('/register-signer', referenceBody());
    expect(answer.status).toBe(201);
    expect(answer.body).toBe('');
    const received = signerGateway.callsOf('registerSigner').at(-1)!;
    expect(received.request).toEqual({
      registration: {
        epoch: 4n,
        partyId: pool().partyId,
        verificationKey: Buffer.from(pool().initializer.verificationKeyPoP.toBytes()),
        verificationKeySignature: Buffer.from(pool().kesSignature),
        operationalCertificate: Buffer.from(operationalCertificateToCbor(pool().opcert)),
        kesEvolutions: pool().kesEvolutions,
      },
    });
    expect(proto.readVersionMetadata(received.metadata)).toEqual({ nodeVersion: REST_GATEWAY_VERSION, protocolVersion: PROTOCOL_VERSION });
  });

  it('also reads keys as bytes hex, and registrations without KES material', async () => {
    const body = {
      epoch: 4,
      party_id: pool().partyId,
      verification_key: toHex(pool().initializer.verificationKeyPoP.toBytes()),
      operational_certificate: null,
      verification_key_signature: null,
    };
    expect((await post('/register-signer', body)).status).toBe(201);
    const { registration } = signerGateway.callsOf('registerSigner').at(-1)!.request as proto.SignerGatewayServiceRegisterSignerRequest;
    expect(registration).toEqual({ epoch: 4n, partyId: pool().partyId, verificationKey: Buffer.from(pool().initializer.verificationKeyPoP.toBytes()) });
  });

  it('refuses malformed registrations with 400 naming the field, without calling upstream', async () => {
    const before = signerGateway.calls.length;
    const good = referenceBody();
    for (const [body, message] of [
      ['{"epoch":', /not JSON/],
      [{ ...good, epoch: -1 }, /epoch/],
      [{ ...good, party_id: undefined }, /party_id/],
      [{ ...good, verification_key: 'zz' }, /verification_key/],
      [{ ...good, verification_key: encodeJsonHex({ vk: [1, 2], pop: [] }) }, /verification_key/],
      [{ ...good, verification_key_signature: encodeJsonHex({ sigma: [] }) }, /verification_key_signature/],
      [{ ...good, verification_key_signature: '00'.repeat(447) }, /448 bytes/],
      [{ ...good, operational_certificate: encodeJsonHex([[1], 2]) }, /operational_certificate/],
      [{ ...good, kes_period: 'soon' }, /kes_period/],
    ] as const) {
      const answer = await post('/register-signer', body);
      expect([answer.status, errorOf(answer).message]).toEqual([400, expect.stringMatching(message)]);
    }
    expect(signerGateway.calls.length).toBe(before);
  });

  it("maps the signer gateway's typed refusals to the reference statuses (550 when the round is not open)", async () => {
    for (const [code, status] of [
      [proto.ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN, 550],
      [proto.ErrorCode.ERROR_CODE_KES_SIGNATURE_INVALID, 400],
      [proto.ErrorCode.ERROR_CODE_CERTIFICATION_DENIED, 400],
      [proto.ErrorCode.ERROR_CODE_RATE_LIMITED, 429],
      [proto.ErrorCode.ERROR_CODE_NOT_READY, 503],
    ] as const) {
      signerGateway.failures.set('registerSigner', proto.createServiceError({ code, message: 'refused' }));
      const answer = await post('/register-signer', referenceBody());
      expect([code, answer.status, errorOf(answer).message]).toEqual([code, status, 'refused']);
    }
  });
});

describe('POST /register-signatures', () => {
  let signature: SingleSignature;
  let partyId: string;
  const signedMessage = () => world.chain.certificates.find((c) => c.epoch === 4n && c.signedEntityType.kind === 'MithrilStakeDistribution')!.signedMessage;

  beforeAll(() => {
    const closed = world.chain.settings(4n).currentSigners!.closed;
    for (const { partyId: name, init } of world.chain.recordings.get(3n)!.initializers) {
      const signed = init.newSigner(closed).sign(signedMessageBytes(signedMessage()));
      if (signed !== null) {
        signature = signed;
        partyId = poolIdOf(name);
        break;
      }
    }
  });

  const referenceBody = () => ({
    entity_type: { MithrilStakeDistribution: 4 },
    party_id: partyId,
    signature: encodeJsonHex(singleSignatureToJson(signature)),
    indexes: [...signature.indexes],
    signed_message: signedMessage(),
  });

  it('translates the reference JSON into the signer gateway request: 201 when counted, 202 when buffered', async () => {
    const accepted = await post('/register-signatures', referenceBody());
    expect(accepted.status).toBe(201);
    expect(signerGateway.callsOf('registerSignature').at(-1)!.request).toEqual({
      signature: {
        signedEntityType: signedEntityTypeToProto({ kind: 'MithrilStakeDistribution', epoch: 4n }),
        partyId,
        signature: Buffer.from(singleSignatureToBytes(signature)),
        wonIndexes: signature.indexes.map(BigInt),
        signedMessage: signedMessage(),
      },
    });
    signerGateway.signatureStatus = proto.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_BUFFERED;
    try {
      expect(
        (await post('/register-signatures', { ...referenceBody(), entity_type: { CardanoDatabase: { epoch: 4, immutable_file_number: 109 } } })).status,
      ).toBe(202);
      expect(
        (signerGateway.callsOf('registerSignature').at(-1)!.request as proto.SignerGatewayServiceRegisterSignatureRequest).signature!.signedEntityType,
      ).toEqual(signedEntityTypeToProto({ kind: 'CardanoDatabase', epoch: 4n, immutableFileNumber: 109n }));
    } finally {
      signerGateway.signatureStatus = proto.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED;
    }
  });

  it("maps the signer gateway's refusals: 404 no open message, 410 too late, 400 invalid", async () => {
    for (const [code, status] of [
      [proto.ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE, 404],
      [proto.ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE, 410],
      [proto.ErrorCode.ERROR_CODE_SIGNATURE_INVALID, 400],
      [proto.ErrorCode.ERROR_CODE_UNKNOWN_SIGNER, 400],
    ] as const) {
      signerGateway.failures.set('registerSignature', proto.createServiceError({ code, message: 'refused' }));
      const answer = await post('/register-signatures', referenceBody());
      expect([code, answer.status]).toEqual([code, status]);
    }
  });

  it('refuses malformed signatures with 400 without calling upstream', async () => {
    const before = signerGateway.calls.length;
    for (const [body, message] of [
      [{ ...referenceBody(), entity_type: { CardanoTransactions: [4, 10] } }, /entity_type/],
      [{ ...referenceBody(), signature: encodeJsonHex({ sigma: [1], indexes: [], signer_index: 0 }) }, /signature/],
      [{ ...referenceBody(), indexes: 'all' }, /indexes/],
      [{ ...referenceBody(), party_id: 7 }, /party_id/],
    ] as const) {
      const answer = await post('/register-signatures', body);
      expect([answer.status, errorOf(answer).message]).toEqual([400, expect.stringMatching(message)]);
    }
    expect(signerGateway.calls.length).toBe(before);
  });
});

describe('lifecycle', () => {
  it('closes gracefully: once closed, no connection is accepted; closing twice is fine', async () => {
    const transient = await startGateway();
    expect((await http(transient.port, 'GET', '/aggregator/')).status).toBe(200);
    await Promise.all([transient.close(), transient.close()]);
    await expect(http(transient.port, 'GET', '/aggregator/')).rejects.toThrow(/ECONNREFUSED/);
  });
});
