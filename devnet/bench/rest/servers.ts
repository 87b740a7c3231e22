/**
 * The processes of the REST benchmark, each in its own Node process so that the load generator
 * does not share an event loop with what it measures. Started by rest.bench.ts with
 * `node --import tsx servers.ts <role>`; each reports `{ port, ... }` over IPC once listening and
 * stops on "stop".
 *
 * - aggregator [signers]: the real aggregator (SQLite store, gRPC API) holding a stored certificate
 *   chain built by the testkit's chain fixture (real STM multi-signatures, genesis certificate).
 *   With `signers`, every multi-signature is widened to that many signature entries (the
 *   fixture's own entries repeated) and its certificate re-sealed under its new hash: the size a
 *   mainnet certificate has (hundreds of signers), which the fixture's few parties do not reach.
 * - gateway <aggregator address> <volatileCacheMs>: the REST gateway in front of it.
 * - baseline: a bare fastify answering the same two routes with constant bodies.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { aggregatorConfigSchema, certificateRecordOf, startAggregator } from '@mithril-ts/aggregator';
import { sealCertificate, type Certificate } from '@mithril-ts/protocol';
import { restGatewayConfigSchema, startRestGateway } from '@mithril-ts/rest-gateway';
import { AggregateSignature } from '@mithril-ts/stm';
import { buildChain, schedule } from '@mithril-ts/testkit';

type Stoppable = { close(): Promise<void> };

/** The certificate with `signers` signature entries and signers listed; genesis ones unchanged. */
function widened(certificate: Certificate, signers: number): Certificate {
  if (certificate.signature.kind !== 'multi-signature') return certificate;
  const { signatures, batchProof } = certificate.signature.multiSignature;
  const { hash: _hash, ...draft } = certificate;
  return sealCertificate({
    ...draft,
    metadata: { ...draft.metadata, signers: Array.from({ length: signers }, (_, i) => ({ partyId: `pool-${i}`, stake: 1_000_000n + BigInt(i) })) },
    signature: { kind: 'multi-signature', multiSignature: new AggregateSignature(Array.from({ length: signers }, (_, i) => signatures[i % signatures.length]!), batchProof) },
  });
}

async function aggregator(signers?: number): Promise<Stoppable> {
  const fixture = buildChain({ lastEpoch: 6n });
  const chain = { certificates: signers === undefined ? fixture.certificates : fixture.certificates.map((certificate) => widened(certificate, signers)) };
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
    }),
  );
  for (const certificate of chain.certificates) await running.store.certificates.save(certificateRecordOf(certificate));
  process.send!({ port: running.port, hashes: chain.certificates.map((c) => c.hash) });
  return {
    async close() {
      await running.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function gateway(aggregatorAddress: string, volatileCacheMs: string): Promise<Stoppable> {
  const running = await startRestGateway(
    restGatewayConfigSchema.parse({
      port: 0,
      aggregatorAddress,
      // Not used by the measured routes.
      signerGatewayAddress: '127.0.0.1:9',
      volatileCacheMs,
      logLevel: 'warn',
    }),
  );
  process.send!({ port: running.port });
  return running;
}

async function baseline(): Promise<Stoppable> {
  const bodies = await new Promise<{ list: string; certificate: string }>((resolve) => process.once('message', (message) => resolve(message as { list: string; certificate: string })));
  const app = Fastify({ logger: false });
  app.get('/aggregator/certificates', (_request, reply) => reply.type('application/json').send(bodies.list));
  app.get('/aggregator/certificate/:hash', (_request, reply) => reply.type('application/json').send(bodies.certificate));
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.send!({ port: (app.server.address() as { port: number }).port });
  return app;
}

const [role, ...args] = process.argv.slice(2);
const started = role === 'aggregator' ? await aggregator(args[0] === undefined ? undefined : Number(args[0])) : role === 'gateway' ? await gateway(args[0]!, args[1]!) : await baseline();
process.on('message', (message) => {
  if (message === 'stop') void started.close().then(() => process.exit(0));
});
