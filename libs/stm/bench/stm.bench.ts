/**
 * STM benchmark at mainnet parameters (k=2422, m=20973, phi_f=0.2) with 3000 parties and a
 * skewed stake distribution. Prints one table of figures with the target beside each, then
 * where the time of a multi-signature verification goes.
 *
 *   npm run bench -w libs/stm            (PARTIES=… to change the number of parties)
 */
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  Clerk,
  KeyRegistration,
  SigningKey,
  Signer,
  securityLevel,
  verifyProofsOfPossession,
  VerificationKeyPoP,
  type Parameters,
  type SingleSignature,
} from '../src/index.js';
import {
  aggregateSignatureFromLegacyBytes,
  aggregateSignatureFromJson,
  aggregateSignatureToLegacyBytes,
  aggregateSignatureToJson,
  singleSignatureFromLegacyBytes,
  toJsonText,
  fromJsonText,
} from '../src/encoding.js';
import { aggregateSignatureToBytes } from '../src/cbor-format.js';
import { hashToG1, msmG1, msmG2, pairingProductIsOne, NEG_G2 } from '../src/bls.js';
import { randomScalars } from '../src/batch.js';
import { signedMessage } from '../src/single-signature.js';
import { partyLeaf } from '../src/registration.js';
import { verifyBatchPath } from '../src/merkle.js';
import { randomBytes } from '@noble/hashes/utils.js';

const PARTIES = Number(process.env.PARTIES ?? 3000);
const params: Parameters = { k: 2422n, m: 20973n, phiF: 0.2 };
const rows: { what: string; figure: string; target: string; status: string }[] = [];

function timed<T>(f: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = f();
  return { value, ms: performance.now() - start };
}

function row(what: string, figure: string, target = '', met?: boolean): void {
  rows.push({ what, figure, target, status: met === undefined ? '' : met ? 'met' : 'MISSED' });
  console.error(`  ${what}: ${figure}${target ? ` (target ${target})` : ''}`);
}

/** Deterministic stake: a Pareto tail (a few large pools, many small ones), about 24e15 lovelace in all. */
function stakes(n: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < n; i += 1) {
    const u = (i + 0.5) / n;
    const pareto = 1 / Math.pow(1 - u * 0.999, 1 / 1.16);
    out.push(BigInt(Math.round(pareto * 2e12)) + BigInt(i));
  }
  return out;
}

function keyMaterial(i: number): Uint8Array {
  return sha256(new TextEncoder().encode(`mithril-ts bench party ${i}`));
}

async function signAll(
  signers: { index: number; stake: bigint; sk: Uint8Array }[],
  avk: ReturnType<Clerk['registration']['aggregateVerificationKey']>,
  msg: Uint8Array,
): Promise<SingleSignature[]> {
  const workers = Math.max(1, cpus().length);
  const chunk = Math.ceil(signers.length / workers);
  const results = await Promise.all(
    Array.from(
      { length: workers },
      (_, w) =>
        new Promise<(Uint8Array | null)[]>((resolve, reject) => {
          const worker = new Worker(new URL('./sign-worker.mjs', import.meta.url), {
            workerData: { params, avk, msg, signers: signers.slice(w * chunk, (w + 1) * chunk) },
          });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return results
    .flat()
    .filter((b): b is Uint8Array => b !== null)
    .map(singleSignatureFromLegacyBytes);
}

async function main(): Promise<void> {
  console.error(`STM benchmark: ${PARTIES} parties, k=${params.k}, m=${params.m}, phi_f=${params.phiF}`);
  const stakeOf = stakes(PARTIES);
  const total = stakeOf.reduce((a, b) => a + b, 0n);
  console.error(`  total stake ${total} lovelace; largest party ${((Number(stakeOf[PARTIES - 1]!) / Number(total)) * 100).toFixed(2)}%`);

  console.error('  generating keys…');
  const secretKeys = Array.from({ length: PARTIES }, (_, i) => SigningKey.generate(keyMaterial(i)));
  const candidates = secretKeys.map((sk, i) => ({ stake: stakeOf[i]!, key: sk.verificationKeyPoP() }));
  // Registrations arrive as bytes, decoded (and validated) once on receipt: encode every key now so
  // the registration below sees keys in that state. Decoding is measured on its own.
  const encodedKeys = candidates.map((c) => c.key.toBytes());
  const decodeSample = 100;
  const decode = timed(() => encodedKeys.slice(0, decodeSample).forEach((bytes) => VerificationKeyPoP.fromBytes(bytes)));

  // Key registration: batched PoP checks against one-by-one checks on a sample.
  const registration = new KeyRegistration();
  const batch = timed(() => registration.registerAll(candidates));
  if (batch.value.rejected.length > 0) throw new Error('valid keys were rejected');
  const close = timed(() => registration.close());
  const closed = close.value;
  const sample = candidates.slice(0, 40);
  const single = timed(() =>
    sample.forEach((c) => {
      if (!verifyProofsOfPossession([c.key])) throw new Error('PoP');
    }),
  );
  const oneByOne = (single.ms / sample.length) * PARTIES;
  const registrationMs = batch.ms + close.ms;
  row(`key registration of ${PARTIES} parties (batch PoP + close)`, `${(registrationMs / 1000).toFixed(2)} s`, '≤ 1.5 s', registrationMs <= 1500);
  row(`  PoP checks one by one (${sample.length} timed, extrapolated)`, `${(oneByOne / 1000).toFixed(1)} s`, '', undefined);
  row('  batch speed-up over one by one', `${(oneByOne / batch.ms).toFixed(1)}×`);
  row('  decoding one registration (vk + PoP: 3 points, subgroup checks), on receipt', `${(decode.ms / decodeSample).toFixed(1)} ms`);

  // One signer: all m lotteries and the signature, for a median and the largest party.
  const avk = closed.aggregateVerificationKey();
  const msg = sha256(new TextEncoder().encode('protocol message of the round'));
  for (const [label, position] of [
    ['median', Math.floor(PARTIES / 2)],
    ['largest', PARTIES - 1],
  ] as const) {
    const sk = secretKeys[position]!;
    const index = closed.signerIndexOf(sk.verificationKey())!;
    const signer = new Signer(index, params, closed.party(index).stake, sk, avk);
    signer.sign(msg); // warm-up
    const runs = 5;
    const t = timed(() => {
      let wins = 0;
      for (let i = 0; i < runs; i += 1) wins = signer.sign(msg)?.indexes.length ?? 0;
      return wins;
    });
    row(`one signer (${label} stake): ${params.m} lotteries + sign`, `${(t.ms / runs).toFixed(0)} ms (${t.value} indices won)`, '≤ 150 ms', t.ms / runs <= 150);
  }

  // Aggregation from every single signature.
  console.error('  signing the round with every party (worker threads)…');
  const signatures = await signAll(
    secretKeys.map((sk) => {
      const index = closed.signerIndexOf(sk.verificationKey())!;
      return { index, stake: closed.party(index).stake, sk: sk.toBytes() };
    }),
    avk,
    msg,
  );
  const wonIndices = signatures.reduce((n, s) => n + s.indexes.length, 0);
  console.error(`  ${signatures.length} signers won ${wonIndices} indices`);
  const clerk = new Clerk(closed, params);
  const aggregation = timed(() => clerk.aggregate(signatures, msg));
  const aggregate = aggregation.value;
  row(
    `aggregation of ${signatures.length} single signatures`,
    `${(aggregation.ms / 1000).toFixed(2)} s (${aggregate.signatures.length} signers kept)`,
    '≤ 3 s',
    aggregation.ms <= 3000,
  );

  // Verification of the multi-signature.
  aggregate.verify(msg, avk, params); // warm-up
  const verification = timed(() => aggregate.verify(msg, avk, params));
  row('verification of one multi-signature (decoded)', `${verification.ms.toFixed(0)} ms`, '≤ 60 ms', verification.ms <= 60);
  const bytes = aggregateSignatureToLegacyBytes(aggregate);
  const json = toJsonText(aggregateSignatureToJson(aggregate));
  const decodeBytes = timed(() => aggregateSignatureFromLegacyBytes(bytes));
  const decodeJson = timed(() => fromJsonText(json, aggregateSignatureFromJson, 'multi-signature'));
  row('  decoding it from bytes (point decompression + subgroup checks)', `${decodeBytes.ms.toFixed(0)} ms`);
  row('  decoding it from JSON', `${decodeJson.ms.toFixed(0)} ms`);
  row('multi-signature size, v0 bytes', `${bytes.length} B`);
  row('multi-signature size, v1 CBOR bytes (default)', `${aggregateSignatureToBytes(aggregate).length} B`);
  row('multi-signature size, JSON-hex (as in certificates)', `${json.length * 2} B`);
  for (const share of [0.25, 1 / 3, 0.4, 0.5]) {
    row(`security: forgery probability, adversary with ${(share * 100).toFixed(0)}% of stake`, `2^-${securityLevel(params, share).securityBits.toFixed(1)}`);
  }

  // Where verification time goes.
  const n = aggregate.signatures.length;
  const sigmas = aggregate.signatures.map((s) => s.signature.sigma.point);
  const vks = aggregate.signatures.map((s) => s.party.vk.point);
  const r = randomScalars(n, randomBytes);
  const msgp = signedMessage(msg, avk);
  const breakdown = [
    [
      'lottery checks (all indices)',
      () => aggregate.signatures.forEach(({ signature, party }) => signature.checkIndices(params, party.stake, msgp, avk.totalStake)),
    ],
    [
      'Merkle batch proof',
      () =>
        verifyBatchPath(
          avk.commitment,
          aggregate.signatures.map((s) => partyLeaf(s.party)),
          aggregate.batchProof,
        ),
    ],
    [`G1 multi-scalar multiplication (${n} sigmas, 64-bit)`, () => msmG1(sigmas, r)],
    [`G2 multi-scalar multiplication (${n} keys, 64-bit)`, () => msmG2(vks, r)],
    ['hash to G1', () => hashToG1(msgp)],
    [
      'pairing product (2 pairings)',
      () =>
        pairingProductIsOne([
          { g1: sigmas[0]!, g2: NEG_G2 },
          { g1: sigmas[1]!, g2: vks[0]! },
        ]),
    ],
  ] as const;
  console.error('  where verification time goes:');
  for (const [what, f] of breakdown) row(`  ${what}`, `${timed(f).ms.toFixed(1)} ms`);

  console.log('\n| measurement | figure | target | status |\n|---|---|---|---|');
  for (const { what, figure, target, status } of rows) console.log(`| ${what} | ${figure} | ${target} | ${status} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
