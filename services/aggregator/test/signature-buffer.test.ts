/**
 * Signatures that arrive before their message is open: held (bounded, expiring), answered
 * BUFFERED over gRPC, verified and counted when the message opens. A real aggregator on port 0
 * with real pool keys; the signers' node is one immutable file ahead of the aggregator's.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { credentials, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { AggregatorServiceClient, SignatureRegistrationStatus, readErrorDetail, setVersionMetadata, signedEntityTypeToProto } from '@mithril-ts/proto';
import {
  PROTOCOL_VERSION,
  cardanoDatabase,
  signedEntityProtocolMessage,
  signedMessageBytes,
  type Certificate,
  type SignedEntityType,
} from '@mithril-ts/protocol';
import { ImmutableDbDigester } from '@mithril-ts/service-kit';
import { Initializer, singleSignatureToBytes } from '@mithril-ts/stm';
import { testPool } from '@mithril-ts/testkit';
import { aggregatorConfigSchema, generateGenesisKeys, startAggregator, type RegisterSignatureInput, type RunningAggregator } from '../src/index.js';
import { SignatureBuffer } from '../src/runtime/signature-buffer.js';

const START = 100n;
const SLOTS_PER_KES_PERIOD = 100n;
const POOLS = [0, 1, 2].map((i) => testPool(i, 1n, START));
const party = (i: number) => POOLS[i]!.pool.bech32;

let root: string;
let aggregator: RunningAggregator;
let client: AggregatorServiceClient;
const keys = new Map<string, Initializer>(); // `${recordingEpoch}:${party}`

function setEpoch(epoch: bigint): void {
  writeFileSync(
    join(root, 'chain', 'tip.json'),
    JSON.stringify({ epoch: Number(epoch), slot: Number((START + epoch) * SLOTS_PER_KES_PERIOD), syncProgress: '100.00' }),
  );
  const pools = Object.fromEntries(POOLS.map((p) => [p.pool.hex, { stakeMark: Number(p.stake), stakeSet: 0, stakeGo: 0 }]));
  writeFileSync(join(root, 'chain', `stake-snapshot-${epoch}.json`), JSON.stringify({ pools, total: { stakeMark: 0, stakeSet: 0, stakeGo: 0 } }));
}
function writeImmutable(directory: string, upTo: number): void {
  for (let n = 0; n <= upTo; n += 1)
    for (const ext of ['chunk', 'primary', 'secondary']) writeFileSync(join(directory, `${String(n).padStart(5, '0')}.${ext}`), `immutable ${n} ${ext}`);
}
async function until(probe: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000 && !(await probe()); i += 1) await new Promise((r) => setTimeout(r, 10));
}
function call<Res>(invoke: (metadata: Metadata, callback: (error: ServiceError | null, response: Res) => void) => void): Promise<Res> {
  const md = setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION });
  return new Promise((resolve, reject) => invoke(md, (error, response) => (error ? reject(error) : resolve(response))));
}

async function registerAll(epoch: bigint): Promise<void> {
  for (const [i, pool] of POOLS.entries()) {
    const init = Initializer.generate(aggregator.runtime.context.registrationParameters, pool.stake, randomBytes(32));
    keys.set(`${epoch + 1n}:${party(i)}`, init);
    const evidence = pool.registration({ evolution: Number(epoch), mithrilKey: init.verificationKeyPoP.toBytes(), epoch });
    await call((m, cb) =>
      client.registerSigner(
        {
          registration: {
            epoch,
            partyId: party(i),
            verificationKey: Buffer.from(init.verificationKeyPoP.toBytes()),
            verificationKeySignature: Buffer.from(evidence.verificationKeySignature),
            operationalCertificate: Buffer.from(evidence.operationalCertificate),
            kesEvolutions: evidence.kesEvolutions,
          },
          certification: { partyId: party(i), stake: pool.stake, epoch },
        },
        m,
        cb,
      ),
    );
  }
}

/** What pool `i` signs for `type` over `signedMessage` (null when it wins no lottery index). */
function signatureOf(i: number, type: SignedEntityType, signedMessage: string): RegisterSignatureInput | null {
  const { epoch, settings } = aggregator.runtime.context;
  const init = keys.get(`${epoch - 1n}:${party(i)}`)!;
  const signature = new Initializer(settings.currentParameters, init.stake, init.signingKey)
    .newSigner(settings.currentSigners!.closed)
    .sign(signedMessageBytes(signedMessage));
  return signature === null ? null : { signedEntityType: type, partyId: party(i), signature: singleSignatureToBytes(signature), signedMessage };
}

const send = (input: RegisterSignatureInput) =>
  call<{ status: SignatureRegistrationStatus }>((m, cb) =>
    client.registerSignatures(
      {
        signature: {
          signedEntityType: signedEntityTypeToProto(input.signedEntityType),
          partyId: input.partyId,
          signature: Buffer.from(input.signature),
          wonIndexes: [],
          signedMessage: input.signedMessage,
        },
      },
      m,
      cb,
    ),
  );

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'aggregator-buffer-'));
  for (const dir of ['chain', 'immutable', 'signer-immutable']) mkdirSync(join(root, dir));
  const genesisKey = join(root, 'genesis.skey');
  await generateGenesisKeys(genesisKey, join(root, 'genesis.vkey'));
  writeImmutable(join(root, 'immutable'), 4);
  setEpoch(1n);
  aggregator = await startAggregator(
    aggregatorConfigSchema.parse({
      insecure: true,
      port: 0,
      storeUrl: `file:${join(root, 'aggregator.sqlite')}`,
      chainDirectory: join(root, 'chain'),
      immutableDirectory: join(root, 'immutable'),
      // k=1 over m=50: one pool's signature seals the round.
      protocolParameters: [{ fromEpoch: 0n, k: 1n, m: 50n, phiF: 0.95 }],
      signedEntityKinds: 'CardanoDatabase',
      runIntervalMs: 20,
      slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
      bootstrapGenesisSecretKeyFile: genesisKey,
      logLevel: 'silent',
    }),
  );
  client = new AggregatorServiceClient(`127.0.0.1:${aggregator.port}`, credentials.createInsecure());
  await until(() => aggregator.runtime.state.kind !== 'idle');
  await registerAll(1n);
  setEpoch(2n);
  await until(() => aggregator.runtime.context.epoch === 2n);
  await registerAll(2n);
  setEpoch(3n);
  await until(async () => aggregator.runtime.context.epoch === 3n && (await aggregator.store.openMessages.list({ epoch: 3n })).length > 0);
});

afterAll(async () => {
  client?.close();
  await aggregator?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('signatures for a message not open yet', () => {
  it('answers BUFFERED, stores nothing, then verifies and counts them when the message opens; one over another message is dropped', async () => {
    const certificates: Certificate[] = [];
    aggregator.runtime.on('certificate', (certificate) => certificates.push(certificate));
    // The signers' node has immutable file 5 final (chunk 6 being written); the aggregator's does not yet.
    writeImmutable(join(root, 'signer-immutable'), 6);
    const type = cardanoDatabase(3n, 5n);
    const root5 = await new ImmutableDbDigester(join(root, 'signer-immutable')).cardanoDatabaseMerkleRoot(5n);
    const signed = signedEntityProtocolMessage(aggregator.runtime.context.settings, type, { cardanoDatabaseMerkleRoot: root5 }).signedMessage();
    const honest = [0, 1].map((i) => signatureOf(i, type, signed)).filter((s) => s !== null);
    expect(honest.length).toBeGreaterThan(0);
    // Pool 2 signs something else and says it is this message's: held, then refused when the message opens.
    const wrong = signatureOf(2, type, 'ab'.repeat(32));
    for (const input of [...honest, ...(wrong === null ? [] : [wrong])]) {
      expect((await send(input)).status).toBe(SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_BUFFERED);
    }
    expect(await aggregator.store.openMessages.get(type)).toBeNull();

    writeImmutable(join(root, 'immutable'), 6);
    await until(() =>
      certificates.some((c) => c.epoch === 3n && JSON.stringify(c.signedEntityType, (_, v) => (typeof v === 'bigint' ? `${v}` : v)).includes('"5"')),
    );
    const message = (await aggregator.store.openMessages.get(type))!;
    expect(message.isCertified).toBe(true);
    const stored = (await aggregator.store.openMessages.listSingleSignatures(message.id)).map((s) => s.partyId);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored).not.toContain(party(2));
    expect(honest.map((s) => s.partyId)).toEqual(expect.arrayContaining(stored));
  });

  it('refuses as before what cannot be held: no signed message, another epoch, an undecodable signature', async () => {
    const type = cardanoDatabase(3n, 9n);
    const signed = 'cd'.repeat(32);
    const input = signatureOf(0, type, signed) ?? signatureOf(1, type, signed)!;
    const reason = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: ServiceError) => readErrorDetail(error)?.metadata.reason,
      );
    expect(await reason(send({ ...input, signedMessage: '' }))).toBe('NO_OPEN_MESSAGE');
    expect(await reason(send({ ...input, signedEntityType: cardanoDatabase(4n, 9n) }))).toBe('NO_OPEN_MESSAGE');
    expect(await reason(send({ ...input, signature: new Uint8Array(10) }))).toBe('NO_OPEN_MESSAGE');
    expect(await reason(send({ ...input, partyId: input.partyId === party(0) ? party(1) : party(0) }))).toBe('NO_OPEN_MESSAGE');
  });
});

describe('SignatureBuffer', () => {
  const signed = 'ef'.repeat(32);
  const inputs = () => {
    const found: RegisterSignatureInput[] = [];
    for (let n = 20n; found.length < 4 && n < 60n; n += 1n) {
      for (const i of [0, 1]) {
        const input = signatureOf(i, cardanoDatabase(3n, n), signed);
        if (input !== null) found.push(input);
      }
    }
    return found;
  };

  it('bounds what it holds per signer and in all, a newer signature for the same entity replacing the older', () => {
    const context = aggregator.runtime.context;
    const all = inputs();
    const zero = all.filter((s) => s.partyId === party(0));
    const buffer = new SignatureBuffer({ maxPerSigner: 1, maxTotal: 2, ttlMs: 1000 }, () => 0);
    expect(buffer.hold(zero[0]!, context)).toBe(true);
    expect(buffer.hold(zero[1]!, context)).toBe(false); // pool 0's one place is taken
    expect(buffer.hold({ ...zero[0]! }, context)).toBe(true); // the same entity again replaces it
    expect(buffer.size).toBe(1);
    const one = all.filter((s) => s.partyId === party(1));
    expect(buffer.hold(one[0]!, context)).toBe(true);
    const tight = new SignatureBuffer({ maxPerSigner: 5, maxTotal: 1, ttlMs: 1000 }, () => 0);
    expect(tight.hold(zero[0]!, context)).toBe(true);
    expect(tight.hold(one[0]!, context)).toBe(false); // full in all
  });

  it('gives back what it holds for an entity once, drops what expired or belongs to an earlier epoch', () => {
    const context = aggregator.runtime.context;
    const [first] = inputs();
    let now = 0;
    const buffer = new SignatureBuffer({ maxPerSigner: 8, maxTotal: 100, ttlMs: 1000 }, () => now);
    buffer.hold(first!, context);
    expect(buffer.take(cardanoDatabase(3n, 99n))).toEqual([]);
    expect(buffer.take(first!.signedEntityType)).toEqual([first]);
    expect(buffer.take(first!.signedEntityType)).toEqual([]);
    buffer.hold(first!, context);
    now = 999;
    expect(buffer.dropExpired()).toBe(0);
    now = 1000;
    expect(buffer.take(first!.signedEntityType)).toEqual([]); // expired on the dot
    now = 0;
    buffer.hold(first!, context);
    expect(buffer.dropBefore(3n)).toBe(0);
    expect(buffer.dropBefore(4n)).toBe(1);
    expect(buffer.size).toBe(0);
    expect(buffer.release(first!)).toBe(false);
  });
});
