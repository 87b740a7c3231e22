/**
 * SignerGatewayService over a real connection under fuzzed requests (random bytes, mutated
 * registrations and signatures, valid ones of extreme numbers and bulky fields), with the real
 * certifier behind it and an aggregator double: every call ends with OK or a typed error, the gateway
 * keeps serving, its heap comes back. `npm run fuzz` raises the cases through FUZZ_RUNS.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCertifier } from '@mithril-ts/certifier';
import {
  SignerGatewayServiceRegisterSignatureRequest,
  SignerGatewayServiceRegisterSignerRequest,
  type SignerRegistration,
  type SingleSignature,
} from '@mithril-ts/proto';
import { createLogger } from '@mithril-ts/service-kit';
import { SLOTS_PER_KES_PERIOD, chainDirectory, testPool } from '@mithril-ts/testkit';
import {
  RawGrpcCaller,
  bulkyBytes,
  bulkyText,
  extremeSignedEntityType,
  extremeUint32,
  extremeUint64,
  fuzzRpc,
  fuzzRuns,
  fuzzHealthCheck,
  requestInputs,
  seedInputs,
  settledHeapBytes,
} from '@mithril-ts/testkit/fuzz';
import fc from 'fast-check';
import { MAX_REQUEST_BYTES, signerGatewayConfigSchema, startSignerGateway, type RunningSignerGateway } from '../src/index.js';
import { AggregatorDouble, hexMessage, sign, signatureMessage, signingRound } from './fixture.js';

const RUNS = fuzzRuns(15);
/** Room for the rest of a message beside one bulky field. */
const BULKY = MAX_REQUEST_BYTES - 4096;
/** What the heap may keep after the run: caches that fill once (epoch settings, rate limiter buckets); a leak per call grows past it. */
const HEAP_BOUND = 24 * 1024 * 1024;
const REGISTER_SIGNER = '/mithril.v1.SignerGatewayService/RegisterSigner';
const REGISTER_SIGNATURE = '/mithril.v1.SignerGatewayService/RegisterSignature';

const SIGNING_EPOCH = 12n;
const round = signingRound({ k: 5n, m: 50n, phiF: 0.9 }, [10n, 20n, 30n, 40n], SIGNING_EPOCH);
const message = hexMessage('protocol message of the fuzzed round');
const pools = [0, 1].map((i) => testPool(i));

const toMessage = (registration: ReturnType<(typeof pools)[number]['registration']>): SignerRegistration => ({
  ...registration,
  verificationKey: Buffer.from(registration.verificationKey),
  verificationKeySignature: registration.verificationKeySignature && Buffer.from(registration.verificationKeySignature),
  operationalCertificate: registration.operationalCertificate && Buffer.from(registration.operationalCertificate),
});
const realRegistrations = pools.map((pool) => toMessage(pool.registration()));
const realSignatures = round.parties.map((party) => signatureMessage(party, sign(party, message), message, SIGNING_EPOCH));

const encodeRegistration = (registration: SignerRegistration) => SignerGatewayServiceRegisterSignerRequest.encode({ registration }).finish();
const encodeSignature = (signature: SingleSignature) => SignerGatewayServiceRegisterSignatureRequest.encode({ signature }).finish();

/** A real registration with some fields replaced by extreme or bulky values. */
const registrations = fc
  .record(
    {
      base: fc.constantFrom(...realRegistrations),
      epoch: extremeUint64(),
      partyId: bulkyText(BULKY),
      verificationKey: bulkyBytes(BULKY),
      verificationKeySignature: bulkyBytes(BULKY),
      operationalCertificate: bulkyBytes(BULKY),
      kesEvolutions: extremeUint32(),
    },
    { requiredKeys: ['base'] },
  )
  .map(({ base, ...replaced }) => encodeRegistration({ ...base, ...replaced }));

/** Won indexes: a few extreme ones, or as many as fit in the message (each up to ten bytes on the wire). */
const wonIndexes = fc.oneof(
  { weight: 6, arbitrary: fc.array(extremeUint64(), { maxLength: 64 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(1000, 20_000), extremeUint64()).map(([length, index]) => Array.from({ length }, () => index)) },
);

/** A real signature with some fields replaced by extreme or bulky values. */
const signatures = fc
  .record(
    {
      base: fc.constantFrom(...realSignatures),
      signedEntityType: extremeSignedEntityType(),
      partyId: bulkyText(BULKY),
      signature: bulkyBytes(BULKY),
      wonIndexes,
      signedMessage: bulkyText(BULKY),
    },
    { requiredKeys: ['base'] },
  )
  .map(({ base, ...replaced }) => encodeSignature({ ...base, ...replaced }));

const rpcs = [
  { path: REGISTER_SIGNER, seeds: realRegistrations.map(encodeRegistration), valid: registrations },
  { path: REGISTER_SIGNATURE, seeds: realSignatures.map(encodeSignature), valid: signatures },
];

let certifier: Awaited<ReturnType<typeof startCertifier>>;
let aggregator: AggregatorDouble;
let gateway: RunningSignerGateway;
let caller: RawGrpcCaller;
let heapBefore: number;

beforeAll(async () => {
  certifier = await startCertifier({
    host: '127.0.0.1',
    port: 0,
    chainDirectory: chainDirectory(pools),
    slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
    storeUrl: `file:${join(mkdtempSync(join(tmpdir(), 'gateway-fuzz-certifier-')), 'certifier.sqlite')}`,
    logLevel: 'fatal',
    insecure: true,
    allowInsecureKeyPermissions: false,
    allowedClients: ['signer-gateway'],
  });
  aggregator = await new AggregatorDouble(round.epochSettings).start();
  // Bursts large enough that the fuzzer reaches the checks behind the rate limiter (RESOURCE_EXHAUSTED is a typed answer too).
  const config = signerGatewayConfigSchema.parse({
    insecure: true,
    port: 0,
    certifierAddress: `127.0.0.1:${certifier.port}`,
    aggregatorAddress: aggregator.address,
    registrationBurst: 1_000_000,
    signatureBurst: 1_000_000,
    logLevel: 'silent',
  });
  gateway = await startSignerGateway(config, { logger: createLogger('test', 'silent') });
  caller = new RawGrpcCaller(`127.0.0.1:${gateway.port}`);
  // Warm up (code paths compiled, caches filled) before the heap is measured.
  for (const rpc of rpcs) await fuzzRpc(caller, { path: rpc.path, inputs: requestInputs(rpc), runs: 5, maxRequestBytes: MAX_REQUEST_BYTES });
  heapBefore = settledHeapBytes();
});

afterAll(async () => {
  caller.close();
  await gateway.close();
  await aggregator.close();
  await certifier.close();
});

describe('SignerGatewayService under fuzzed requests', () => {
  it.each(rpcs)(`$path answers ${RUNS} requests with OK or a typed error, never a fault or a hang`, async (rpc) => {
    const counts = await fuzzRpc(caller, {
      path: rpc.path,
      inputs: requestInputs(rpc),
      runs: RUNS,
      maxRequestBytes: MAX_REQUEST_BYTES,
      examples: seedInputs(rpc.seeds),
    });
    // The real requests were accepted: the fuzzer's neighbours of them reach every check.
    expect(counts.OK ?? 0).toBeGreaterThan(0);
  });

  it('the health service answers fuzzed requests with OK or a refusal', async () => {
    await fuzzHealthCheck(caller, ['mithril.v1.SignerGatewayService'], RUNS);
  });

  it('keeps serving after the run, its heap back to its level', async () => {
    expect(await caller.health('mithril.v1.SignerGatewayService')).toBe('SERVING');
    expect(settledHeapBytes() - heapBefore).toBeLessThan(HEAP_BOUND);
  });
});
