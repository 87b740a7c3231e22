/**
 * The aggregator's intake on its own: registrations/s and single signatures/s it accepts over
 * gRPC on loopback (SQLite), the signers' own work (keys, KES signatures, lotteries) done before
 * the clock starts. `INTAKE_POOLS` pools (default 200) register during epoch 1 and again during
 * epoch 2, then every winning signer of epoch 3 sends its signature at once; k = m so the message
 * stays open and every signature is taken (no aggregation in the measure).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { credentials, type Metadata } from '@grpc/grpc-js';
import { KesSigningKey, operationalCertificateToCbor } from '@mithril-ts/cardano';
import { aggregatorConfigSchema, generateGenesisKeys, startAggregator } from '@mithril-ts/aggregator';
import { AggregatorServiceClient, setVersionMetadata, signedEntityTypeToProto, type RegisterSignerRequest } from '@mithril-ts/proto';
import { PROTOCOL_VERSION, signedEntityProtocolMessage, signedMessageBytes } from '@mithril-ts/protocol';
import { Initializer, singleSignatureToBytes } from '@mithril-ts/stm';
import { testPool } from '@mithril-ts/testkit';

const POOLS = Number(process.env.INTAKE_POOLS ?? 200);
const CONCURRENCY = 32;
const START = 100n;
const PARAMETERS = { fromEpoch: 0n, k: 200n, m: 200n, phiF: 0.5 };

const root = mkdtempSync(join(tmpdir(), 'intake-bench-'));
mkdirSync(join(root, 'chain'));
mkdirSync(join(root, 'immutable'));
let clock = performance.now();
const pools = Array.from({ length: POOLS }, (_, i) => testPool(i, 1n, START));
console.log(`${POOLS} pools derived in ${((performance.now() - clock) / 1000).toFixed(1)} s`);

function setEpoch(epoch: bigint): void {
  writeFileSync(join(root, 'chain', 'tip.json'), JSON.stringify({ epoch: Number(epoch), slot: Number((START + epoch) * 100n), syncProgress: '100.00' }));
  const stake = Object.fromEntries(pools.map((p) => [p.pool.hex, { stakeMark: Number(p.stake), stakeSet: 0, stakeGo: 0 }]));
  writeFileSync(join(root, 'chain', `stake-snapshot-${epoch}.json`), JSON.stringify({ pools: stake, total: { stakeMark: 0, stakeSet: 0, stakeGo: 0 } }));
}

const until = async (probe: () => boolean | Promise<boolean>) => {
  while (!(await probe())) await new Promise((r) => setTimeout(r, 20));
};

async function inParallel<T>(items: readonly T[], send: (item: T) => Promise<boolean>): Promise<{ accepted: number; seconds: number }> {
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) if (await send(items[next++]!)) accepted += 1;
    }),
  );
  return { accepted, seconds: (performance.now() - started) / 1000 };
}

setEpoch(1n);
await generateGenesisKeys(join(root, 'genesis.skey'), join(root, 'genesis.vkey'));
const aggregator = await startAggregator(
  aggregatorConfigSchema.parse({
    port: 0,
    storeUrl: `file:${join(root, 'aggregator.sqlite')}`,
    chainDirectory: join(root, 'chain'),
    immutableDirectory: join(root, 'immutable'),
    protocolParameters: [PARAMETERS],
    signedEntityKinds: 'MithrilStakeDistribution',
    runIntervalMs: 50,
    slotsPerKesPeriod: 100n,
    bootstrapGenesisSecretKeyFile: join(root, 'genesis.skey'),
    logLevel: 'silent',
    // Loopback only, no TLS: the measure is the intake, not the transport.
    insecure: true,
  }),
);
const client = new AggregatorServiceClient(`127.0.0.1:${aggregator.port}`, credentials.createInsecure());
const metadata = () => setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION });
const call = <Req>(method: (request: Req, metadata: Metadata, callback: (error: unknown) => void) => unknown, request: Req) =>
  new Promise<boolean>((resolve) => method.call(client, request, metadata(), (error) => resolve(error === null)));

const keys = new Map<string, Initializer>();
/** Each pool's KES key evolved to the evolution of the epoch (the signers' own work). */
const kesAt = new Map<string, KesSigningKey>();
function kesOf(pool: (typeof pools)[number], evolution: number): KesSigningKey {
  const cached = kesAt.get(pool.pool.hex);
  const key = cached ?? KesSigningKey.fromBytes(pool.kes.toBytes());
  while (key.period < evolution) key.evolve();
  kesAt.set(pool.pool.hex, key);
  return key;
}
async function registrationRound(epoch: bigint): Promise<void> {
  await until(() => aggregator.runtime.state.kind !== 'idle' && aggregator.runtime.context.epoch === epoch);
  const parameters = aggregator.runtime.context.registrationParameters;
  const requests: RegisterSignerRequest[] = pools.map((pool) => {
    const init = Initializer.generate(parameters, pool.stake, randomBytes(32));
    keys.set(`${epoch}:${pool.pool.bech32}`, init);
    const mithrilKey = init.verificationKeyPoP.toBytes();
    return {
      registration: {
        epoch,
        partyId: pool.pool.bech32,
        verificationKey: Buffer.from(mithrilKey),
        verificationKeySignature: Buffer.from(kesOf(pool, Number(epoch)).sign(mithrilKey)),
        operationalCertificate: Buffer.from(operationalCertificateToCbor(pool.opcert)),
        kesEvolutions: Number(epoch),
      },
      certification: { partyId: pool.pool.bech32, stake: pool.stake, epoch },
    };
  });
  const { accepted, seconds } = await inParallel(requests, (request) => call(client.registerSigner, request));
  console.log(`epoch ${epoch}: ${accepted}/${requests.length} registrations accepted in ${seconds.toFixed(2)} s: ${(accepted / seconds).toFixed(0)}/s`);
}

await registrationRound(1n);
setEpoch(2n);
await registrationRound(2n);
setEpoch(3n);
await until(async () => aggregator.runtime.context.epoch === 3n && (await aggregator.store.openMessages.list({ epoch: 3n })).length > 0);
const { settings } = aggregator.runtime.context;
const [message] = await aggregator.store.openMessages.list({ epoch: 3n });
const type = message!.signedEntityType;
const signed = signedEntityProtocolMessage(settings, type, {}).signedMessage();
clock = performance.now();
const signatures = pools.flatMap((pool) => {
  const init = keys.get(`1:${pool.pool.bech32}`)!;
  const signature = new Initializer(settings.currentParameters, pool.stake, init.signingKey)
    .newSigner(settings.currentSigners!.closed)
    .sign(signedMessageBytes(signed));
  return signature === null
    ? []
    : [
        {
          signature: {
            signedEntityType: signedEntityTypeToProto(type),
            partyId: pool.pool.bech32,
            signature: Buffer.from(singleSignatureToBytes(signature)),
            wonIndexes: signature.indexes.map(BigInt),
            signedMessage: signed,
          },
        },
      ];
});
console.log(`${signatures.length} signers won (lotteries and signing: ${((performance.now() - clock) / 1000).toFixed(1)} s, not measured)`);
const { accepted, seconds } = await inParallel(signatures, (request) => call(client.registerSignatures, request));
console.log(`epoch 3: ${accepted}/${signatures.length} single signatures accepted in ${seconds.toFixed(2)} s: ${(accepted / seconds).toFixed(0)}/s`);
client.close();
await aggregator.close();
rmSync(root, { recursive: true, force: true });
