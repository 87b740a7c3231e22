/**
 * Mainnet-size certificates for the verification bench: 3000 parties with a Pareto stake
 * distribution, k=2422, m=20973, phi_f=0.2, a genesis certificate and standard certificates each
 * linked to the one before (all in the genesis epoch: the walk checks the same rules, and every
 * multi-signature is its own — no decoded point is shared between certificates). Multi-signatures
 * are real: the largest parties sign and play all m lotteries (worker threads), the clerk
 * aggregates. Generation takes minutes, so certificates are kept as reference JSON under the
 * system temp directory and later runs only generate what is missing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ClosedRegistration, Clerk, SigningKey, VerificationKey, singleSignatureFromLegacyBytes, type Parameters } from '@mithril-ts/stm';
import {
  GenesisSigner,
  certificateToJson,
  createGenesisPayload,
  createStandardCertificate,
  genesisPayloadBytes,
  importGenesisSignature,
  mithrilStakeDistribution,
  seededProtocolMessage,
  signedMessageBytes,
  avkJsonHex,
  protocolParametersHash,
  type Certificate,
} from '@mithril-ts/protocol';

export const PARAMS: Parameters = { k: 2422n, m: 20973n, phiF: 0.2 };
const EPOCH = 10n;

/** Deterministic stake: a Pareto tail (a few large pools, many small ones), as libs/stm's bench. */
function stakes(n: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < n; i += 1) {
    const u = (i + 0.5) / n;
    const pareto = 1 / Math.pow(1 - u * 0.999, 1 / 1.16);
    out.push(BigInt(Math.round(pareto * 2e12)) + BigInt(i));
  }
  return out;
}

export interface ChainFixture {
  readonly genesisVerificationKey: Uint8Array;
  /** Reference JSON of each certificate, genesis first. */
  readonly json: readonly string[];
  readonly hashes: readonly string[];
}

export function fixtureDirectory(parties: number): string {
  return join(tmpdir(), 'mithril-ts-bench-verify', `p${parties}-k${PARAMS.k}-m${PARAMS.m}`);
}

/** How many standard certificates are already generated, in an unbroken run from the first. */
export function generatedLength(parties: number): number {
  let n = 0;
  while (existsSync(join(fixtureDirectory(parties), `certificate-${n + 1}.json`))) n += 1;
  return n;
}

/** Genesis plus `length` standard certificates of `parties` parties, generated on first use. */
export async function chainFixture(parties: number, length: number, log: (line: string) => void): Promise<ChainFixture> {
  const directory = fixtureDirectory(parties);
  mkdirSync(directory, { recursive: true });
  const stakeOf = stakes(parties);
  const keysFile = join(directory, 'keys.json');
  if (!existsSync(keysFile)) {
    log(`  generating ${parties} keys…`);
    const keys = stakeOf.map((stake, i) => {
      const sk = SigningKey.generate(sha256(new TextEncoder().encode(`mithril-ts verify bench party ${i}`)));
      return { sk: bytesToHex(sk.toBytes()), vk: bytesToHex(sk.verificationKey().toBytes()), stake: stake.toString() };
    });
    writeFileSync(keysFile, JSON.stringify(keys));
  }
  const keys = (JSON.parse(readFileSync(keysFile, 'utf8')) as { sk: string; vk: string; stake: string }[]).map((k) => ({
    sk: hexToBytes(k.sk),
    vk: VerificationKey.fromBytes(hexToBytes(k.vk)),
    stake: BigInt(k.stake),
  }));
  const closed = new ClosedRegistration(keys.map(({ vk, stake }) => ({ vk, stake })));
  const avk = closed.aggregateVerificationKey();
  const genesisSigner = GenesisSigner.fromSecretKey(sha256(new TextEncoder().encode('mithril-ts verify bench genesis')));

  const file = (n: number) => join(directory, `certificate-${n}.json`);
  const json: string[] = [];
  const hashes: string[] = [];
  if (!existsSync(file(0))) {
    const payload = createGenesisPayload({
      network: 'devnet',
      epoch: EPOCH,
      parameters: PARAMS,
      nextParameters: PARAMS,
      avk,
      timestamp: 1_700_000_000_000_000_000n,
    });
    writeFileSync(
      file(0),
      certificateToJson(importGenesisSignature(payload, genesisSigner.sign(genesisPayloadBytes(payload)), genesisSigner.verificationKey())),
    );
  }
  const missing: number[] = [];
  for (let n = 0; n <= length; n += 1) if (!existsSync(file(n))) missing.push(n);
  if (missing.length > 0) {
    // The largest parties hold enough stake to win k distinct indices with a margin:
    // E[distinct] = m·(1 − (1 − phi_f)^share).
    const byStake = closed.parties.map((party, index) => ({ index, party })).sort((a, b) => (a.party.stake > b.party.stake ? -1 : 1));
    const needShare = Math.log(1 - (Number(PARAMS.k) * 1.08) / Number(PARAMS.m)) / Math.log(1 - PARAMS.phiF);
    const signers: { index: number; stake: bigint; sk: Uint8Array }[] = [];
    let share = 0;
    const skOf = new Map(keys.map((k) => [bytesToHex(k.vk.toBytes()), k.sk]));
    for (const { index, party } of byStake) {
      if (share >= needShare) break;
      signers.push({ index, stake: party.stake, sk: skOf.get(bytesToHex(party.vk.toBytes()))! });
      share += Number(party.stake) / Number(closed.totalStake);
    }
    log(`  ${missing.length} certificates to generate; ${signers.length} signers (${(share * 100).toFixed(0)}% of the stake) sign each`);
    const workers = Math.max(1, cpus().length);
    const chunk = Math.ceil(signers.length / workers);
    const pool = Array.from(
      { length: workers },
      (_, w) =>
        new Worker(new URL('./sign-worker.mjs', import.meta.url), { workerData: { params: PARAMS, avk, signers: signers.slice(w * chunk, (w + 1) * chunk) } }),
    );
    const signAll = (msg: Uint8Array) =>
      Promise.all(
        pool.map(
          (worker) =>
            new Promise<Uint8Array[]>((resolve, reject) => {
              worker.once('message', resolve);
              worker.once('error', reject);
              worker.postMessage(msg);
            }),
        ),
      );
    try {
      let previous = JSON.parse(readFileSync(file(missing[0]! - 1), 'utf8')) as { hash: string };
      for (const n of missing) {
        const started = performance.now();
        const message = seededProtocolMessage({
          nextAggregateVerificationKey: avkJsonHex(avk),
          nextProtocolParametersHash: protocolParametersHash(PARAMS),
          currentEpoch: EPOCH,
        });
        message.set('snapshot_digest', bytesToHex(sha256(new TextEncoder().encode(`bench artifact ${n}`))));
        const msg = signedMessageBytes(message.signedMessage());
        const signatures = (await signAll(msg)).flat().map(singleSignatureFromLegacyBytes);
        const multiSignature = new Clerk(closed, PARAMS).aggregate(signatures, msg);
        const sealedAt = 1_700_000_000_000_000_000n + BigInt(n) * 60_000_000_000n;
        const certificate: Certificate = createStandardCertificate({
          previousHash: previous.hash,
          epoch: EPOCH,
          signedEntityType: mithrilStakeDistribution(EPOCH),
          metadata: {
            network: 'devnet',
            protocolVersion: '0.1.0',
            parameters: PARAMS,
            initiatedAt: sealedAt - 5_000_000_000n,
            sealedAt,
            signers: multiSignature.signatures.map(({ signature, party }) => ({ partyId: `pool${signature.signerIndex}`, stake: party.stake })),
          },
          protocolMessage: message,
          aggregateVerificationKey: avk,
          multiSignature,
        });
        writeFileSync(file(n), certificateToJson(certificate));
        previous = certificate;
        log(`  certificate ${n}/${length}: ${multiSignature.signatures.length} signers, ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
    } finally {
      await Promise.all(pool.map((worker) => worker.terminate()));
    }
  }
  for (let n = 0; n <= length; n += 1) {
    const text = readFileSync(file(n), 'utf8');
    json.push(text);
    hashes.push((JSON.parse(text) as { hash: string }).hash);
  }
  return { genesisVerificationKey: genesisSigner.verificationKey(), json, hashes };
}
