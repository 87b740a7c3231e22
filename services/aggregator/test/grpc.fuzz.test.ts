/**
 * AggregatorService over a real connection under fuzzed requests (random bytes, mutated requests,
 * valid ones of extreme numbers and bulky fields), every unary RPC and the WatchCertificates stream,
 * on an aggregator with a sealed genesis certificate: every call ends with OK or a typed error, the
 * aggregator keeps serving, its heap comes back. `npm run fuzz` raises the cases through FUZZ_RUNS.
 */
import { randomBytes as secureRandomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePoolId } from '@mithril-ts/cardano';
import {
  CertificateForm,
  GetCardanoDatabaseDigestsRequest,
  GetCardanoDatabaseSnapshotRequest,
  GetCertificateRequest,
  GetEpochSettingsRequest,
  GetGenesisCertificateRequest,
  GetMithrilStakeDistributionRequest,
  GetProtocolParametersRequest,
  GetSnapshotRequest,
  ListCardanoDatabaseSnapshotsRequest,
  ListCertificatesRequest,
  ListMithrilStakeDistributionsRequest,
  ListRegisteredSignersRequest,
  ListSnapshotsRequest,
  RegisterSignaturesRequest,
  RegisterSignerRequest,
  SignedEntityKind,
  WatchCertificatesRequest,
} from '@mithril-ts/proto';
import { Initializer } from '@mithril-ts/stm';
import { DEFAULT_MAX_RECEIVE_BYTES } from '@mithril-ts/service-kit';
import {
  RawGrpcCaller,
  bulkyBytes,
  bulkyText,
  extremeInt32,
  extremeSignedEntityType,
  extremeUint32,
  extremeUint64,
  fuzzRpc,
  fuzzRuns,
  fuzzHealthCheck,
  requestInputs,
  settledHeapBytes,
  type FuzzInput,
} from '@mithril-ts/testkit/fuzz';
import fc, { type Arbitrary } from 'fast-check';
import { aggregatorConfigSchema, generateGenesisKeys, startAggregator, type RunningAggregator } from '../src/index.js';
import { SLOTS_PER_KES_PERIOD, evidenceOf, kesPools, slotOf } from './kes-pools.js';

const RUNS = fuzzRuns(8);
/** Room for the rest of a message beside one bulky field. */
const BULKY = DEFAULT_MAX_RECEIVE_BYTES - 4096;
/** What the heap may keep after the run: caches that fill once, the test's own records; a leak per call grows past it. */
const HEAP_BOUND = 24 * 1024 * 1024;
/** A watch stream still open after this long is cancelled: it was accepted. */
const STREAM_SETTLE_MS = 30;

/** Pools with real cold/KES keys and opcerts: the aggregator checks every registration's KES evidence itself. */
const KES_POOLS = kesPools(3);
const POOLS = KES_POOLS.map(({ pool, stake }) => ({ hex: pool.hex, stake }));

let root: string;
let aggregator: RunningAggregator;
let caller: RawGrpcCaller;
let heapBefore: number;
/** The genesis certificate's hash, sealed before the run: seeds that reach the store's rows. */
let genesisHash = 'ab'.repeat(32);

function setEpoch(epoch: number): void {
  writeFileSync(join(root, 'chain', 'tip.json'), JSON.stringify({ epoch, slot: Number(slotOf(BigInt(epoch))), syncProgress: '100.00' }));
  const pools = Object.fromEntries(POOLS.map((p) => [p.hex, { stakeMark: Number(p.stake), stakeSet: 0, stakeGo: 0 }]));
  writeFileSync(join(root, 'chain', `stake-snapshot-${epoch}.json`), JSON.stringify({ pools, total: { stakeMark: 0, stakeSet: 0, stakeGo: 0 } }));
}

async function until(probe: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await probe()); i += 1) await new Promise((r) => setTimeout(r, 10));
}

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
}

interface FuzzedRpc {
  readonly path: string;
  readonly inputs: () => Arbitrary<FuzzInput>;
  readonly stream?: boolean;
}

/** An RPC of the service, its seeds and valid messages built when the run starts (after the genesis certificate is known). */
function rpc<T>(method: string, codec: Codec<T>, seeds: () => T[], valid: () => Arbitrary<T>, stream = false): FuzzedRpc {
  const encode = (message: T) => codec.encode(message).finish();
  return {
    path: `/mithril.v1.AggregatorService/${method}`,
    inputs: () => requestInputs({ seeds: seeds().map(encode), valid: valid().map(encode) }),
    stream,
  };
}

const text = () => bulkyText(BULKY);
const hash = () => fc.oneof(fc.constant(genesisHash), text());
const page = () => fc.record({ pageSize: extremeUint32(), pageToken: fc.oneof(fc.constant(''), text()) });
const partyIds = POOLS.map((p) => parsePoolId(p.hex).bech32);
const registration = () =>
  fc.record({
    epoch: extremeUint64(),
    partyId: fc.oneof(fc.constantFrom(...partyIds), text()),
    verificationKey: bulkyBytes(BULKY),
    verificationKeySignature: fc.option(bulkyBytes(BULKY), { nil: undefined }),
    operationalCertificate: fc.option(bulkyBytes(BULKY), { nil: undefined }),
    kesEvolutions: fc.option(extremeUint32(), { nil: undefined }),
  });
const certification = () => fc.record({ partyId: fc.oneof(fc.constantFrom(...partyIds), text()), stake: extremeUint64(), epoch: extremeUint64() });
const wonIndexes = fc.oneof(
  { weight: 6, arbitrary: fc.array(extremeUint64(), { maxLength: 64 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(1000, 300_000), extremeUint64()).map(([length, index]) => Array.from({ length }, () => index)) },
);
const signature = () =>
  fc.record({
    signedEntityType: extremeSignedEntityType(),
    partyId: fc.oneof(fc.constantFrom(...partyIds), text()),
    signature: bulkyBytes(BULKY),
    wonIndexes,
    signedMessage: text(),
  });
const kinds = fc.array(extremeInt32(), { maxLength: 8 });
const ALL_KINDS = [SignedEntityKind.SIGNED_ENTITY_KIND_CARDANO_DATABASE, SignedEntityKind.SIGNED_ENTITY_KIND_MITHRIL_STAKE_DISTRIBUTION];
const JSON_FORM = CertificateForm.CERTIFICATE_FORM_REFERENCE_JSON;
const msdEntity = (epoch: bigint) => ({ entity: { $case: 'mithrilStakeDistribution' as const, value: { epoch } } });

const rpcs: FuzzedRpc[] = [
  rpc(
    'GetEpochSettings',
    GetEpochSettingsRequest,
    () => [{}],
    () => fc.constant({}),
  ),
  rpc(
    'GetProtocolParameters',
    GetProtocolParametersRequest,
    () => [{ epoch: 1n }, { epoch: 2n }],
    () => fc.record({ epoch: extremeUint64() }),
  ),
  rpc(
    'ListCertificates',
    ListCertificatesRequest,
    () => [
      { pageSize: 1, pageToken: '' },
      { pageSize: 0, pageToken: 'forged' },
    ],
    page,
  ),
  rpc(
    'GetCertificate',
    GetCertificateRequest,
    () => [
      { hash: genesisHash, form: 0 },
      { hash: genesisHash, form: JSON_FORM },
    ],
    () => fc.record({ hash: hash(), form: extremeInt32() }),
  ),
  rpc(
    'GetGenesisCertificate',
    GetGenesisCertificateRequest,
    () => [{ form: 0 }, { form: JSON_FORM }],
    () => fc.record({ form: extremeInt32() }),
  ),
  rpc('ListSnapshots', ListSnapshotsRequest, () => [{ pageSize: 10, pageToken: '' }], page),
  rpc(
    'GetSnapshot',
    GetSnapshotRequest,
    () => [{ digest: genesisHash }],
    () => fc.record({ digest: hash() }),
  ),
  rpc('ListMithrilStakeDistributions', ListMithrilStakeDistributionsRequest, () => [{ pageSize: 10, pageToken: '' }], page),
  rpc(
    'GetMithrilStakeDistribution',
    GetMithrilStakeDistributionRequest,
    () => [{ hash: genesisHash }],
    () => fc.record({ hash: hash() }),
  ),
  rpc(
    'RegisterSigner',
    RegisterSignerRequest,
    () => [
      {
        registration: registrationWithEvidence(),
        certification: { partyId: partyIds[0]!, stake: POOLS[0]!.stake, epoch: 2n },
      },
    ],
    () => fc.record({ registration: registration(), certification: certification() }, { requiredKeys: [] }),
  ),
  rpc(
    'RegisterSignatures',
    RegisterSignaturesRequest,
    () => [
      {
        signature: {
          signedEntityType: msdEntity(2n),
          partyId: partyIds[0]!,
          signature: Buffer.alloc(100, 7),
          wonIndexes: [1n, 5n],
          signedMessage: 'ab'.repeat(32),
        },
      },
    ],
    () => fc.record({ signature: signature() }, { requiredKeys: [] }),
  ),
  rpc(
    'ListRegisteredSigners',
    ListRegisteredSignersRequest,
    () => [{ epoch: 2n }, { epoch: 3n }],
    () => fc.record({ epoch: extremeUint64() }),
  ),
  rpc(
    'ListCardanoDatabaseSnapshots',
    ListCardanoDatabaseSnapshotsRequest,
    () => [
      { pageSize: 10, pageToken: '', epoch: 1n },
      { pageSize: 10, pageToken: '' },
    ],
    () => fc.record({ pageSize: extremeUint32(), pageToken: fc.oneof(fc.constant(''), text()), epoch: fc.option(extremeUint64(), { nil: undefined }) }),
  ),
  rpc(
    'GetCardanoDatabaseSnapshot',
    GetCardanoDatabaseSnapshotRequest,
    () => [{ hash: genesisHash }],
    () => fc.record({ hash: hash() }),
  ),
  rpc(
    'GetCardanoDatabaseDigests',
    GetCardanoDatabaseDigestsRequest,
    () => [{ hash: genesisHash }],
    () => fc.record({ hash: hash() }),
  ),
  rpc(
    'WatchCertificates',
    WatchCertificatesRequest,
    () => [{ signedEntityKinds: [] }, { signedEntityKinds: ALL_KINDS }],
    () => fc.record({ signedEntityKinds: kinds }),
    true,
  ),
];

let sharedKey: Initializer | undefined;
function aggregatorKey(): Initializer {
  sharedKey ??= Initializer.generate(aggregator.runtime.context.registrationParameters, POOLS[0]!.stake, secureRandomBytes(32));
  return sharedKey;
}

/** A registration of the first pool for epoch 2 with its real KES evidence: the seed that reaches the accepted path. */
function registrationWithEvidence() {
  const verificationKey = aggregatorKey().verificationKeyPoP.toBytes();
  const evidence = evidenceOf(KES_POOLS[0]!, 2n, verificationKey);
  return {
    epoch: 2n,
    partyId: partyIds[0]!,
    verificationKey: Buffer.from(verificationKey),
    verificationKeySignature: Buffer.from(evidence.kesSignature),
    operationalCertificate: Buffer.from(evidence.operationalCertificate),
    kesEvolutions: evidence.kesEvolutions,
  };
}

async function fuzz(target: FuzzedRpc, runs: number) {
  return fuzzRpc(caller, {
    path: target.path,
    inputs: target.inputs(),
    runs,
    maxRequestBytes: DEFAULT_MAX_RECEIVE_BYTES,
    ...(target.stream ? { streamSettleMs: STREAM_SETTLE_MS } : {}),
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'aggregator-fuzz-'));
  mkdirSync(join(root, 'chain'));
  mkdirSync(join(root, 'immutable'));
  const genesisSecret = join(root, 'genesis.skey');
  await generateGenesisKeys(genesisSecret, join(root, 'genesis.vkey'));
  setEpoch(1);
  aggregator = await startAggregator(
    aggregatorConfigSchema.parse({
      insecure: true,
      port: 0,
      storeUrl: `file:${join(root, 'aggregator.sqlite')}`,
      chainDirectory: join(root, 'chain'),
      immutableDirectory: join(root, 'immutable'),
      slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
      protocolParameters: [{ fromEpoch: 0n, k: 3n, m: 20n, phiF: 0.9 }],
      signedEntityKinds: 'MithrilStakeDistribution',
      runIntervalMs: 20,
      bootstrapGenesisSecretKeyFile: genesisSecret,
      logLevel: 'silent',
    }),
  );
  await until(() => aggregator.runtime.state.kind !== 'idle');
  // Signers of epoch 1 (registered for epoch 2), then epoch 2: the bootstrap genesis certificate is sealed.
  const sealed = new Promise<string>((resolve) => aggregator.runtime.once('certificate', (certificate) => resolve(certificate.hash)));
  for (const [i, pool] of POOLS.entries()) {
    const init = Initializer.generate(aggregator.runtime.context.registrationParameters, pool.stake, secureRandomBytes(32));
    const partyId = partyIds[i]!;
    await aggregator.runtime.registerSigner({
      epoch: 1n,
      partyId,
      verificationKey: init.verificationKeyPoP.toBytes(),
      ...evidenceOf(KES_POOLS[i]!, 1n, init.verificationKeyPoP.toBytes()),
      certified: { partyId, stake: pool.stake, epoch: 1n },
    });
  }
  setEpoch(2);
  genesisHash = await sealed;
  caller = new RawGrpcCaller(`127.0.0.1:${aggregator.port}`);
  // Warm up (code paths compiled, caches filled) before the heap is measured.
  for (const target of rpcs) await fuzz(target, 2);
  heapBefore = settledHeapBytes();
}, 120_000);

afterAll(async () => {
  caller?.close();
  await aggregator?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('AggregatorService under fuzzed requests', () => {
  it.each(rpcs)(`$path answers ${RUNS} requests with OK or a typed error, never a fault or a hang`, async (target) => {
    await fuzz(target, RUNS);
  });

  it('the health service answers fuzzed requests with OK or a refusal', async () => {
    await fuzzHealthCheck(caller, ['mithril.v1.AggregatorService'], RUNS);
  });

  it('keeps serving after the run, its heap back to its level', async () => {
    expect(await caller.health('mithril.v1.AggregatorService')).toBe('SERVING');
    expect(settledHeapBytes() - heapBefore).toBeLessThan(HEAP_BOUND);
  });
});
