/**
 * The Mithril stake distribution artifact's hash is the reference's, over the signers in the order
 * served; a lookup by the hash this aggregator gave before (links made then) still finds it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Server, ServerCredentials, type Metadata, type ServiceError } from '@grpc/grpc-js';
import * as proto from '@mithril-ts/proto';
import { PROTOCOL_VERSION, certificateToJson, legacyMithrilStakeDistributionHash, ownSignedEntityType } from '@mithril-ts/protocol';
import { encodeJsonHex } from '@mithril-ts/codec';
import { verificationKeyPoPBytesToJson } from '@mithril-ts/stm';
import { createLogger } from '@mithril-ts/service-kit';
import { buildChain } from '@mithril-ts/testkit';
import { createHash } from 'node:crypto';
import { openAggregatorStore, type OpenedAggregatorStore } from '../src/index.js';
import { mithrilStakeDistributionArtifact } from '../src/artifacts.js';
import { artifactHandlers } from '../src/grpc/artifacts.js';
import { errorOptions, unaryWrapper } from '../src/grpc/shared.js';

const chain = buildChain({ lastEpoch: 4n });
const certificate = chain.certificates.find((c) => c.signedEntityType.kind === 'MithrilStakeDistribution' && c.previousHash !== '')!;
const epoch = certificate.epoch;
const parameters = { k: 5n, m: 30n, phiF: 0.65 };
// Registered in an order other than by party id: the artifact sorts them.
const registered = [...chain.recordings.get(epoch)!.records].reverse();

let root: string;
let opened: OpenedAggregatorStore;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'aggregator-msd-'));
  opened = await openAggregatorStore({ url: `file:${join(root, 'a.sqlite')}` });
  const { store } = opened;
  await store.certificates.save({
    hash: certificate.hash,
    previousHash: certificate.previousHash,
    epoch,
    signedEntityType: ownSignedEntityType(certificate.signedEntityType),
    json: certificateToJson(certificate),
    sealedAt: new Date(1),
  });
  for (const record of registered)
    await store.signerRegistrations.save({
      epoch,
      partyId: record.partyId,
      verificationKey: record.verificationKey,
      kesSignature: null,
      operationalCertificate: null,
      kesEvolutions: null,
      stake: record.stake,
    });
  await store.epochSettings.save({ epoch: epoch + 1n, protocolParameters: parameters });
});

afterAll(async () => {
  await opened.close();
  rmSync(root, { recursive: true, force: true });
});

/** The reference's hash written out with node:crypto from its description, independently of libs/protocol. */
function referenceHash(e: bigint, signers: readonly { partyId: string; verificationKey: Uint8Array; stake: bigint }[]): string {
  const u64 = (value: bigint) => {
    const out = Buffer.alloc(8);
    out.writeBigUInt64BE(value);
    return out;
  };
  const outer = createHash('sha256').update(u64(e));
  for (const signer of signers) {
    const key = encodeJsonHex(verificationKeyPoPBytesToJson(signer.verificationKey));
    outer.update(createHash('sha256').update(signer.partyId).update(key).update(u64(signer.stake)).digest('hex'));
  }
  return outer.digest('hex');
}

test("the artifact lists its signers by party id and its hash is the reference's over that order", async () => {
  const artifact = (await mithrilStakeDistributionArtifact(opened.store, certificate))!;
  const sorted = [...registered].sort((a, b) => (a.partyId < b.partyId ? -1 : 1));
  expect(artifact.signers.map((s) => s.partyId)).toEqual(sorted.map((s) => s.partyId));
  expect(artifact.hash).toBe(referenceHash(epoch, sorted));
});

test('GetMithrilStakeDistribution finds the artifact by its hash and by its former hash, and nothing else', async () => {
  const server = new Server();
  server.addService(
    proto.AggregatorServiceService,
    artifactHandlers(opened.store, undefined, unaryWrapper(errorOptions(createLogger('test', 'silent')))) as never,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const client = new proto.AggregatorServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const metadata = () => proto.setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION }) as Metadata;
  const get = (hash: string) =>
    new Promise<{ error: ServiceError | null; response: proto.GetMithrilStakeDistributionResponse | undefined }>((resolve) =>
      client.getMithrilStakeDistribution({ hash }, metadata(), (error, response) => resolve({ error, response })),
    );
  try {
    const artifact = (await mithrilStakeDistributionArtifact(opened.store, certificate))!;
    const byHash = await get(artifact.hash);
    expect(byHash.response?.mithrilStakeDistribution?.hash).toBe(artifact.hash);
    const legacy = legacyMithrilStakeDistributionHash(epoch, registered, parameters);
    expect(legacy).not.toBe(artifact.hash);
    const byLegacy = await get(legacy);
    expect(byLegacy.response?.mithrilStakeDistribution?.hash).toBe(artifact.hash);
    const missing = await get('ab'.repeat(32));
    expect(missing.error?.code).toBe(5); // NOT_FOUND
  } finally {
    client.close();
    server.forceShutdown();
  }
});
