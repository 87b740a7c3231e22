/**
 * The aggregator runtime over real adapters (cardano-cli files, immutable files, SQLite store):
 * epochs driven by rewriting tip.json, signers simulated in the test with real STM keys. It goes
 * from no genesis to a certified chain that libs/protocol's verifier accepts.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parsePoolId } from '@mithril-ts/cardano';
import {
  CertificateChainVerifier,
  GenesisSigner,
  certificateFromJson,
  signedEntityProtocolMessage,
  signedMessageBytes,
  type Certificate,
} from '@mithril-ts/protocol';
import { CardanoCliFilesChainObserver, EraChecker, FileEraReader, ImmutableDbDigester, createLogger } from '@mithril-ts/service-kit';
import { Initializer, singleSignatureToBytes } from '@mithril-ts/stm';
import { type AggregatorError, AggregatorRuntime, describeState, openAggregatorStore, parametersSchedule, type OpenedAggregatorStore } from '../src/index.js';

import { SLOTS_PER_KES_PERIOD, evidenceOf, kesPools, slotOf } from './kes-pools.js';

const KES_POOLS = kesPools(4);
const POOLS = KES_POOLS.map(({ pool, stake }) => ({ hex: pool.hex, stake }));
const PARTIES = POOLS.map((pool) => parsePoolId(pool.hex).bech32);

describe('aggregator runtime', () => {
  let root: string;
  let opened: OpenedAggregatorStore;
  let runtime: AggregatorRuntime;
  const genesis = GenesisSigner.generate();
  const keys = new Map<string, Initializer>(); // `${recordingEpoch}:${party}` -> initializer

  const chainDirectory = () => join(root, 'chain');
  const eraMarkersFile = () => join(root, 'era-markers.json');
  const immutableDirectory = () => join(root, 'immutable');
  function setEpoch(epoch: bigint): void {
    writeFileSync(join(chainDirectory(), 'tip.json'), JSON.stringify({ epoch: Number(epoch), slot: Number(slotOf(epoch)), syncProgress: '100.00' }));
    const pools = Object.fromEntries(POOLS.map((p) => [p.hex, { stakeMark: Number(p.stake), stakeSet: 0, stakeGo: 0 }]));
    writeFileSync(join(chainDirectory(), `stake-snapshot-${epoch}.json`), JSON.stringify({ pools, total: { stakeMark: 0, stakeSet: 0, stakeGo: 0 } }));
  }
  function writeImmutable(upTo: number): void {
    for (let n = 0; n <= upTo; n += 1) {
      for (const ext of ['chunk', 'primary', 'secondary'])
        writeFileSync(join(immutableDirectory(), `${String(n).padStart(5, '0')}.${ext}`), `immutable ${n} ${ext}`);
    }
  }
  async function registerAll(epoch: bigint, parameters = runtime.context.registrationParameters): Promise<void> {
    for (const [i, partyId] of PARTIES.entries()) {
      const init = Initializer.generate(parameters, POOLS[i]!.stake, randomBytes(32));
      keys.set(`${epoch + 1n}:${partyId}`, init);
      await runtime.registerSigner({
        epoch,
        partyId,
        verificationKey: init.verificationKeyPoP.toBytes(),
        ...evidenceOf(KES_POOLS[i]!, epoch, init.verificationKeyPoP.toBytes()),
        certified: { partyId, stake: POOLS[i]!.stake, epoch },
      });
    }
  }
  /** Every signer signs every open message of the epoch, computing the message itself. */
  async function signOpenMessages(): Promise<void> {
    const { epoch, settings } = runtime.context;
    for (const message of await opened.store.openMessages.list({ epoch })) {
      const type = message.signedEntityType;
      const data =
        type.kind === 'CardanoDatabase'
          ? { cardanoDatabaseMerkleRoot: await new ImmutableDbDigester(immutableDirectory()).cardanoDatabaseMerkleRoot(type.immutableFileNumber) }
          : {};
      const signed = signedEntityProtocolMessage(settings, type, data).signedMessage();
      for (const partyId of PARTIES) {
        const init = keys.get(`${epoch - 1n}:${partyId}`)!;
        const signer = new Initializer(settings.currentParameters, init.stake, init.signingKey).newSigner(settings.currentSigners!.closed);
        const signature = signer.sign(signedMessageBytes(signed));
        if (signature === null) continue;
        // Once the quorum is reached the message closes: later signers are told they are too late.
        const request = { signedEntityType: type, partyId, signature: singleSignatureToBytes(signature), signedMessage: signed };
        const outcome = await runtime.registerSignature(request).catch((error: AggregatorError) => {
          if (error.code !== 'SIGNATURE_TOO_LATE') throw error;
          return error.code;
        });
        if (outcome !== 'accepted') continue;
        // A resend of the same bytes is answered as the store would; other bytes from the same party are still checked.
        const answer = (sent: typeof request) => runtime.registerSignature(sent).catch((error: AggregatorError) => error.code);
        expect(['already-registered', 'SIGNATURE_TOO_LATE']).toContain(await answer(request));
        const other = Uint8Array.from(request.signature);
        other[other.length - 1] = other.at(-1)! ^ 1;
        expect(['MALFORMED_REQUEST', 'SIGNATURE_INVALID', 'SIGNATURE_TOO_LATE']).toContain(await answer({ ...request, signature: other }));
      }
    }
  }

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'aggregator-runtime-'));
    mkdirSync(chainDirectory());
    mkdirSync(immutableDirectory());
    writeFileSync(eraMarkersFile(), '[{"name":"pythagoras","epoch":0}]');
    opened = await openAggregatorStore({ url: `file:${join(root, 'aggregator.sqlite')}` });
    runtime = new AggregatorRuntime({
      store: opened.store,
      chain: new CardanoCliFilesChainObserver(chainDirectory(), 0),
      slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
      immutableDatabase: new ImmutableDbDigester(immutableDirectory()),
      schedule: parametersSchedule([
        { fromEpoch: 0n, k: 4n, m: 30n, phiF: 0.9 },
        { fromEpoch: 5n, k: 5n, m: 40n, phiF: 0.95 },
      ]),
      network: 'devnet',
      signedEntityKinds: ['MithrilStakeDistribution', 'CardanoDatabase'],
      retentionEpochs: 10n,
      maxConsecutiveErrors: 3,
      bootstrapGenesisSigner: genesis,
      era: new EraChecker(new FileEraReader(eraMarkersFile()), { refreshMs: 0 }),
      logger: createLogger('aggregator-test', 'silent'),
    });
  });

  afterEach(async () => {
    await runtime.stop();
    await opened.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('bootstraps genesis, certifies every epoch across a parameter change, and the chain verifies', async () => {
    const certificates: Certificate[] = [];
    runtime.on('certificate', (c) => certificates.push(c));
    const states: string[] = [];
    runtime.on('state', (state) => states.push(describeState(state)));
    setEpoch(1n);
    writeImmutable(3);
    await runtime.tick();
    expect(runtime.state).toEqual({ kind: 'blocked', epoch: 1n, reason: 'no-genesis' });
    await expect(
      runtime.registerSignature({
        signedEntityType: { kind: 'MithrilStakeDistribution', epoch: 1n },
        partyId: PARTIES[0]!,
        signature: new Uint8Array(10),
        signedMessage: '',
      }),
    ).rejects.toMatchObject({ code: 'NO_OPEN_MESSAGE' });
    await registerAll(1n);

    setEpoch(2n);
    await runtime.tick();
    expect(runtime.state).toEqual({ kind: 'blocked', epoch: 2n, reason: 'genesis-epoch' });
    expect(certificates.map((c) => c.previousHash)).toEqual(['']);
    await registerAll(2n);

    for (let epoch = 3n; epoch <= 6n; epoch += 1n) {
      setEpoch(epoch);
      writeImmutable(Number(epoch) * 2);
      await runtime.tick();
      expect(runtime.state.kind).toBe('signing');
      await registerAll(epoch);
      await signOpenMessages();
      await runtime.stop(); // waits for the aggregations the signatures started
      expect(runtime.state).toEqual({ kind: 'ready', epoch });
    }
    expect(certificates).toHaveLength(1 + 4 * 2);
    // One `state` event per change of description, in order.
    expect(states).toEqual([
      'blocked: no-genesis (epoch 1)',
      'idle',
      'blocked: genesis-epoch (epoch 2)',
      ...[3, 4, 5, 6].flatMap((epoch) => [
        'idle',
        `ready (epoch ${epoch})`,
        `signing (epoch ${epoch}, 2 open messages)`,
        `signing (epoch ${epoch}, 1 open message)`,
        `ready (epoch ${epoch})`,
      ]),
    ]);
    expect(certificates.filter((c) => c.epoch === 6n).every((c) => c.metadata.parameters.k === 5n)).toBe(true);

    const stored = new Map<string, Certificate>();
    for (const record of await opened.store.certificates.latest({ limit: 100 })) stored.set(record.hash, certificateFromJson(record.json));
    const verifier = new CertificateChainVerifier(genesis.verificationKey());
    for (const latest of certificates.slice(-2)) {
      const result = await verifier.verifyChain(latest.hash, { getCertificate: async (hash) => stored.get(hash) });
      expect(result.endedAt.kind).toBe('genesis');
    }
  });

  it('blocks from the epoch an unsupported era activates, before entering it, and takes nothing meanwhile', async () => {
    writeFileSync(eraMarkersFile(), '[{"name":"pythagoras","epoch":0},{"name":"lagrange","epoch":2}]');
    setEpoch(1n);
    await runtime.tick();
    expect(runtime.state).toEqual({ kind: 'blocked', epoch: 1n, reason: 'no-genesis' });
    await registerAll(1n);
    setEpoch(2n);
    await runtime.tick();
    const message = 'Mithril era lagrange is active since epoch 2 and this binary supports only pythagoras: upgrade it';
    expect(runtime.state).toEqual({ kind: 'blocked', epoch: 2n, reason: 'unsupported-era', detail: message });
    expect(runtime.context.epoch).toBe(1n); // epoch 2 was not entered: no genesis, no message opened
    expect(await opened.store.certificates.latest({ limit: 1 })).toEqual([]);
    const refused = { code: 'NOT_READY', message: `the aggregator is blocked: ${message}` };
    await expect(runtime.registerSigner({} as never)).rejects.toMatchObject(refused);
    await expect(runtime.registerSignature({} as never)).rejects.toMatchObject(refused);

    // The operator re-schedules the switch: epoch 2 is entered and the chain starts.
    writeFileSync(eraMarkersFile(), '[{"name":"pythagoras","epoch":0},{"name":"lagrange","epoch":9}]');
    await runtime.tick();
    expect(runtime.context.epoch).toBe(2n);
    expect(runtime.state).toEqual({ kind: 'blocked', epoch: 2n, reason: 'genesis-epoch' });
    writeFileSync(eraMarkersFile(), 'not json');
    await runtime.tick();
    expect(runtime.state).toMatchObject({ kind: 'blocked', reason: 'unknown-era', detail: expect.stringMatching(/era-markers\.json/) });
  });

  it('enters an epoch only once the registrations in flight are recorded: the set it closes is every one accepted', async () => {
    // A node slow to answer: every registration waits on it for its KES window, as the epoch changes.
    class SlowNode extends CardanoCliFilesChainObserver {
      override async currentTip() {
        await new Promise((resolve) => setTimeout(resolve, 250));
        return super.currentTip();
      }
    }
    await runtime.stop();
    runtime = new AggregatorRuntime({
      store: opened.store,
      chain: new SlowNode(chainDirectory(), 0),
      slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
      immutableDatabase: new ImmutableDbDigester(immutableDirectory()),
      schedule: parametersSchedule([{ fromEpoch: 0n, k: 4n, m: 30n, phiF: 0.9 }]),
      network: 'devnet',
      signedEntityKinds: ['MithrilStakeDistribution'],
      retentionEpochs: 10n,
      maxConsecutiveErrors: 3,
      bootstrapGenesisSigner: genesis,
      logger: createLogger('aggregator-test', 'silent'),
    });
    setEpoch(1n);
    await runtime.tick();
    const parameters = runtime.context.registrationParameters;
    // Sent while the aggregator is in epoch 1, still being checked when it sees epoch 2 and enters it.
    const registrations = PARTIES.map((partyId, i) => {
      const init = Initializer.generate(parameters, POOLS[i]!.stake, randomBytes(32));
      return runtime.registerSigner({
        epoch: 1n,
        partyId,
        verificationKey: init.verificationKeyPoP.toBytes(),
        ...evidenceOf(KES_POOLS[i]!, 1n, init.verificationKeyPoP.toBytes()),
        certified: { partyId, stake: POOLS[i]!.stake, epoch: 1n },
      });
    });
    setEpoch(2n);
    await runtime.tick();
    const outcomes = await Promise.allSettled(registrations);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(PARTIES.map(() => 'fulfilled'));
    expect(runtime.context.epoch).toBe(2n);
    // Sent in epoch 1, recorded for epoch 2: all in the set closed on entering epoch 2 (the next signers it announces).
    expect((await opened.store.signerRegistrations.list(2n)).length).toBe(PARTIES.length);
    expect(runtime.context.settings.nextSigners?.closed.parties.length).toBe(PARTIES.length);
  });

  it('refuses registrations for another epoch, unknown pools, mismatched certifications and bad keys', async () => {
    setEpoch(1n);
    await runtime.tick();
    const init = Initializer.generate(runtime.context.registrationParameters, POOLS[0]!.stake, randomBytes(32));
    const base = {
      epoch: 1n,
      partyId: PARTIES[0]!,
      verificationKey: init.verificationKeyPoP.toBytes(),
      ...evidenceOf(KES_POOLS[0]!, 1n, init.verificationKeyPoP.toBytes()),
      certified: { partyId: PARTIES[0]!, stake: POOLS[0]!.stake, epoch: 1n },
    };
    const code = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: AggregatorError) => error.code,
      );
    expect(await code(runtime.registerSigner({ ...base, epoch: 2n }))).toBe('REGISTRATION_ROUND_NOT_OPEN');
    const stranger = parsePoolId('ff'.repeat(28)).bech32;
    expect(await code(runtime.registerSigner({ ...base, partyId: stranger, certified: { ...base.certified, partyId: stranger } }))).toBe('UNKNOWN_SIGNER');
    expect(await code(runtime.registerSigner({ ...base, certified: { ...base.certified, stake: 1n } }))).toBe('CERTIFICATION_MISMATCH');
    expect(await code(runtime.registerSigner({ ...base, certified: { ...base.certified, partyId: PARTIES[1]! } }))).toBe('CERTIFICATION_MISMATCH');
    const tampered = base.verificationKey.slice();
    tampered[150] = tampered[150]! ^ 1;
    expect(await code(runtime.registerSigner({ ...base, verificationKey: tampered }))).toBe('VERIFICATION_KEY_INVALID');
    expect(await code(runtime.registerSigner(base))).toBe('ok');
  });

  it('stops in the broken state after maxConsecutiveErrors failed cycles, and counts only consecutive ones', async () => {
    const errors: unknown[] = [];
    runtime.on('error', (error) => errors.push(error));
    const states: string[] = [];
    runtime.on('state', (state) => states.push(describeState(state)));
    await runtime.tick(); // no tip.json yet
    await runtime.tick();
    expect(runtime.state.kind).toBe('idle');
    setEpoch(1n);
    await runtime.tick(); // a good cycle resets the count
    rmSync(join(chainDirectory(), 'tip.json'));
    for (let i = 0; i < 3; i += 1) await runtime.tick();
    expect(runtime.state).toMatchObject({ kind: 'broken' });
    expect(errors).toHaveLength(5);
    await runtime.tick(); // a broken runtime does nothing more
    expect(errors).toHaveLength(5);
    expect(states).toEqual(['blocked: no-genesis (epoch 1)', expect.stringMatching(/^broken: 3 consecutive failures, last: .+/)]);
  });

  it('blocks on an epoch gap without a genesis signer to start again', async () => {
    setEpoch(1n);
    await runtime.tick();
    await registerAll(1n);
    setEpoch(2n);
    await runtime.tick(); // genesis at 2
    const stranded = new AggregatorRuntime({
      store: opened.store,
      chain: new CardanoCliFilesChainObserver(chainDirectory(), 0),
      slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
      immutableDatabase: new ImmutableDbDigester(immutableDirectory()),
      schedule: parametersSchedule([{ fromEpoch: 0n, k: 4n, m: 30n, phiF: 0.9 }]),
      network: 'devnet',
      signedEntityKinds: ['MithrilStakeDistribution'],
      retentionEpochs: 10n,
      maxConsecutiveErrors: 3,
      logger: createLogger('aggregator-test', 'silent'),
    });
    setEpoch(5n);
    await stranded.tick();
    expect(stranded.state).toEqual({ kind: 'blocked', epoch: 5n, reason: 'epoch-gap' });
  });
});
