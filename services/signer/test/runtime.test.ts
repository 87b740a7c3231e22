/**
 * The signer's state machine over test doubles of its ports (see doubles.ts), with real STM keys
 * (k=5, m=50, phi_f=0.9), real pool key files (a devnet root) and a real SQLite store.
 */
import {
  ColdSigningKey,
  KesSigningKey,
  issueOperationalCertificate,
  kesEvolutionAt,
  kesPeriodAt,
  operationalCertificateFromCbor,
  operationalCertificateFromTextEnvelope,
  operationalCertificateToTextEnvelope,
  verifyKesSignature,
} from '@mithril-ts/cardano';
import type { DevnetPoolInfo } from '@mithril-ts/devnet';
import { cardanoDatabase, mithrilStakeDistribution, signedMessageBytes, type Epoch, type SignedEntityType } from '@mithril-ts/protocol';
import { VerificationKeyPoP } from '@mithril-ts/stm';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@mithril-ts/proto';
import { EraChecker, FileEraReader } from '@mithril-ts/service-kit';
import { INITIALIZER_RETENTION_EPOCHS, RemoteCallError, type SignerEvent } from '../src/index.js';
import {
  FakeChain,
  FakeDigester,
  FakeNetwork,
  PARAMETERS,
  SLOTS_PER_KES_PERIOD,
  devnetPools,
  gatewayErrors,
  poolSigner,
  tempDir,
  type PoolSigner,
} from './doubles.js';

let pools: readonly DevnetPoolInfo[];
const opened: PoolSigner[] = [];

beforeAll(async () => {
  pools = await devnetPools();
});
afterAll(async () => {
  for (const signer of opened.splice(0)) await signer.store.close();
});

interface Net {
  readonly chain: FakeChain;
  readonly network: FakeNetwork;
  readonly digester: FakeDigester;
  readonly signers: PoolSigner[];
}

/** A network of `count` pools (stake 1, 2, 3, … × 10^12), each with its signer, at epoch 1. */
async function network(count = 3): Promise<Net> {
  const chain = new FakeChain();
  pools.forEach((pool, i) => chain.stakes.set(pool.poolId.hex, BigInt(i + 1) * 1_000_000_000_000n));
  const network = new FakeNetwork(chain);
  const digester = new FakeDigester();
  const signers: PoolSigner[] = [];
  for (const pool of pools.slice(0, count)) signers.push(await poolSigner(pool, network, digester));
  opened.push(...signers);
  return { chain, network, digester, signers };
}

async function cycleAll(signers: readonly PoolSigner[]): Promise<void> {
  for (const signer of signers) await signer.runtime.cycle();
}

/** Moves the chain to each epoch in turn and runs one cycle of every signer there. */
async function runEpochs(net: Net, from: Epoch, to: Epoch): Promise<void> {
  for (let epoch = from; epoch <= to; epoch += 1n) {
    net.chain.epoch = epoch;
    await cycleAll(net.signers);
  }
}

const eventsOf = <T extends SignerEvent['type']>(signer: PoolSigner, type: T) =>
  signer.events.filter((e): e is Extract<SignerEvent, { type: T }> => e.type === type);
const sameType = (a: SignedEntityType, b: SignedEntityType) =>
  JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? `${v}` : v)) === JSON.stringify(b, (_, v) => (typeof v === 'bigint' ? `${v}` : v));

describe('registration', () => {
  it('registers a fresh key for the next epoch, certified by the pool KES key at the chain evolution, with its stake', async () => {
    const net = await network(1);
    const [signer] = net.signers;
    net.chain.epoch = 3n;
    await signer!.runtime.cycle();

    expect(net.network.registrations).toHaveLength(1);
    const registration = net.network.registrations[0]!;
    const opcert = operationalCertificateFromTextEnvelope(readFileSync(join(signer!.pool.keysDirectory, 'opcert.cert'), 'utf8'));
    const evolution = kesEvolutionAt(net.chain.slot, SLOTS_PER_KES_PERIOD, opcert.startKesPeriod);
    expect(evolution).toBe(6);
    expect(registration).toMatchObject({ epoch: 3n, partyId: signer!.pool.poolId.bech32, kesEvolutions: evolution });
    expect(verifyKesSignature(opcert.kesVerificationKey, evolution, registration.verificationKey, registration.verificationKeySignature)).toBe(true);
    expect(VerificationKeyPoP.fromBytes(registration.verificationKey).verify()).toBe(true);

    // Stored before registering, marked once accepted, with the stake of the registration epoch.
    const stored = await signer!.store.store.getInitializer(4n);
    expect(stored).toMatchObject({ partyId: signer!.pool.poolId.bech32, stake: 1_000_000_000_000n, parameters: PARAMETERS });
    expect(Buffer.from(stored!.verificationKey).equals(Buffer.from(registration.verificationKey))).toBe(true);
    expect(stored!.registeredAt).toBeInstanceOf(Date);
    expect(eventsOf(signer!, 'registered')).toEqual([
      { type: 'registered', epoch: 3n, recordingEpoch: 4n, partyId: signer!.pool.poolId.bech32, stake: 1_000_000_000_000n, kesEvolutions: 6 },
    ]);
    // No key was registered for epoch 2: it cannot sign during epoch 3.
    expect(signer!.runtime.state).toMatchObject({ kind: 'RegisteredNotAbleToSign', epoch: 3n });

    // Nothing more in this epoch; a fresh key in the next one.
    await signer!.runtime.cycle();
    expect(net.network.registrations).toHaveLength(1);
    net.chain.epoch = 4n;
    await signer!.runtime.cycle();
    expect(net.network.registrations.map((r) => r.epoch)).toEqual([3n, 4n]);
    expect(Buffer.from(net.network.registrations[1]!.verificationKey).equals(Buffer.from(registration.verificationKey))).toBe(false);
    expect(net.network.registrations[1]!.kesEvolutions).toBe(8);
  });

  it('reads the key files at each registration: a rotated KES key and operational certificate are used from then on', async () => {
    const net = await network(0);
    const pool = pools[0]!;
    const keysDirectory = tempDir('signer-keys-');
    for (const file of ['kes.skey', 'opcert.cert']) copyFileSync(join(pool.keysDirectory, file), join(keysDirectory, file));
    const signer = await poolSigner({ ...pool, keysDirectory }, net.network, net.digester);
    opened.push(signer);
    await signer.runtime.cycle();

    // The SPO rotates: a new KES key, an opcert with the next issue number starting at the current period.
    net.chain.epoch = 2n;
    const kes = KesSigningKey.generate();
    const startKesPeriod = kesPeriodAt(net.chain.slot, SLOTS_PER_KES_PERIOD);
    const cold = ColdSigningKey.fromTextEnvelope(readFileSync(join(pool.keysDirectory, 'cold.skey'), 'utf8'));
    writeFileSync(join(keysDirectory, 'kes.skey'), kes.toTextEnvelope(), { mode: 0o600 });
    writeFileSync(
      join(keysDirectory, 'opcert.cert'),
      operationalCertificateToTextEnvelope(issueOperationalCertificate(cold, kes.verificationKey(), 1n, startKesPeriod)),
    );
    await signer.runtime.cycle();

    const [before, after] = net.network.registrations.map((r) => ({ registration: r, opcert: operationalCertificateFromCbor(r.operationalCertificate) }));
    expect(before!.opcert.issueNumber).toBe(0n);
    expect(after!.opcert).toMatchObject({ issueNumber: 1n, startKesPeriod });
    expect(after!.registration.kesEvolutions).toBe(0);
    expect(verifyKesSignature(kes.verificationKey(), 0, after!.registration.verificationKey, after!.registration.verificationKeySignature)).toBe(true);
    expect(after!.registration.partyId).toBe(pool.poolId.bech32);
  });

  it('waits, saying why, when the key files are missing or cannot certify at the chain evolution', async () => {
    const net = await network(0);
    const pool = pools[0]!;
    const missing = await poolSigner({ ...pool, keysDirectory: tempDir('signer-no-keys-') }, net.network, net.digester);
    opened.push(missing);
    await missing.runtime.cycle();
    expect(missing.runtime.status().waiting).toMatchObject({ reason: 'pool-keys-unusable', message: expect.stringMatching(/kes\.skey|opcert\.cert/) });
    // 64 KES periods after the opcert start, the key has expired.
    const expired = await poolSigner(pool, net.network, net.digester);
    opened.push(expired);
    net.chain.epoch = 40n;
    await expired.runtime.cycle();
    expect(expired.runtime.status().waiting).toMatchObject({ reason: 'pool-keys-unusable', message: expect.stringMatching(/expired|evolution/) });
    expect(net.network.registrations).toHaveLength(0);
  });

  it('retries a refused registration on later cycles of the epoch, with the key it stored', async () => {
    const net = await network(1);
    const [signer] = net.signers;
    net.network.aggregatorEpoch = 1n;
    net.chain.epoch = 1n;
    const accept = net.network.registerSigner.bind(net.network);
    let refusals = 1;
    net.network.registerSigner = async (registration) => {
      if (refusals-- > 0) {
        net.network.registrations.push(registration);
        throw new RemoteCallError('SignerGatewayService.RegisterSigner', 'rejected', 'round not open', ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN, 9);
      }
      return accept(registration);
    };
    await signer!.runtime.cycle();
    expect(signer!.runtime.status().waiting?.reason).toBe('registration-refused');
    expect(signer!.runtime.state).toEqual({ kind: 'Unregistered', epoch: 1n });
    expect((await signer!.store.store.getInitializer(2n))?.registeredAt).toBeNull();
    await signer!.runtime.cycle();
    expect(signer!.runtime.status().waiting).toBeUndefined();
    expect(signer!.runtime.state.kind).toBe('RegisteredNotAbleToSign');
    const [first, second] = net.network.registrations;
    expect(Buffer.from(second!.verificationKey).equals(Buffer.from(first!.verificationKey))).toBe(true);
    expect(eventsOf(signer!, 'waiting').map((e) => e.reason)).toEqual(['registration-refused']);
    expect(eventsOf(signer!, 'resumed')).toHaveLength(1);
  });

  it('a pool without stake cannot register: it stays unregistered and says why', async () => {
    const net = await network(1);
    const [signer] = net.signers;
    net.chain.stakes.delete(signer!.pool.poolId.hex);
    await signer!.runtime.cycle();
    expect(net.network.registrations).toHaveLength(0);
    expect(signer!.runtime.state).toEqual({ kind: 'Unregistered', epoch: 1n });
    expect(signer!.runtime.status().waiting).toMatchObject({ reason: 'no-stake' });
    expect(await signer!.store.store.getInitializer(2n)).toBeNull();
  });

  it('waits while the aggregator is not ready or not at our epoch', async () => {
    const net = await network(1);
    const [signer] = net.signers;
    net.network.aggregatorReady = false;
    await signer!.runtime.cycle();
    expect(signer!.runtime.status().waiting?.reason).toBe('aggregator-not-ready');
    net.network.aggregatorReady = true;
    net.network.aggregatorEpoch = 0n;
    await signer!.runtime.cycle();
    expect(signer!.runtime.status().waiting?.reason).toBe('aggregator-epoch-mismatch');
    expect(net.network.registrations).toHaveLength(0);
    net.network.aggregatorEpoch = undefined;
    await signer!.runtime.cycle();
    expect(net.network.registrations).toHaveLength(1);
  });
});

describe('signing', () => {
  it('signs the stake distribution once and the immutable DB each time it grows; every signature verifies and they aggregate', async () => {
    const net = await network(3);
    await runEpochs(net, 1n, 3n);
    for (const signer of net.signers) expect(signer.runtime.state).toEqual({ kind: 'ReadyToSign', epoch: 3n });

    const msd = mithrilStakeDistribution(3n);
    const db10 = cardanoDatabase(3n, 10n);
    for (const type of [msd, db10]) {
      const expected = net.network.expectedSignedMessage(type);
      const received = net.network.received(type);
      const handled = await Promise.all(net.signers.map((s) => s.store.store.getHandled(type)));
      // Each signer dealt with it once: sent (accepted) or lost the lottery (nothing sent).
      expect(handled.every((h) => h !== null && h.signedMessage === expected && (h.status === 'accepted' || h.status === 'lottery-lost'))).toBe(true);
      expect(received.length).toBe(handled.filter((h) => h!.status === 'accepted').length);
      expect(received.length).toBeGreaterThanOrEqual(2);
      for (const signature of received) {
        expect(signature.submission.signedMessage).toBe(expected);
        expect(signature.submission.wonIndexes).toEqual(signature.signature.indexes);
        net.network.verify(signature, 3n, expected);
      }
      const clerk = net.network.clerk(3n);
      const multi = clerk.aggregate(
        received.map((r) => r.signature),
        signedMessageBytes(expected),
      );
      multi.verify(signedMessageBytes(expected), clerk.aggregateVerificationKey, PARAMETERS);
    }
    for (const signer of net.signers) {
      const signed = eventsOf(signer, 'signed');
      for (const event of signed) expect(event.wonIndexes).toBeGreaterThan(0);
      expect(signed.length + eventsOf(signer, 'lottery-lost').length).toBe(2);
    }

    // Same immutable file: nothing new to sign.
    const attempts = net.network.signatureAttempts.length;
    await cycleAll(net.signers);
    expect(net.network.signatureAttempts.length).toBe(attempts);
    // A new immutable file: the new CardanoDatabase beacon only.
    net.digester.latest = 11n;
    await cycleAll(net.signers);
    const fresh = net.network.signatureAttempts.slice(attempts);
    expect(fresh.every((s) => sameType(s.signedEntityType, cardanoDatabase(3n, 11n)))).toBe(true);
    for (const signature of net.network.received(cardanoDatabase(3n, 11n)))
      net.network.verify(signature, 3n, net.network.expectedSignedMessage(cardanoDatabase(3n, 11n)));
  });

  it('computes the message itself: a lying aggregator gets a signature on the lie, never on the honest message, and cannot change the digest', async () => {
    const net = await network(3);
    await runEpochs(net, 1n, 2n);
    net.chain.epoch = 3n;
    const [victim] = net.signers;
    const honest = net.network.honestSettings(3n);
    // Next signers with one stake inflated, other next parameters.
    const lie = {
      ...honest,
      nextParameters: { k: 6n, m: 50n, phiF: 0.8 },
      nextSigners: honest.nextSigners.map((s, i) => (i === 0 ? { ...s, stake: s.stake * 100n } : s)),
    };
    net.network.tamper = () => lie;
    await victim!.runtime.cycle();
    expect(victim!.runtime.state).toEqual({ kind: 'ReadyToSign', epoch: 3n });

    for (const type of [mithrilStakeDistribution(3n), cardanoDatabase(3n, 10n)]) {
      const honestMessage = net.network.expectedSignedMessage(type, honest);
      const lieMessage = net.network.expectedSignedMessage(type, lie);
      expect(lieMessage).not.toBe(honestMessage);
      expect((await victim!.store.store.getHandled(type))?.signedMessage).toBe(lieMessage);
      for (const signature of net.network.received(type)) {
        expect(signature.submission.signedMessage).toBe(lieMessage);
        net.network.verify(signature, 3n, lieMessage);
        expect(() => net.network.verify(signature, 3n, honestMessage)).toThrow();
      }
    }
    // The digest part is the signer's own node's: an aggregator cannot bring another one.
    const digestPart = (await victim!.store.store.getHandled(cardanoDatabase(3n, 10n)))!.signedMessage;
    expect(digestPart).toBe(net.network.expectedSignedMessage(cardanoDatabase(3n, 10n), lie));
  });

  it('refuses settings whose keys do not carry a valid proof of possession', async () => {
    const net = await network(3);
    await runEpochs(net, 1n, 2n);
    net.chain.epoch = 3n;
    const [victim] = net.signers;
    const honest = net.network.honestSettings(3n);
    const forged = new Uint8Array(honest.nextSigners[1]!.verificationKey);
    forged.set(honest.nextSigners[0]!.verificationKey.subarray(96), 96); // someone else's PoP
    net.network.tamper = () => ({ ...honest, nextSigners: honest.nextSigners.map((s, i) => (i === 1 ? { ...s, verificationKey: forged } : s)) });
    await victim!.runtime.cycle();
    expect(victim!.runtime.status().waiting?.reason).toBe('invalid-epoch-settings');
    expect(net.network.signatureAttempts).toHaveLength(0);
  });

  it('cannot sign when its key is not among the current signers as registered', async () => {
    const net = await network(3);
    await runEpochs(net, 1n, 2n);
    net.chain.epoch = 3n;
    const [victim] = net.signers;
    // The aggregator recorded another stake for us.
    const own = net.network.recorded.get(2n)!.get(victim!.pool.poolId.bech32)!;
    net.network.record(2n, { ...own, stake: own.stake + 1n });
    await victim!.runtime.cycle();
    expect(victim!.runtime.state).toMatchObject({ kind: 'RegisteredNotAbleToSign', epoch: 3n, reason: expect.stringMatching(/stake/) });
    expect(net.network.signatureAttempts).toHaveLength(0);
    // Still registers for the next epoch, and signs again once listed correctly.
    expect(net.network.registrations.filter((r) => r.epoch === 3n && r.partyId === victim!.pool.poolId.bech32)).toHaveLength(1);
  });

  it('records a lost lottery as handled and sends nothing', async () => {
    const net = await network(2);
    net.network.parametersOf = () => ({ k: 1n, m: 5n, phiF: 1e-9 });
    await runEpochs(net, 1n, 3n);
    for (const signer of net.signers) {
      expect(signer.runtime.state.kind).toBe('ReadyToSign');
      expect((await signer.store.store.getHandled(mithrilStakeDistribution(3n)))?.status).toBe('lottery-lost');
      expect(eventsOf(signer, 'lottery-lost')).toHaveLength(2);
    }
    expect(net.network.signatureAttempts).toHaveLength(0);
  });
});

describe('gateway answers', () => {
  it('retries NO_OPEN_MESSAGE with the same signature while it is the latest, drops SIGNATURE_TOO_LATE', async () => {
    const net = await network(3);
    await runEpochs(net, 1n, 2n);
    net.chain.epoch = 3n;
    const [signer] = net.signers;
    // The stake distribution message is not open at first; the immutable ones are already certified.
    net.network.signatureScript = (submission, attempt) => {
      if (submission.signedEntityType.kind === 'MithrilStakeDistribution') return attempt === 1 ? gatewayErrors.noOpenMessage() : 'buffered';
      return gatewayErrors.tooLate();
    };
    await signer!.runtime.cycle();
    const msd = mithrilStakeDistribution(3n);
    const db = cardanoDatabase(3n, 10n);
    if ((await signer!.store.store.getHandled(msd))?.status === 'lottery-lost') return; // nothing was sent (vanishingly rare)
    expect(await signer!.store.store.getHandled(msd)).toBeNull();
    expect(eventsOf(signer!, 'signature-deferred').map((e) => e.signedEntityType.kind)).toEqual(['MithrilStakeDistribution']);
    const dbHandled = await signer!.store.store.getHandled(db);
    expect(dbHandled?.status === 'too-late' || dbHandled?.status === 'lottery-lost').toBe(true);

    await signer!.runtime.cycle();
    const attempts = net.network.signatureAttempts.filter((s) => sameType(s.signedEntityType, msd));
    expect(attempts).toHaveLength(2);
    expect(Buffer.from(attempts[1]!.signature).equals(Buffer.from(attempts[0]!.signature))).toBe(true);
    expect(await signer!.store.store.getHandled(msd)).toMatchObject({ status: 'buffered', wonIndexes: attempts[0]!.wonIndexes.length });
    expect(eventsOf(signer!, 'signed')).toEqual([
      { type: 'signed', signedEntityType: msd, signedMessage: attempts[0]!.signedMessage, wonIndexes: attempts[0]!.wonIndexes.length, status: 'buffered' },
    ]);
    // The dropped one is not sent again.
    expect(net.network.signatureAttempts.filter((s) => sameType(s.signedEntityType, db)).length).toBeLessThanOrEqual(1);
    await signer!.runtime.cycle();
    expect(net.network.signatureAttempts.filter((s) => sameType(s.signedEntityType, db)).length).toBeLessThanOrEqual(1);
    // Nor is the buffered one: the aggregator holds it until its message opens.
    expect(net.network.signatureAttempts.filter((s) => sameType(s.signedEntityType, msd))).toHaveLength(2);
  });

  it('gives up a deferred immutable DB signature once a newer immutable file is the latest', async () => {
    const net = await network(3);
    await runEpochs(net, 1n, 2n);
    net.chain.epoch = 3n;
    net.network.signatureScript = (submission) =>
      submission.signedEntityType.kind === 'CardanoDatabase' && submission.signedEntityType.immutableFileNumber === 10n
        ? gatewayErrors.noOpenMessage()
        : undefined;
    const [signer] = net.signers;
    await signer!.runtime.cycle();
    await signer!.runtime.cycle();
    const tries = (n: bigint) => net.network.signatureAttempts.filter((s) => sameType(s.signedEntityType, cardanoDatabase(3n, n))).length;
    const lost = (await signer!.store.store.getHandled(cardanoDatabase(3n, 10n)))?.status === 'lottery-lost';
    expect(tries(10n)).toBe(lost ? 0 : 2);
    net.digester.latest = 12n;
    await signer!.runtime.cycle();
    await signer!.runtime.cycle();
    expect(tries(10n)).toBe(lost ? 0 : 2);
    expect(tries(12n)).toBeLessThanOrEqual(1);
    expect(await signer!.store.store.getHandled(cardanoDatabase(3n, 10n))).toEqual(lost ? expect.anything() : null);
    expect(await signer!.store.store.getHandled(cardanoDatabase(3n, 12n))).not.toBeNull();
  });
});

describe('refusals', () => {
  it('stops registering and signing from the epoch an unsupported era activates, and says which era', async () => {
    const chain = new FakeChain();
    chain.stakes.set(pools[0]!.poolId.hex, 1_000_000_000_000n);
    const network = new FakeNetwork(chain);
    const markers = new FileEraReader(join(tempDir('era-'), 'era-markers.json'));
    writeFileSync(markers.path, '[{"name":"pythagoras","epoch":0},{"name":"lagrange","epoch":2}]');
    const signer = await poolSigner(pools[0]!, network, new FakeDigester(), { era: new EraChecker(markers, { refreshMs: 0 }) });
    opened.push(signer);
    await signer.runtime.cycle();
    expect(network.registrations).toHaveLength(1);
    chain.epoch = 2n;
    await signer.runtime.cycle();
    expect(network.registrations).toHaveLength(1);
    expect(network.signatureAttempts).toHaveLength(0);
    expect(signer.runtime.status().waiting).toEqual({
      reason: 'unsupported-era',
      message:
        'Mithril era lagrange is active since epoch 2 and this binary supports only pythagoras: upgrade it; the signer stopped signing: run a signer that supports this era',
    });
    // Markers that cannot be read stop it too: an unknown era is not a supported one.
    writeFileSync(markers.path, 'not json');
    await signer.runtime.cycle();
    expect(signer.runtime.status().waiting).toMatchObject({ reason: 'era-unknown', message: expect.stringMatching(/era-markers\.json/) });
    expect(network.registrations).toHaveLength(1);
  });

  it('does nothing while the node is not synced, and says so', async () => {
    const net = await network(1);
    const [signer] = net.signers;
    net.chain.syncProgress = 99.5;
    await signer!.runtime.cycle();
    expect(net.network.epochSettingsCalls).toBe(0);
    expect(net.network.registrations).toHaveLength(0);
    expect(signer!.runtime.state).toEqual({ kind: 'Init' });
    expect(signer!.runtime.status().waiting?.reason).toBe('node-not-synced');
    expect(eventsOf(signer!, 'waiting')).toEqual([{ type: 'waiting', reason: 'node-not-synced', message: expect.stringMatching(/99\.5%/) }]);
    net.chain.syncProgress = 100;
    await signer!.runtime.cycle();
    expect(net.network.registrations).toHaveLength(1);
  });

  it('honours a configured sync threshold, and a node that does not report its progress', async () => {
    const chain = new FakeChain();
    chain.stakes.set(pools[0]!.poolId.hex, 1_000_000n);
    const network = new FakeNetwork(chain);
    const signer = await poolSigner(pools[0]!, network, new FakeDigester(), { minSyncProgress: 99 });
    opened.push(signer);
    chain.syncProgress = 99.5;
    await signer.runtime.cycle();
    expect(network.registrations).toHaveLength(1);
    chain.epoch = 2n;
    chain.syncProgress = undefined;
    await signer.runtime.cycle();
    expect(network.registrations).toHaveLength(2);
  });

  it('refuses to act on an aggregator or gateway speaking an incompatible protocol version', async () => {
    const net = await network(3);
    const [signer] = net.signers;
    net.network.aggregatorVersion = '1.0.0';
    await signer!.runtime.cycle();
    expect(net.network.registrations).toHaveLength(0);
    expect(signer!.runtime.status().waiting).toMatchObject({ reason: 'incompatible-protocol-version', message: expect.stringMatching(/1\.0\.0/) });
    net.network.aggregatorVersion = undefined;
    await signer!.runtime.cycle();
    expect(signer!.runtime.status().waiting?.reason).toBe('incompatible-protocol-version');
    expect(net.network.registrations).toHaveLength(0);
    net.network.aggregatorVersion = '0.1.7';
    await runEpochs(net, 1n, 3n);
    expect(signer!.runtime.state.kind).toBe('ReadyToSign');

    // A signature answered by an incompatible gateway is not taken as delivered.
    const other = net.signers[1]!;
    net.network.gatewayVersion = '0.2.0';
    net.chain.epoch = 4n;
    await other.runtime.cycle();
    expect(other.runtime.status().waiting?.reason).toBe('incompatible-protocol-version');
    expect(await other.store.store.getHandled(mithrilStakeDistribution(4n))).toBeNull();
  });
});

describe('persistence', () => {
  it('a restart with the same store keeps signing (initializer reloaded) without signing again what was sent', async () => {
    const net = await network(3);
    await runEpochs(net, 1n, 2n);
    // Signer 0 restarts between epochs 2 and 3: a new runtime over the same database file.
    const [before] = net.signers;
    await before!.store.close();
    const after = await poolSigner(before!.pool, net.network, net.digester, { storeUrl: before!.storeUrl });
    opened.push(after);
    net.signers[0] = after;
    await runEpochs(net, 3n, 3n);
    expect(after.runtime.state).toEqual({ kind: 'ReadyToSign', epoch: 3n });
    const handled = await after.store.store.getHandled(mithrilStakeDistribution(3n));
    expect(handled?.signedMessage).toBe(net.network.expectedSignedMessage(mithrilStakeDistribution(3n)));
    for (const signature of net.network.received(mithrilStakeDistribution(3n))) net.network.verify(signature, 3n, handled!.signedMessage);

    // Restarting again within epoch 3: no registration nor signature is sent twice.
    const registrations = net.network.registrations.length;
    const attempts = net.network.signatureAttempts.length;
    await after.store.close();
    const again = await poolSigner(before!.pool, net.network, net.digester, { storeUrl: before!.storeUrl });
    opened.push(again);
    await again.runtime.cycle();
    expect(again.runtime.state).toEqual({ kind: 'ReadyToSign', epoch: 3n });
    expect(net.network.registrations.length).toBe(registrations);
    expect(net.network.signatureAttempts.length).toBe(attempts);
  });

  it('deletes the secret keys two epochs after they signed', async () => {
    const net = await network(2);
    const [signer] = net.signers;
    await runEpochs(net, 1n, 4n);
    // At epoch 4: keys recorded for 2 (signed during 3), 3 (signs during 4), 4 and 5 are kept.
    for (const recording of [2n, 3n, 4n, 5n]) expect(await signer!.store.store.getInitializer(recording)).not.toBeNull();
    await runEpochs(net, 5n, 5n);
    expect(INITIALIZER_RETENTION_EPOCHS).toBe(2n);
    expect(await signer!.store.store.getInitializer(2n)).toBeNull();
    for (const recording of [3n, 4n, 5n, 6n]) expect(await signer!.store.store.getInitializer(recording)).not.toBeNull();
    expect(eventsOf(signer!, 'pruned')).toEqual([{ type: 'pruned', epoch: 5n, initializers: 1, handledEntities: 0 }]);
    expect(signer!.runtime.state.kind).toBe('ReadyToSign');
  });
});

describe('state changes', () => {
  it('goes Init → Unregistered → RegisteredNotAbleToSign → Unregistered → ReadyToSign and reports each change', async () => {
    const net = await network(2);
    const [signer] = net.signers;
    await runEpochs(net, 1n, 3n);
    const changes = eventsOf(signer!, 'state-changed').map((e) => `${e.from.kind}>${e.to.kind}${'epoch' in e.to ? e.to.epoch : ''}`);
    expect(changes).toEqual([
      'Init>Unregistered1',
      'Unregistered>RegisteredNotAbleToSign1',
      'RegisteredNotAbleToSign>Unregistered2',
      'Unregistered>RegisteredNotAbleToSign2',
      'RegisteredNotAbleToSign>Unregistered3',
      'Unregistered>ReadyToSign3',
    ]);
  });
});
