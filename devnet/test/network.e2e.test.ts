/**
 * The whole network on a devnet with short epochs (6 s): certifier, aggregator, signer gateway and
 * five signers over gRPC on loopback. Certificates are read back through the aggregator's gRPC
 * API and verified from the latest one back to genesis with libs/protocol's chain verifier.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metadata } from '@grpc/grpc-js';
import pg from 'pg';
import {
  AggregatorServiceClient,
  CertificateForm,
  setVersionMetadata,
  type Certificate as CertificateMessage,
  type GetCertificateResponse,
  type ListCardanoDatabaseSnapshotsResponse,
  type ListCertificatesResponse,
  certificateFromProto,
} from '@mithril-ts/proto';
import {
  CertificateChainVerifier,
  PROTOCOL_VERSION,
  cardanoDatabaseSnapshotHash,
  decodeGenesisVerificationKey,
  type Certificate,
  type Epoch,
} from '@mithril-ts/protocol';
import { channelCredentials } from '@mithril-ts/service-kit';
import { MithrilNetwork, type NetworkEvent } from '../src/launcher/network.js';
import { tempRoot } from './helpers.js';

const DEVNET = { pools: 5, slotLengthMs: 100, slotsPerEpoch: 60, immutableFileEverySlots: 20 };
/** k needs two or three signers' wins; the parameters change at epoch 5. */
const SCHEDULE = [
  { fromEpoch: 0n, k: 12n, m: 50n, phiF: 0.65 },
  { fromEpoch: 5n, k: 15n, m: 60n, phiF: 0.7 },
];
const POSTGRES_URL = process.env.MITHRIL_TEST_POSTGRES_URL;

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 180_000,
  explain: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function metadata(): Metadata {
  return setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION });
}

function listCertificates(client: AggregatorServiceClient, pageToken: string): Promise<ListCertificatesResponse> {
  return new Promise((resolve, reject) =>
    client.listCertificates({ pageSize: 7, pageToken }, metadata(), (error, response) => (error ? reject(error) : resolve(response))),
  );
}

function getCertificate(client: AggregatorServiceClient, hash: string): Promise<GetCertificateResponse> {
  return new Promise((resolve, reject) =>
    client.getCertificate({ hash, form: CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }, metadata(), (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

/** Every certificate the aggregator serves, through ListCertificates pages then GetCertificate. */
async function fetchChain(client: AggregatorServiceClient): Promise<Map<string, Certificate>> {
  const hashes: string[] = [];
  let pageToken = '';
  do {
    const page = await listCertificates(client, pageToken);
    hashes.push(...page.certificates.map((c) => c.hash));
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  const byHash = new Map<string, Certificate>();
  for (const hash of hashes) {
    const { certificate } = await getCertificate(client, hash);
    byHash.set(hash, certificateFromProto(certificate));
  }
  return byHash;
}

async function runNetwork(root: string, aggregatorStoreUrl?: string): Promise<void> {
  const events: NetworkEvent[] = [];
  const network = await MithrilNetwork.start({
    root,
    devnet: DEVNET,
    protocolParameters: SCHEDULE,
    signerRunIntervalMs: 100,
    aggregatorRunIntervalMs: 100,
    ...(aggregatorStoreUrl !== undefined ? { aggregatorStoreUrl } : {}),
    onEvent: (event) => events.push(event),
  });
  // Every link of the devnet is TLS (internal ones mutual): a reader trusts the devnet's CA, it needs no certificate of its own.
  expect(network.pki).toBeDefined();
  const client = new AggregatorServiceClient(`127.0.0.1:${network.aggregator.port}`, channelCredentials({ insecure: false, tlsCaFile: network.pki!.caFile }));
  const streamed: CertificateMessage[] = [];
  const stream = client.watchCertificates({ signedEntityKinds: [] }, metadata());
  stream.on('data', (response: { certificate?: CertificateMessage }) => response.certificate && streamed.push(response.certificate));
  stream.on('error', () => {});
  try {
    const certificates = () => events.flatMap((e) => (e.type === 'certificate' ? [e.certificate] : []));
    const certifiedEpochs = () =>
      new Set(
        certificates()
          .filter((c) => c.previousHash !== '')
          .map((c) => c.epoch),
      );
    // Four epochs of certificates after the genesis one, past the parameter change at epoch 5.
    await waitFor(
      'four certified epochs including epoch 6',
      () => {
        const epochs = certifiedEpochs();
        return epochs.size >= 4 && epochs.has(6n) ? true : undefined;
      },
      240_000,
    );

    const chain = await fetchChain(client);
    const all = [...chain.values()];
    const genesis = all.filter((c) => c.previousHash === '');
    expect(genesis).toHaveLength(1);
    for (const kind of ['MithrilStakeDistribution', 'CardanoDatabase'] as const) {
      expect(all.some((c) => c.signedEntityType.kind === kind && c.previousHash !== '')).toBe(true);
    }
    // The parameter transition: certificates of epoch 6 are signed with the new parameters.
    expect(all.filter((c) => c.epoch === 6n).every((c) => c.metadata.parameters.k === 15n)).toBe(true);
    expect(all.filter((c) => c.epoch === 4n && c.previousHash !== '').every((c) => c.metadata.parameters.k === 12n)).toBe(true);
    // The stake moved between epochs: some pool signed with different stakes.
    const stakes = new Map<string, Set<bigint>>();
    for (const c of all) for (const s of c.metadata.signers) stakes.set(s.partyId, (stakes.get(s.partyId) ?? new Set()).add(s.stake));
    expect([...stakes.values()].some((set) => set.size > 1)).toBe(true);

    const genesisKey = decodeGenesisVerificationKey(readFileSync(join(root, 'genesis', 'genesis.vkey'), 'utf8').trim());
    const latest = all.reduce((a, b) => (b.metadata.sealedAt > a.metadata.sealedAt ? b : a));
    const result = await new CertificateChainVerifier(genesisKey).verifyChain(latest.hash, { getCertificate: async (hash) => chain.get(hash) });
    expect(result.endedAt).toEqual({ kind: 'genesis', hash: genesis[0]!.hash });
    expect(result.verified.length).toBeGreaterThanOrEqual(4);
    // The snapshotter archived a certified database: its Merkle root is the one its certificate signed.
    const snapshot = await waitFor('a Cardano database snapshot', async () => {
      const listed = await new Promise<ListCardanoDatabaseSnapshotsResponse>((resolve, reject) =>
        client.listCardanoDatabaseSnapshots({ pageSize: 5, pageToken: '' }, metadata(), (error, response) => (error ? reject(error) : resolve(response))),
      );
      return listed.snapshots.find((s) => chain.has(s.certificateHash));
    });
    expect(chain.get(snapshot.certificateHash)!.protocolMessage.get('cardano_database_merkle_root')).toBe(snapshot.merkleRoot);
    expect(snapshot.hash).toBe(cardanoDatabaseSnapshotHash(snapshot.beacon!.epoch, snapshot.merkleRoot));
    expect(snapshot.immutablesLocations.length).toBeGreaterThan(0);
    // Every certificate sealed while the stream was open reached it, in order.
    const sealedAfterSubscribe = certificates()
      .slice(-streamed.length)
      .map((c) => c.hash);
    expect(streamed.map((c) => c.hash)).toEqual(sealedAfterSubscribe);
  } finally {
    stream.cancel();
    client.close();
    await network.stop();
  }
}

describe('Mithril network on a devnet', () => {
  it('certifies four epochs across a stake change and a parameter transition; the chain verifies back to genesis', async () => {
    await runNetwork(tempRoot('network-e2e-'));
  }, 360_000);

  it('restarting the aggregator in the middle of a round loses no signature and still certifies the round', async () => {
    const root = tempRoot('network-restart-');
    const events: NetworkEvent[] = [];
    // k = 40 of 60 needs about four of the five signers (one wins 16 indexes on average, at most
    // ~23): signatures in flight together when the aggregator stops rarely complete a round.
    const schedule = [{ fromEpoch: 0n, k: 40n, m: 60n, phiF: 0.8 }];
    /** Restarts triggered by the first signature of an epoch's stake distribution round (event positions). */
    const attempts: { epoch: Epoch; trigger: number }[] = [];
    let restarting: Promise<void> | undefined;
    const network: MithrilNetwork = await MithrilNetwork.start({
      root,
      devnet: DEVNET,
      protocolParameters: schedule,
      signerRunIntervalMs: 100,
      aggregatorRunIntervalMs: 100,
      onEvent: (e) => {
        events.push(e);
        // Restart from the event itself, so the round is as young as possible when the aggregator stops.
        if (
          e.type === 'signature' &&
          e.kind === 'MithrilStakeDistribution' &&
          restarting === undefined &&
          attempts.length < 6 &&
          !attempts.some((a) => a.epoch === e.epoch)
        ) {
          attempts.push({ epoch: e.epoch, trigger: events.length - 1 });
          restarting = network.restartAggregator(500).finally(() => {
            restarting = undefined;
          });
        }
      },
    });
    try {
      const sealedIndex = (epoch: Epoch) =>
        events.findIndex(
          (e) =>
            e.type === 'certificate' && e.certificate.signedEntityType.kind === 'MithrilStakeDistribution' && e.certificate.signedEntityType.epoch === epoch,
        );
      const restartAfter = (position: number) => events.findIndex((e, i) => i > position && e.type === 'aggregator-restarted');
      // A second signature already in flight may complete the round while the aggregator stops
      // (it finishes the requests it took); then the next epoch's round is interrupted instead.
      const interrupted = await waitFor(
        'a round certified after the restart it was interrupted by',
        () =>
          attempts.find((a) => {
            const restarted = restartAfter(a.trigger);
            return restarted > -1 && sealedIndex(a.epoch) > restarted;
          }),
        180_000,
        () =>
          events
            .map((e, i) =>
              e.type === 'signature'
                ? `${i}:sig ${e.kind[0]}${e.epoch}`
                : e.type === 'certificate'
                  ? `${i}:cert ${e.certificate.signedEntityType.kind[0]}${e.certificate.signedEntityType.epoch}`
                  : e.type === 'aggregator-restarted' || e.type === 'epoch'
                    ? `${i}:${e.type}${e.type === 'epoch' ? e.epoch : ''}`
                    : e.type === 'signer' && e.event.type === 'signature-dropped'
                      ? `${i}:dropped ${e.event.message}`
                      : '',
            )
            .filter((line) => line !== '')
            .join('\n'),
      );
      await restarting;
      const { store } = network.aggregator;
      const messages = await store.openMessages.list({ epoch: interrupted.epoch, kind: 'MithrilStakeDistribution', includeClosed: true });
      expect(messages).toHaveLength(1);
      expect(messages[0]!.isCertified).toBe(true);
      const certificate = await store.certificates.ofSignedEntity({ kind: 'MithrilStakeDistribution', epoch: interrupted.epoch });
      expect(certificate?.previousHash).not.toBe('');
      // Every signature accepted before the restart is still there.
      const kept = (await store.openMessages.listSingleSignatures(messages[0]!.id)).map((s) => s.partyId);
      const acceptedBefore = events
        .slice(0, restartAfter(interrupted.trigger))
        .filter(
          (e): e is Extract<NetworkEvent, { type: 'signature' }> =>
            e.type === 'signature' && e.kind === 'MithrilStakeDistribution' && e.epoch === interrupted.epoch,
        )
        .map((e) => e.partyId);
      expect(acceptedBefore.length).toBeGreaterThan(0);
      for (const partyId of acceptedBefore) expect(kept).toContain(partyId);
    } finally {
      await restarting;
      await network.stop();
    }
  }, 360_000);

  (POSTGRES_URL ? it : it.skip)(
    'runs the same on PostgreSQL (MITHRIL_TEST_POSTGRES_URL)',
    async () => {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      const database = `mithril_e2e_${process.pid}_${Date.now()}`;
      await admin.query(`CREATE DATABASE ${database}`);
      try {
        const url = new URL(POSTGRES_URL!);
        url.pathname = `/${database}`;
        await runNetwork(tempRoot('network-postgres-'), url.toString());
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin.end();
      }
    },
    360_000,
  );
});
