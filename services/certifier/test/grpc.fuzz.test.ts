/**
 * CertifierService over a real connection under fuzzed requests (random bytes, mutated registrations,
 * registrations of extreme numbers and bulky fields): every call ends with OK or a typed error, the
 * certifier keeps serving, its heap comes back. `npm run fuzz` raises the cases through FUZZ_RUNS.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertifierServiceCertifyRequest, type SignerRegistration } from '@mithril-ts/proto';
import { DEFAULT_MAX_RECEIVE_BYTES } from '@mithril-ts/service-kit';
import { SLOTS_PER_KES_PERIOD, chainDirectory, testPool } from '@mithril-ts/testkit';
import {
  RawGrpcCaller,
  bulkyBytes,
  bulkyText,
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
import { startCertifier } from '../src/index.js';

const RUNS = fuzzRuns(20);
/** Room for the rest of a message beside one bulky field. */
const BULKY = DEFAULT_MAX_RECEIVE_BYTES - 4096;
/** What the heap may keep after the run: caches that fill once, the test's own records; a leak per call grows past it. */
const HEAP_BOUND = 24 * 1024 * 1024;
const CERTIFY = '/mithril.v1.CertifierService/Certify';

const pools = [testPool(0), testPool(1)];
const real = pools.map((pool) => pool.registration());
const encode = (registration: SignerRegistration) => CertifierServiceCertifyRequest.encode({ registration }).finish();
const asMessage = (registration: (typeof real)[number]): SignerRegistration => ({
  ...registration,
  verificationKey: Buffer.from(registration.verificationKey),
  verificationKeySignature: registration.verificationKeySignature && Buffer.from(registration.verificationKeySignature),
  operationalCertificate: registration.operationalCertificate && Buffer.from(registration.operationalCertificate),
});

/** A real registration with some fields replaced by extreme or bulky values: the checks past decoding see them. */
const registrations = fc
  .record(
    {
      base: fc.constantFrom(...real.map(asMessage)),
      epoch: extremeUint64(),
      partyId: bulkyText(BULKY),
      verificationKey: bulkyBytes(BULKY),
      verificationKeySignature: bulkyBytes(BULKY),
      operationalCertificate: bulkyBytes(BULKY),
      kesEvolutions: extremeUint32(),
    },
    { requiredKeys: ['base'] },
  )
  .map(({ base, ...replaced }) => encode({ ...base, ...replaced }));

let certifier: Awaited<ReturnType<typeof startCertifier>>;
let caller: RawGrpcCaller;
let heapBefore: number;

beforeAll(async () => {
  certifier = await startCertifier({
    host: '127.0.0.1',
    port: 0,
    chainDirectory: chainDirectory(pools),
    slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
    storeUrl: `file:${join(mkdtempSync(join(tmpdir(), 'certifier-fuzz-')), 'certifier.sqlite')}`,
    logLevel: 'fatal',
    insecure: true,
    allowInsecureKeyPermissions: false,
    allowedClients: ['signer-gateway'],
  });
  caller = new RawGrpcCaller(`127.0.0.1:${certifier.port}`);
  // Warm up (code paths compiled, lazy caches filled) before the heap is measured.
  await fuzzRpc(caller, { path: CERTIFY, inputs: requestInputs({ seeds: real.map((r) => encode(asMessage(r))), valid: registrations }), runs: 5 });
  heapBefore = settledHeapBytes();
});

afterAll(async () => {
  caller.close();
  await certifier.close();
});

describe('CertifierService under fuzzed requests', () => {
  it(`Certify answers ${RUNS} requests with OK or a typed error, never a fault or a hang`, async () => {
    const counts = await fuzzRpc(caller, {
      path: CERTIFY,
      inputs: requestInputs({ seeds: real.map((r) => encode(asMessage(r))), valid: registrations }),
      runs: RUNS,
      maxRequestBytes: DEFAULT_MAX_RECEIVE_BYTES,
      examples: seedInputs(real.map((r) => encode(asMessage(r)))),
    });
    // The real registrations were certified: the fuzzer's neighbours of them reach every check.
    expect(counts.OK ?? 0).toBeGreaterThan(0);
  });

  it('the health service answers fuzzed requests with OK or a refusal', async () => {
    await fuzzHealthCheck(caller, ['mithril.v1.CertifierService'], RUNS);
  });

  it('keeps serving after the run, its heap back to its level', async () => {
    expect(await caller.health('mithril.v1.CertifierService')).toBe('SERVING');
    expect(settledHeapBytes() - heapBefore).toBeLessThan(HEAP_BOUND);
  });
});
