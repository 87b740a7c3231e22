/**
 * Two aggregator replicas on one PostgreSQL database, each a real process (`node --import tsx
 * src/main.ts`): the leader is killed with SIGKILL in the middle of a signing round (some
 * signatures accepted, the quorum not reached). The follower must take the lease over within
 * 15 s, the round must be certified with every signature the dead leader had accepted, the chain
 * must verify back to genesis, and no two certificates may certify the same message. Runs when
 * MITHRIL_TEST_POSTGRES_URL is set (`bash scripts/start-test-postgres.sh`); prints the failover
 * time measured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import pg from 'pg';
import { parsePoolId } from '@mithril-ts/cardano';
import { AggregatorServiceClient, ErrorCode, readErrorDetail, setVersionMetadata, signedEntityTypeToProto } from '@mithril-ts/proto';
import {
  CertificateChainVerifier,
  type GenesisSigner,
  PROTOCOL_VERSION,
  certificateFromJson,
  mithrilStakeDistribution,
  signedEntityProtocolMessage,
  signedMessageBytes,
  type Certificate,
} from '@mithril-ts/protocol';
import { CardanoCliFilesChainObserver } from '@mithril-ts/service-kit';
import { createTestDatabase, freePort, type TestDatabase } from '@mithril-ts/testkit';
import { Initializer, singleSignatureToBytes, type SingleSignature } from '@mithril-ts/stm';
import {
  aggregatorConfigSchema,
  generateGenesisKeys,
  loadEpochContext,
  openAggregatorStore,
  parametersSchedule,
  readGenesisSigner,
  startAggregator,
  type OpenedAggregatorStore,
  type RunningAggregator,
} from '../src/index.js';
import { RUNTIME_LOCK_KEY } from '../src/leadership/lease.js';
import { SLOTS_PER_KES_PERIOD, evidenceOf, kesPools, slotOf } from './kes-pools.js';

const POSTGRES_URL = process.env.MITHRIL_TEST_POSTGRES_URL;
if (!POSTGRES_URL) process.stderr.write('note: aggregator failover test skipped (set MITHRIL_TEST_POSTGRES_URL to run it)\n');

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KES_POOLS = kesPools(4);
const PARTIES = KES_POOLS.map(({ pool }) => parsePoolId(pool.hex).bech32);
// k is large enough that no single pool reaches the quorum alone and all four together almost surely do.
const SCHEDULE = [{ fromEpoch: 0n, k: 20n, m: 40n, phiF: 0.8 }];
const SIGNING_EPOCH = 3n;
const FAILOVER_LIMIT_MS = 15_000;

const md = () => setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const T0 = Date.now();
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      if (process.env.DEBUG_FAILOVER) process.stderr.write(`${Date.now() - T0} ms: ${what}\n`);
      return value;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** An aggregator process; its JSON log lines are kept to follow its role. */
class AggregatorProcess {
  readonly lines: string[] = [];
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly client: AggregatorServiceClient;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly child: ChildProcess,
  ) {
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      this.lines.push(...lines);
    });
    child.stderr!.on('data', (chunk: Buffer) => this.lines.push(chunk.toString('utf8')));
    child.on('exit', (code, signal) => (this.exited = { code, signal }));
    this.client = new AggregatorServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  }

  logged(message: string): boolean {
    return this.lines.some((line) => line.includes(`"msg":"${message}`));
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.exited !== undefined) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

(POSTGRES_URL ? describe : describe.skip)('aggregator replicas on PostgreSQL', () => {
  let root: string;
  let databaseUrl: string;
  let testDatabase: TestDatabase | undefined;
  const database = `aggregator_failover_${process.pid}`;
  const processes: AggregatorProcess[] = [];
  const inProcess: RunningAggregator[] = [];
  const clients: AggregatorServiceClient[] = [];
  let opened: OpenedAggregatorStore | undefined;

  const chainDirectory = () => join(root, 'chain');
  function setEpoch(epoch: bigint): void {
    writeFileSync(join(chainDirectory(), 'tip.json'), JSON.stringify({ epoch: Number(epoch), slot: Number(slotOf(epoch)), syncProgress: '100.00' }));
    const pools = Object.fromEntries(KES_POOLS.map(({ pool, stake }) => [pool.hex, { stakeMark: Number(stake), stakeSet: 0, stakeGo: 0 }]));
    writeFileSync(join(chainDirectory(), `stake-snapshot-${epoch}.json`), JSON.stringify({ pools, total: { stakeMark: 0, stakeSet: 0, stakeGo: 0 } }));
  }
  const settings = () => ({
    storeUrl: databaseUrl,
    chainDirectory: chainDirectory(),
    immutableDirectory: join(root, 'immutable'),
    protocolParameters: SCHEDULE,
    signedEntityKinds: 'MithrilStakeDistribution',
    slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
    insecure: true,
  });

  async function spawnAggregator(name: string): Promise<AggregatorProcess> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, MITHRIL_AGGREGATOR_PORT: String(port), MITHRIL_AGGREGATOR_RUN_INTERVAL_MS: '200' };
    for (const [key, value] of Object.entries(settings())) {
      env[`MITHRIL_AGGREGATOR_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`] =
        typeof value === 'string' ? value : JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v));
    }
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services/aggregator/src/main.ts')], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new AggregatorProcess(name, port, child);
    processes.push(started);
    await until(`${name} listening`, () => {
      if (started.exited !== undefined) throw new Error(`${name} exited: ${started.lines.join('\n')}`);
      return started.logged('aggregator listening') ? true : undefined;
    });
    return started;
  }

  /** Whether some session holds the runtime's advisory lock in the test database. */
  async function lockHolders(): Promise<number> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const result = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
           AND ((classid::bigint << 32) | objid::bigint) = $1::bigint AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [RUNTIME_LOCK_KEY.toString()],
      );
      return Number(result.rows[0]!.n);
    } finally {
      await client.end();
    }
  }

  function registerSignature(target: AggregatorServiceClient, partyId: string, signature: SingleSignature, signedMessage: string): Promise<void> {
    return new Promise((resolve, reject) =>
      target.registerSignatures(
        {
          signature: {
            signedEntityType: signedEntityTypeToProto(mithrilStakeDistribution(SIGNING_EPOCH)),
            partyId,
            signature: Buffer.from(singleSignatureToBytes(signature)),
            wonIndexes: signature.indexes.map(BigInt),
            signedMessage,
          },
        },
        md(),
        (error: ServiceError | null) => (error ? reject(error) : resolve()),
      ),
    );
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aggregator-failover-'));
    mkdirSync(chainDirectory());
    mkdirSync(join(root, 'immutable'));
    testDatabase = await createTestDatabase(POSTGRES_URL!, database);
    databaseUrl = testDatabase.url;
  });

  afterAll(async () => {
    if (process.env.DEBUG_FAILOVER) for (const started of processes) writeFileSync(`/tmp/failover-${started.name}.log`, started.lines.join('\n'));
    for (const started of processes) await started.stop();
    for (const client of clients) client.close();
    for (const running of inProcess) await running.close();
    await opened?.close();
    await testDatabase?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a follower takes over a killed leader mid-round: the round is certified, nothing accepted is lost, no message is sealed twice', async () => {
    // 1. A certified chain to continue: genesis at epoch 2 with four signers (in-process, then stopped: its lease is released).
    const secret = join(root, 'genesis.skey');
    await generateGenesisKeys(secret, join(root, 'genesis.vkey'));
    const genesis: GenesisSigner = readGenesisSigner(secret);
    setEpoch(1n);
    const seed = await startAggregator(
      aggregatorConfigSchema.parse({ ...settings(), port: 0, runIntervalMs: 50, logLevel: 'silent', bootstrapGenesisSecretKeyFile: secret }),
    );
    const keys = new Map<string, Initializer>(); // the keys registered during epoch 1, which sign in epoch 3
    const registerAll = async (epoch: bigint) => {
      for (const [i, partyId] of PARTIES.entries()) {
        const { stake } = KES_POOLS[i]!;
        const init = Initializer.generate(seed.replica.context.registrationParameters, stake, randomBytes(32));
        if (epoch === 1n) keys.set(partyId, init);
        const key = init.verificationKeyPoP.toBytes();
        await seed.replica.registerSigner({
          epoch,
          partyId,
          verificationKey: key,
          ...evidenceOf(KES_POOLS[i]!, epoch, key),
          certified: { partyId, stake, epoch },
        });
      }
    };
    // The replica to be killed: a process of its own, started now (a start costs seconds here) as a follower of the seed.
    let leader: AggregatorProcess;
    try {
      expect(seed.replica.role).toBe('leader');
      const spawned = spawnAggregator('replica-a');
      spawned.catch(() => {});
      await until('the seed to read epoch 1', () => (seed.runtime.state.kind !== 'idle' ? true : undefined));
      await registerAll(1n);
      setEpoch(2n);
      await until('the genesis certificate', async () => (await seed.store.certificates.latestGenesis()) ?? undefined);
      // Epoch 3 needs next signers too (registered during epoch 2), else it is blocked without them.
      await registerAll(2n);
      leader = await spawned;
      expect(leader.logged('aggregator replica is a follower')).toBe(true);
    } finally {
      await seed.close();
    }
    // 2. A graceful stop hands the lease over: replica-a leads; a second replica (in this process) follows.
    const closedAt = Date.now();
    await until('replica-a to lead', () => (leader.logged('aggregator replica is the leader') ? true : undefined), FAILOVER_LIMIT_MS);
    process.stdout.write(`aggregator failover: after a graceful stop, the follower led ${Date.now() - closedAt} ms later\n`);
    setEpoch(SIGNING_EPOCH);
    const follower = await startAggregator(aggregatorConfigSchema.parse({ ...settings(), port: 0, runIntervalMs: 200, logLevel: 'silent' }));
    inProcess.push(follower);
    const followerClient = new AggregatorServiceClient(`127.0.0.1:${follower.port}`, credentials.createInsecure());
    clients.push(followerClient);
    expect(follower.replica.role).toBe('follower');
    expect(await lockHolders()).toBe(1);

    opened = await openAggregatorStore({ url: databaseUrl });
    const store = opened.store;
    const message = await until(
      'the open message of the round',
      async () => (await store.openMessages.get(mithrilStakeDistribution(SIGNING_EPOCH))) ?? undefined,
    );
    const context = await loadEpochContext(
      store,
      new CardanoCliFilesChainObserver(chainDirectory(), 0),
      parametersSchedule(SCHEDULE),
      SIGNING_EPOCH,
      undefined,
      { readOnly: true },
    );
    const signed = signedEntityProtocolMessage(context.settings, mithrilStakeDistribution(SIGNING_EPOCH), {}).signedMessage();
    const signatures = PARTIES.map((partyId) => {
      const init = keys.get(partyId)!;
      const signer = new Initializer(context.settings.currentParameters, init.stake, init.signingKey).newSigner(context.settings.currentSigners!.closed);
      return { partyId, signature: signer.sign(signedMessageBytes(signed)) };
    }).filter((entry): entry is { partyId: string; signature: SingleSignature } => entry.signature !== null);
    // The first batch: the fewest indexes first, as many as stay below the quorum.
    signatures.sort((a, b) => a.signature.indexes.length - b.signature.indexes.length);
    const k = Number(context.settings.currentParameters.k);
    const claimed = new Set<number>();
    const before: typeof signatures = [];
    for (const entry of signatures) {
      const union = new Set([...claimed, ...entry.signature.indexes.map(Number)]);
      if (union.size >= k) break;
      for (const index of union) claimed.add(index);
      before.push(entry);
    }
    const after = signatures.slice(before.length);
    expect(before.length).toBeGreaterThan(0);
    expect(new Set(signatures.flatMap((s) => s.signature.indexes)).size).toBeGreaterThanOrEqual(k);

    // A follower serves reads (once it has read what the leader published for the epoch) and refuses the intake with a typed, retryable error.
    const epochSettings = await until(
      'the follower to serve the epoch settings',
      () =>
        new Promise<{ epochSettings?: { epoch: bigint } } | undefined>((resolve, reject) =>
          followerClient.getEpochSettings({}, md(), (error: ServiceError | null, response: { epochSettings?: { epoch: bigint } }) => {
            if (error === null) resolve(response.epochSettings?.epoch === SIGNING_EPOCH ? response : undefined);
            else if (readErrorDetail(error)?.code === ErrorCode.ERROR_CODE_NOT_READY) resolve(undefined);
            else reject(error);
          }),
        ),
    );
    expect(epochSettings.epochSettings?.epoch).toBe(SIGNING_EPOCH);
    const refused = await registerSignature(followerClient, before[0]!.partyId, before[0]!.signature, signed).then(
      () => undefined,
      (error: ServiceError) => error,
    );
    expect(refused).toBeDefined();
    expect({ code: refused!.code, details: refused!.details }).toEqual({ code: 14, details: expect.stringMatching(/follower/) });
    expect(readErrorDetail(refused!)).toMatchObject({ code: ErrorCode.ERROR_CODE_NOT_READY, metadata: { reason: 'NOT_LEADER' } });

    // 3. Some signatures accepted by the leader (each acknowledged only once committed), then SIGKILL.
    for (const { partyId, signature } of before) await registerSignature(leader.client, partyId, signature, signed);
    const acceptedBeforeKill = before.map(({ partyId }) => partyId);
    expect(await store.certificates.ofSignedEntity(mithrilStakeDistribution(SIGNING_EPOCH))).toBeNull();
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await until('replica-a to die', () => leader.exited);

    // 4. The follower takes the lease over.
    await until('the second replica to lead', () => (follower.replica.role === 'leader' ? true : undefined), FAILOVER_LIMIT_MS + 5000);
    const failoverMs = Date.now() - killedAt;
    process.stdout.write(`aggregator failover: the follower took the lease over ${failoverMs} ms after the leader was killed (SIGKILL)\n`);
    expect(failoverMs).toBeLessThan(FAILOVER_LIMIT_MS);
    expect(await lockHolders()).toBe(1);

    // 5. The rest of the round goes to the new leader (retrying while it enters the epoch, as a signer would).
    for (const { partyId, signature } of after) {
      await until(`${partyId}'s signature to be taken`, () =>
        registerSignature(followerClient, partyId, signature, signed).then(
          () => true,
          (error: ServiceError) => {
            const code = readErrorDetail(error)?.code;
            if (code === ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE) return true; // the quorum was already reached
            if (code === ErrorCode.ERROR_CODE_NOT_READY || code === ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE) return undefined;
            throw error;
          },
        ),
      );
    }
    const record = await until(
      'the round to be certified',
      async () => (await store.certificates.ofSignedEntity(mithrilStakeDistribution(SIGNING_EPOCH))) ?? undefined,
    );
    const certificate = certificateFromJson(record.json);
    const certifiedMs = Date.now() - killedAt;
    process.stdout.write(`aggregator failover: the interrupted round was certified ${certifiedMs} ms after the kill\n`);

    // Nothing accepted before the kill is lost: every such signature is in the store and the certificate's signers include them.
    const stored = (await store.openMessages.listSingleSignatures(message.id)).map((s) => s.partyId);
    for (const partyId of acceptedBeforeKill) expect(stored).toContain(partyId);
    const certifiedSigners = certificate.metadata.signers.map((s) => s.partyId);
    expect(certifiedSigners.filter((partyId) => acceptedBeforeKill.includes(partyId)).length).toBeGreaterThan(0);

    // The chain verifies back to genesis.
    const all = new Map<string, Certificate>();
    for (const row of await store.certificates.latest({ limit: 100 })) all.set(row.hash, certificateFromJson(row.json));
    const verified = await new CertificateChainVerifier(genesis.verificationKey()).verifyChain(certificate.hash, {
      getCertificate: async (hash) => all.get(hash),
    });
    expect(verified.endedAt.kind).toBe('genesis');

    // Never two certificates for one message: the signed messages and the signed entities of the chain are all distinct.
    const standard = [...all.values()].filter((c) => c.previousHash !== '');
    expect(new Set(standard.map((c) => c.signedMessage)).size).toBe(standard.length);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const duplicates = await client.query(
        `SELECT signed_entity_kind, beacon, count(*) FROM certificate WHERE previous_hash <> '' GROUP BY signed_entity_kind, beacon HAVING count(*) > 1`,
      );
      expect(duplicates.rows).toEqual([]);
    } finally {
      await client.end();
    }
  }, 120_000); // typically 30-50 s; the margin is for a loaded machine (process starts cost seconds there)
});
