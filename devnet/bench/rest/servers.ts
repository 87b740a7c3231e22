/**
 * The processes of the REST benchmark, each in its own Node process so that the load generator
 * does not share an event loop with what it measures. Started by rest.bench.ts with
 * `node --import tsx servers.ts <role>`; each reports `{ port, ... }` over IPC once listening and
 * stops on "stop".
 *
 * - aggregator [signers]: the real aggregator (SQLite store, gRPC API) holding a stored certificate
 *   chain built by the testkit's chain fixture (real STM multi-signatures, genesis certificate).
 *   With `signers`, every multi-signature is widened to that many distinct signature entries
 *   and its certificate re-sealed under its new hash (see `widened`): the size a mainnet
 *   certificate has (hundreds of signers), which the fixture's few parties do not reach.
 * - gateway <aggregator address> <volatileCacheMs> [immutableCacheBytes]: the REST gateway in front of
 *   it (immutableCacheBytes 0: every certificate request goes to the aggregator).
 * - baseline: a bare fastify answering the same two routes with constant bodies, sent as bytes
 *   (the best a bare server does), and compressed once ahead when the request accepts gzip.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { sha256 } from '@noble/hashes/sha2.js';
import { aggregatorConfigSchema, startAggregator } from '@mithril-ts/aggregator';
import {
  encodeCertificate,
  ownSignedEntityType,
  encodedCertificateHash,
  encodedCertificateToJson,
  type Certificate,
  type EncodedCertificate,
} from '@mithril-ts/protocol';
import { restGatewayConfigSchema, startRestGateway } from '@mithril-ts/rest-gateway';
import { SIGMA_BYTES, VERIFICATION_KEY_BYTES } from '@mithril-ts/stm';
import { buildChain, schedule } from '@mithril-ts/testkit';

type Stoppable = { close(): Promise<void> };

/**
 * The certificate with `signers` signature entries and signers listed, each entry distinct: its
 * own sigma and key bytes (pseudo-random, so the reference JSON compresses as a real one does,
 * ~3×, where repeated entries compress a hundredfold) and its own lottery indexes; sealed under
 * the hash of that content. The bytes are no curve points, so it does not verify: the relays
 * measured here never decode a point, which is the point. Genesis certificates are unchanged.
 */
function widened(certificate: Certificate, signers: number): EncodedCertificate {
  const encoded = encodeCertificate(certificate);
  if (encoded.signature.kind !== 'multi-signature') return encoded;
  const { batchProof } = encoded.signature.multiSignature;
  const bytes = (label: string, length: number) => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) out.set(sha256(new TextEncoder().encode(`${label}/${offset}`)).subarray(0, length - offset), offset);
    return out;
  };
  const signatures = Array.from({ length: signers }, (_, i) => ({
    signature: { sigma: bytes(`sigma/${certificate.hash}/${i}`, SIGMA_BYTES), indexes: [4 * i, 4 * i + 1, 4 * i + 3], signerIndex: i },
    party: { vk: bytes(`vk/${i}`, VERIFICATION_KEY_BYTES), stake: 1_000_000_000n + BigInt(i) * 7_919n },
  }));
  const { hash: _hash, ...draft } = encoded;
  const widenedDraft = {
    ...draft,
    metadata: { ...draft.metadata, signers: signatures.map(({ party }, i) => ({ partyId: `pool-${i}`, stake: party.stake })) },
    signature: { kind: 'multi-signature' as const, multiSignature: { signatures, batchProof } },
  };
  return { ...widenedDraft, hash: encodedCertificateHash(widenedDraft) };
}

/** What the aggregator stores for a certificate (as certificateRecordOf does for a decoded one). */
function recordOf(certificate: EncodedCertificate) {
  return {
    hash: certificate.hash,
    previousHash: certificate.previousHash,
    epoch: certificate.epoch,
    signedEntityType: ownSignedEntityType(certificate.signedEntityType),
    json: encodedCertificateToJson(certificate),
    sealedAt: new Date(Number(certificate.metadata.sealedAt / 1_000_000n)),
  };
}

async function aggregator(signers?: number): Promise<Stoppable> {
  const fixture = buildChain({ lastEpoch: 6n });
  const chain = {
    certificates:
      signers === undefined ? fixture.certificates.map(encodeCertificate) : fixture.certificates.map((certificate) => widened(certificate, signers)),
  };
  const root = mkdtempSync(join(tmpdir(), 'rest-bench-'));
  mkdirSync(join(root, 'chain'));
  mkdirSync(join(root, 'immutable'));
  writeFileSync(join(root, 'chain', 'tip.json'), JSON.stringify({ epoch: 6, slot: 600, syncProgress: '100.00' }));
  const running = await startAggregator(
    aggregatorConfigSchema.parse({
      port: 0,
      storeUrl: `file:${join(root, 'aggregator.sqlite')}`,
      chainDirectory: join(root, 'chain'),
      immutableDirectory: join(root, 'immutable'),
      protocolParameters: [0n, 8n].map((fromEpoch) => ({ fromEpoch, ...schedule.at(fromEpoch) })),
      signedEntityKinds: 'MithrilStakeDistribution',
      // The runtime has nothing to do here: the chain is stored, only the gRPC API is measured.
      runIntervalMs: 3_600_000,
      logLevel: 'silent',
      insecure: true,
    }),
  );
  for (const certificate of chain.certificates) await running.store.certificates.save(recordOf(certificate));
  process.send!({ port: running.port, hashes: chain.certificates.map((c) => c.hash) });
  return {
    async close() {
      await running.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function gateway(aggregatorAddress: string, volatileCacheMs: string, immutableCacheBytes?: string): Promise<Stoppable> {
  const running = await startRestGateway(
    restGatewayConfigSchema.parse({
      port: 0,
      aggregatorAddress,
      // Not used by the measured routes.
      signerGatewayAddress: '127.0.0.1:9',
      volatileCacheMs,
      ...(immutableCacheBytes === undefined ? {} : { immutableCacheBytes }),
      logLevel: 'warn',
      insecure: true,
    }),
  );
  process.send!({ port: running.port });
  return running;
}

async function baseline(): Promise<Stoppable> {
  const bodies = await new Promise<{ list: string; certificate: string }>((resolve) =>
    process.once('message', (message) => resolve(message as { list: string; certificate: string })),
  );
  const encoded = (text: string) => ({ identity: Buffer.from(text), gzip: gzipSync(Buffer.from(text)) });
  const list = encoded(bodies.list);
  const certificate = encoded(bodies.certificate);
  const send = (request: FastifyRequest, reply: FastifyReply, body: { identity: Buffer; gzip: Buffer }) =>
    /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')
      ? reply.type('application/json').header('content-encoding', 'gzip').send(body.gzip)
      : reply.type('application/json').send(body.identity);
  const app = Fastify({ logger: false });
  app.get('/aggregator/certificates', (request, reply) => send(request, reply, list));
  app.get('/aggregator/certificate/:hash', (request, reply) => send(request, reply, certificate));
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.send!({ port: (app.server.address() as { port: number }).port });
  return app;
}

const [role, ...args] = process.argv.slice(2);
const started =
  role === 'aggregator'
    ? await aggregator(args[0] === undefined ? undefined : Number(args[0]))
    : role === 'gateway'
      ? await gateway(args[0]!, args[1]!, args[2])
      : await baseline();
process.on('message', (message) => {
  if (message === 'stop') void started.close().then(() => process.exit(0));
});
