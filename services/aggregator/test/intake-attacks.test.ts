/**
 * Attacks on the aggregator's intake, sent straight to its gRPC port (no signer gateway, no
 * certifier, no pool key): forged certifications, evidence of another pool, key, epoch or KES
 * period, garbage bytes, replays after a key rotation, forged single signatures. Each is refused
 * with its typed error and stores nothing; the honest traffic after it goes through and the round
 * is sealed. Real keys (libs/testkit pools), a real aggregator on port 0, real chain files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { credentials, makeGenericClientConstructor, status, type Metadata, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { service as healthDefinition } from 'grpc-health-check';
import {
  AggregatorServiceClient,
  ErrorCode,
  readErrorDetail,
  setVersionMetadata,
  signedEntityTypeToProto,
  type RegisterSignerRequest,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION, signedEntityProtocolMessage, signedMessageBytes, type Certificate } from '@mithril-ts/protocol';
import { Initializer, SingleSignature, singleSignatureToBytes } from '@mithril-ts/stm';
import { testPool, type TestPool } from '@mithril-ts/testkit';
import { aggregatorConfigSchema, generateGenesisKeys, startAggregator, type RunningAggregator } from '../src/index.js';

/** The tip of epoch E is at KES period START + E; the pools' opcerts start at START, so their evolution at epoch E is E. */
const START = 100n;
const SLOTS_PER_KES_PERIOD = 100n;
const SCHEDULE = [{ fromEpoch: 0n, k: 3n, m: 30n, phiF: 0.9 }];
const POOLS = [0, 1, 2].map((i) => testPool(i, 1n, START));
/** Pool 2 again, with a newer operational certificate (issue number 2) for the same KES key. */
const RENEWED_2 = testPool(2, 2n, START);
/** Pool 0 again, with an opcert that started at KES period 0: expired 64 periods later. */
const EXPIRED_0 = testPool(0, 1n, 0n);

let root: string;
let aggregator: RunningAggregator;
let client: AggregatorServiceClient;
/** The Prometheus series right after start, to see what the attacks and the round moved. */
let before: Map<string, number>;

/** The aggregator's /metrics as series (name and labels as scraped) → value. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${aggregator.metricsPort}/metrics`);
  expect(response.status).toBe(200);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

function setEpoch(epoch: bigint): void {
  writeFileSync(
    join(root, 'chain', 'tip.json'),
    JSON.stringify({ epoch: Number(epoch), slot: Number((START + epoch) * SLOTS_PER_KES_PERIOD), syncProgress: '100.00' }),
  );
  const pools = Object.fromEntries(POOLS.map((p) => [p.pool.hex, { stakeMark: Number(p.stake), stakeSet: 0, stakeGo: 0 }]));
  writeFileSync(join(root, 'chain', `stake-snapshot-${epoch}.json`), JSON.stringify({ pools, total: { stakeMark: 0, stakeSet: 0, stakeGo: 0 } }));
}

async function until(probe: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await probe()); i += 1) await new Promise((r) => setTimeout(r, 10));
}

const md = () => setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION });

function call<Res>(invoke: (metadata: Metadata, callback: (error: ServiceError | null, response: Res) => void) => void): Promise<Res> {
  return new Promise((resolve, reject) => invoke(md(), (error, response) => (error ? reject(error) : resolve(response))));
}

/** The typed refusal of a call: gRPC status, ErrorCode and the aggregator's reason. */
async function refusal(promise: Promise<unknown>): Promise<{ grpc: status; code: ErrorCode; reason: string | undefined }> {
  const error = await promise.then(
    () => undefined,
    (e: ServiceError) => e,
  );
  if (error === undefined) throw new Error('the call was accepted');
  const detail = readErrorDetail(error);
  return { grpc: error.code, code: detail?.code ?? ErrorCode.ERROR_CODE_UNSPECIFIED, reason: detail?.metadata.reason };
}

const register = (request: RegisterSignerRequest) => call((m, cb) => client.registerSigner(request, m, cb));

/** A registration as a signer gateway would forward it: `pool`'s KES key signs `key` at `evolution`; the certification says what the request claims. */
function registration(
  pool: TestPool,
  epoch: bigint,
  key: Uint8Array,
  options: { evolution?: number; partyId?: string; stake?: bigint; signedKey?: Uint8Array } = {},
): RegisterSignerRequest {
  const evidence = pool.registration({ evolution: options.evolution ?? Number(epoch), mithrilKey: options.signedKey ?? key, epoch });
  const partyId = options.partyId ?? pool.pool.bech32;
  return {
    registration: {
      epoch,
      partyId,
      verificationKey: Buffer.from(key),
      verificationKeySignature: Buffer.from(evidence.verificationKeySignature),
      operationalCertificate: Buffer.from(evidence.operationalCertificate),
      kesEvolutions: evidence.kesEvolutions,
    },
    certification: { partyId, stake: options.stake ?? POOLS.find((p) => p.pool.bech32 === partyId)?.stake ?? 1n, epoch },
  };
}

const newKey = (pool: TestPool) => Initializer.generate(aggregator.runtime.context.registrationParameters, pool.stake, randomBytes(32));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'aggregator-attacks-'));
  mkdirSync(join(root, 'chain'));
  mkdirSync(join(root, 'immutable'));
  const genesisKey = join(root, 'genesis.skey');
  await generateGenesisKeys(genesisKey, join(root, 'genesis.vkey'));
  setEpoch(1n);
  aggregator = await startAggregator(
    aggregatorConfigSchema.parse({
      insecure: true,
      port: 0,
      storeUrl: `file:${join(root, 'aggregator.sqlite')}`,
      chainDirectory: join(root, 'chain'),
      immutableDirectory: join(root, 'immutable'),
      protocolParameters: SCHEDULE,
      signedEntityKinds: 'MithrilStakeDistribution',
      runIntervalMs: 20,
      slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
      bootstrapGenesisSecretKeyFile: genesisKey,
      logLevel: 'silent',
      metricsPort: 0,
      healthPort: 0,
    }),
  );
  client = new AggregatorServiceClient(`127.0.0.1:${aggregator.port}`, credentials.createInsecure());
  before = await scrape();
  await until(() => aggregator.runtime.state.kind !== 'idle');
});

afterAll(async () => {
  client?.close();
  await aggregator?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('intake attacks on the aggregator port', () => {
  /** Initializers of the keys that sign in epoch 3 (registered during epoch 1). */
  const signing = new Map<string, Initializer>();
  const party = (i: number) => POOLS[i]!.pool.bech32;

  it('refuses forged or foreign registration evidence, stores nothing, leaves the registered key untouched', async () => {
    for (const [i, pool] of POOLS.entries()) {
      const init = newKey(pool);
      signing.set(party(i), init);
      await register(registration(pool, 1n, init.verificationKeyPoP.toBytes()));
    }
    const store = aggregator.store;
    const honest0 = hex(signing.get(party(0))!.verificationKeyPoP.toBytes());
    const before = async () => ({
      key0: hex((await store.signerRegistrations.get(2n, party(0)))!.verificationKey),
      count: (await store.signerRegistrations.list(2n)).length,
      counter0: await store.opcertCounters.highest(POOLS[0]!.pool.hex),
    });
    const expected = await before();
    expect(expected).toEqual({ key0: honest0, count: 3, counter0: 1n });

    const attacker = newKey(POOLS[0]!).verificationKeyPoP.toBytes();
    const forged = registration(POOLS[0]!, 1n, attacker);
    const rows: [string, RegisterSignerRequest, { grpc: status; code: ErrorCode; reason: string }][] = [
      [
        'forged certification, random KES signature and opcert bytes',
        { ...forged, registration: { ...forged.registration!, verificationKeySignature: randomBytes(448), operationalCertificate: randomBytes(120) } },
        { grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST, reason: 'MALFORMED_REQUEST' },
      ],
      [
        "the pool's real opcert, a random KES signature",
        { ...forged, registration: { ...forged.registration!, verificationKeySignature: randomBytes(448) } },
        { grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_KES_SIGNATURE_INVALID, reason: 'KES_SIGNATURE_INVALID' },
      ],
      [
        'garbage KES bytes (wrong size)',
        { ...forged, registration: { ...forged.registration!, verificationKeySignature: randomBytes(17) } },
        { grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST, reason: 'MALFORMED_REQUEST' },
      ],
      [
        'garbage opcert bytes',
        { ...forged, registration: { ...forged.registration!, operationalCertificate: Buffer.from('garbage opcert') } },
        { grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST, reason: 'MALFORMED_REQUEST' },
      ],
      [
        'no KES evidence at all',
        { ...forged, registration: { epoch: 1n, partyId: party(0), verificationKey: Buffer.from(attacker) } },
        { grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST, reason: 'MALFORMED_REQUEST' },
      ],
      [
        "valid evidence of another pool (pool 1's opcert and KES signature) for pool 0",
        registration(POOLS[1]!, 1n, attacker, { partyId: party(0) }),
        { grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_OPERATIONAL_CERTIFICATE_INVALID, reason: 'OPERATIONAL_CERTIFICATE_INVALID' },
      ],
      [
        "valid evidence of another key (the pool's KES signature of a different Mithril key)",
        registration(POOLS[0]!, 1n, attacker, { signedKey: newKey(POOLS[0]!).verificationKeyPoP.toBytes() }),
        { grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_KES_SIGNATURE_INVALID, reason: 'KES_SIGNATURE_INVALID' },
      ],
      [
        'valid evidence for another epoch',
        registration(POOLS[0]!, 2n, attacker, { evolution: 1 }),
        { grpc: status.FAILED_PRECONDITION, code: ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN, reason: 'REGISTRATION_ROUND_NOT_OPEN' },
      ],
      [
        'a KES evolution outside the window at the tip',
        registration(POOLS[0]!, 1n, attacker, { evolution: 3 }),
        { grpc: status.FAILED_PRECONDITION, code: ErrorCode.ERROR_CODE_KES_PERIOD_OUT_OF_WINDOW, reason: 'KES_PERIOD_OUT_OF_WINDOW' },
      ],
      [
        'an expired operational certificate',
        registration(EXPIRED_0, 1n, attacker, { evolution: 63 }),
        { grpc: status.FAILED_PRECONDITION, code: ErrorCode.ERROR_CODE_KES_PERIOD_OUT_OF_WINDOW, reason: 'KES_PERIOD_OUT_OF_WINDOW' },
      ],
      [
        'a certification claiming another stake',
        registration(POOLS[0]!, 1n, attacker, { stake: 10n ** 15n }),
        { grpc: status.PERMISSION_DENIED, code: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED, reason: 'CERTIFICATION_MISMATCH' },
      ],
      [
        "another pool's registered Mithril key, signed by its own KES key",
        registration(POOLS[1]!, 1n, signing.get(party(0))!.verificationKeyPoP.toBytes()),
        { grpc: status.PERMISSION_DENIED, code: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED, reason: 'KEY_REUSED' },
      ],
    ];
    for (const [what, request, typed] of rows) {
      expect([what, await refusal(register(request))]).toEqual([what, typed]);
      expect([what, await before()]).toEqual([what, expected]);
    }
    // The epoch's settings are still served after all of it.
    const settings = await call<{ epochSettings?: { epoch: bigint; nextSigners: unknown[] } }>((m, cb) => client.getEpochSettings({}, m, cb));
    expect(settings.epochSettings?.epoch).toBe(1n);
  });

  it('replaces a key only with newer evidence: a replay after the rotation, or an older opcert, is refused', async () => {
    const store = aggregator.store;
    const pool = POOLS[2]!;
    const first = registration(pool, 1n, signing.get(party(2))!.verificationKeyPoP.toBytes());
    const keyOf = async () => hex((await store.signerRegistrations.get(2n, party(2)))!.verificationKey);
    // The same registration again is answered as recorded (idempotent).
    await register(first);
    // A rotation one KES period later replaces the key.
    const rotated = newKey(pool);
    await register(registration(pool, 1n, rotated.verificationKeyPoP.toBytes(), { evolution: 2 }));
    expect(await keyOf()).toBe(hex(rotated.verificationKeyPoP.toBytes()));
    // Replaying the first registration does not bring the old key back.
    expect(await refusal(register(first))).toEqual({
      grpc: status.PERMISSION_DENIED,
      code: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED,
      reason: 'STALE_REGISTRATION',
    });
    expect(await keyOf()).toBe(hex(rotated.verificationKeyPoP.toBytes()));
    // A newer operational certificate supersedes, even at an earlier KES evolution; its counter is kept.
    const renewed = newKey(pool);
    await register(registration(RENEWED_2, 1n, renewed.verificationKeyPoP.toBytes(), { evolution: 1 }));
    expect(await keyOf()).toBe(hex(renewed.verificationKeyPoP.toBytes()));
    expect(await store.opcertCounters.highest(pool.pool.hex)).toBe(2n);
    signing.set(party(2), renewed);
    // The retired opcert is refused from now on, even with a later KES evolution.
    const stale = registration(pool, 1n, newKey(pool).verificationKeyPoP.toBytes(), { evolution: 2 });
    expect(await refusal(register(stale))).toEqual({
      grpc: status.PERMISSION_DENIED,
      code: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED,
      reason: 'STALE_REGISTRATION',
    });
    expect(await keyOf()).toBe(hex(renewed.verificationKeyPoP.toBytes()));
  });

  it("refuses last epoch's registration replayed for this one (the Mithril key is fresh every epoch)", async () => {
    setEpoch(2n);
    await until(() => aggregator.runtime.context.epoch === 2n);
    const replay = registration(POOLS[0]!, 2n, signing.get(party(0))!.verificationKeyPoP.toBytes(), { evolution: 1 });
    expect(await refusal(register(replay))).toEqual({ grpc: status.PERMISSION_DENIED, code: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED, reason: 'KEY_REUSED' });
    expect(await aggregator.store.signerRegistrations.get(3n, party(0))).toBeNull();
    for (const [i, pool] of POOLS.entries()) {
      const pool2 = i === 2 ? RENEWED_2 : pool;
      await register(registration(pool2, 2n, newKey(pool).verificationKeyPoP.toBytes()));
    }
  });

  it('refuses forged single signatures sent first; the honest ones that follow are taken and the certificate is sealed', async () => {
    const certificates: Certificate[] = [];
    aggregator.runtime.on('certificate', (certificate) => certificates.push(certificate));
    setEpoch(3n);
    await until(async () => aggregator.runtime.context.epoch === 3n && (await aggregator.store.openMessages.list({ epoch: 3n })).length > 0);
    const { settings } = aggregator.runtime.context;
    const [message] = await aggregator.store.openMessages.list({ epoch: 3n });
    const type = message!.signedEntityType;
    const signed = signedEntityProtocolMessage(settings, type, {}).signedMessage();
    const signatures = POOLS.map((pool, i) => {
      const init = signing.get(party(i))!;
      return new Initializer(settings.currentParameters, pool.stake, init.signingKey)
        .newSigner(settings.currentSigners!.closed)
        .sign(signedMessageBytes(signed));
    });
    const [own, other] = [signatures[0]!, signatures[1]!];
    const send = (signature: SingleSignature) =>
      call((m, cb) =>
        client.registerSignatures(
          {
            signature: {
              signedEntityType: signedEntityTypeToProto(type),
              partyId: party(0),
              signature: Buffer.from(singleSignatureToBytes(signature)),
              wonIndexes: signature.indexes.map(BigInt),
              signedMessage: signed,
            },
          },
          m,
          cb,
        ),
      );
    const notWon = Array.from({ length: Number(settings.currentParameters.m) }, (_, i) => i);
    const forgeries: [string, SingleSignature][] = [
      [
        "another party's signature (a valid curve point, the wrong key) under pool 0's signer index",
        new SingleSignature(other.sigma, other.indexes, own.signerIndex),
      ],
      ["pool 0's own signature claiming every lottery index", new SingleSignature(own.sigma, notWon, own.signerIndex)],
    ];
    for (const [what, forged] of forgeries) {
      expect([what, await refusal(send(forged))]).toEqual([
        what,
        { grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_SIGNATURE_INVALID, reason: 'SIGNATURE_INVALID' },
      ]);
      expect(await aggregator.store.openMessages.listSingleSignatures(message!.id)).toEqual([]);
    }
    // The honest signature of pool 0 is not shadowed by the forgeries; then the others, until the round is sealed.
    await send(own);
    expect((await aggregator.store.openMessages.listSingleSignatures(message!.id)).map((s) => s.partyId)).toEqual([party(0)]);
    for (const [i, signature] of signatures.entries()) {
      if (i === 0 || signature === null || certificates.some((c) => c.epoch === 3n)) continue;
      await call((m, cb) =>
        client.registerSignatures(
          {
            signature: {
              signedEntityType: signedEntityTypeToProto(type),
              partyId: party(i),
              signature: Buffer.from(singleSignatureToBytes(signature)),
              wonIndexes: signature.indexes.map(BigInt),
              signedMessage: signed,
            },
          },
          m,
          cb,
        ),
      ).catch(() => undefined); // once sealed, later signers are told they are too late
    }
    await until(() => certificates.some((c) => c.epoch === 3n && c.previousHash !== ''));
    expect(certificates.find((c) => c.epoch === 3n && c.previousHash !== '')?.signedEntityType).toEqual(type);
  });

  it('counts it all on /metrics: registrations and signatures by outcome, the certificate, the round, epoch, state and store latency', async () => {
    const after = await scrape();
    const moved = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
    expect(before.get('mithril_aggregator_registrations_total{outcome="accepted"}') ?? 0).toBe(0);
    expect(moved('mithril_aggregator_registrations_total{outcome="accepted"}')).toBeGreaterThanOrEqual(POOLS.length);
    expect(moved('mithril_aggregator_registrations_total{outcome="KES_SIGNATURE_INVALID"}')).toBeGreaterThan(0);
    expect(moved('mithril_aggregator_signatures_total{outcome="accepted"}')).toBeGreaterThanOrEqual(1);
    expect(moved('mithril_aggregator_signatures_total{outcome="SIGNATURE_INVALID"}')).toBe(2);
    expect(moved('mithril_aggregator_certificates_total{kind="MithrilStakeDistribution",genesis="false"}')).toBeGreaterThanOrEqual(1);
    expect(moved('mithril_aggregator_round_duration_seconds_count{kind="MithrilStakeDistribution"}')).toBeGreaterThanOrEqual(1);
    expect(after.get('mithril_aggregator_current_epoch')).toBe(3);
    const states = ['idle', 'ready', 'signing', 'blocked', 'broken'].map((state) => after.get(`mithril_aggregator_runtime_state{state="${state}"}`));
    expect(states.filter((value) => value === 1)).toHaveLength(1);
    expect(states.filter((value) => value === 0)).toHaveLength(4);
    expect(moved('mithril_aggregator_store_operation_duration_seconds_count{operation="save_certificate",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    // Registrations are written in batches (one transaction each): at least one, at most one per registration.
    const batches = moved('mithril_aggregator_store_operation_duration_seconds_count{operation="register_signers",outcome="ok"}');
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThanOrEqual(moved('mithril_aggregator_registrations_total{outcome="accepted"}'));
  });

  it('answers kubelet-style probes on the plaintext health port', async () => {
    const Health = makeGenericClientConstructor(healthDefinition as unknown as ServiceDefinition, 'Health');
    const health = new Health(`127.0.0.1:${aggregator.healthPort}`, credentials.createInsecure()) as unknown as {
      check(request: { service: string }, callback: (error: ServiceError | null, response?: { status: string }) => void): void;
      close(): void;
    };
    const answer = await new Promise<string | undefined>((resolve, reject) =>
      health.check({ service: 'mithril.v1.AggregatorService' }, (error, response) => (error ? reject(error) : resolve(response?.status))),
    );
    health.close();
    expect(answer).toBe('SERVING');
  });

  it('reads the store again when it leads again: an opcert counter another leader raised meanwhile is honoured', async () => {
    const pool = POOLS[0]!;
    // Pool 0's counter is 1 in the intake's memory (its registrations so far). It steps down, and
    // while another replica leads, that one records a newer operational certificate of pool 0.
    await aggregator.runtime.stop();
    await aggregator.store.opcertCounters.record(pool.pool.hex, 5n);
    aggregator.runtime.start(20);
    const older = registration(pool, 3n, newKey(pool).verificationKeyPoP.toBytes());
    expect(await refusal(register(older))).toEqual({
      grpc: status.PERMISSION_DENIED,
      code: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED,
      reason: 'STALE_REGISTRATION',
    });
    expect(await aggregator.store.signerRegistrations.get(4n, party(0))).toBeNull();
  });
});
