/**
 * Verification throughput on one core, for the two Ed25519 backends we could use:
 * node:crypto (OpenSSL, what the library uses) and @noble/curves (pure JS).
 *
 *   npm run bench -w libs/cardano          (BENCH_MS=… per figure, default 1500)
 *
 * A certification is what the certifier does per signer registration: verify the opcert's cold
 * signature (1 Ed25519) and the KES signature over the 192-byte Mithril key inside the accepted
 * window (6 Blake2b-256 + 1 Ed25519). Target: ≥ 1000 certifications/s.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  ColdSigningKey,
  KesSigningKey,
  acceptedKesEvolutions,
  issueOperationalCertificate,
  operationalCertificateSignedBytes,
  verifyEd25519,
  verifyKesSignature,
  verifyKesSignatureInWindow,
  verifyOperationalCertificate,
  type OperationalCertificate,
} from '../src/index.js';
import { isSmallOrderEncoding } from '../src/ed25519.js';
import { blake2b256 } from '../src/hash.js';
import { verifyKesSignatureWith, type LeafVerifier } from '../src/kes.js';

const BENCH_MS = Number(process.env.BENCH_MS ?? 1500);
const CASES = 64;

interface Registration {
  opcert: OperationalCertificate;
  signedBytes: Uint8Array;
  message: Uint8Array;
  kesSignature: Uint8Array;
  evolution: number;
}

function setup(): Registration[] {
  const out: Registration[] = [];
  for (let i = 0; i < CASES; i += 1) {
    const cold = ColdSigningKey.generate();
    const kes = KesSigningKey.generate();
    const opcert = issueOperationalCertificate(cold, kes.verificationKey(), BigInt(i), 1000n + BigInt(i));
    const evolution = (i * 37) % 64;
    kes.evolveTo(evolution);
    const message = Uint8Array.from({ length: 192 }, (_, j) => (i * 31 + j) & 0xff);
    out.push({
      opcert,
      signedBytes: operationalCertificateSignedBytes(opcert),
      message,
      kesSignature: kes.sign(message),
      evolution,
    });
  }
  return out;
}

/** Runs `op` over the cases round-robin for about BENCH_MS; returns operations per second. */
function throughput(cases: Registration[], op: (r: Registration) => boolean): number {
  // Warm up (JIT, OpenSSL tables) and check every case verifies.
  for (const r of cases) if (!op(r)) throw new Error('benchmark case failed to verify');
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < BENCH_MS) {
    for (const r of cases) op(r);
    done += cases.length;
    elapsed = performance.now() - start;
  }
  return (done / elapsed) * 1000;
}

const nobleVerify: LeafVerifier = (publicKey, message, signature) => ed25519.verify(signature, message, publicKey, { zip215: false });
const nobleVerifyStrict: LeafVerifier = (publicKey, message, signature) =>
  !isSmallOrderEncoding(publicKey) && !isSmallOrderEncoding(signature, 0) && nobleVerify(publicKey, message, signature);

function main(): void {
  console.error(`setting up ${CASES} pools (cold key, Sum6 KES key, opcert, KES signature)…`);
  const cases = setup();
  const rows: [string, number, number | undefined][] = [];
  const measure = (what: string, op: (r: Registration) => boolean, target?: number) => {
    const perSecond = throughput(cases, op);
    rows.push([what, perSecond, target]);
    console.error(`  ${what}: ${Math.round(perSecond)}/s`);
  };

  measure('Ed25519 verify, node:crypto', (r) => verifyEd25519(r.opcert.coldVerificationKey, r.signedBytes, r.opcert.coldSignature));
  measure('Ed25519 verify, @noble/curves', (r) => nobleVerify(r.opcert.coldVerificationKey, r.signedBytes, r.opcert.coldSignature));
  measure('Blake2b-256 of 64 bytes ×6 (KES hash chain)', (r) => {
    for (let d = 1; d <= 6; d += 1) blake2b256(r.kesSignature.subarray(64 * d, 64 * d + 64));
    return true;
  });
  measure('Sum6 KES verify, node:crypto leaf', (r) => verifyKesSignature(r.opcert.kesVerificationKey, r.evolution, r.message, r.kesSignature));
  measure(
    'Sum6 KES verify, @noble/curves leaf',
    (r) => verifyKesSignatureWith(nobleVerifyStrict, r.opcert.kesVerificationKey, [r.evolution], r.message, r.kesSignature) !== undefined,
  );
  measure(
    'certification (opcert + KES in ±1 window), node:crypto',
    (r) =>
      verifyOperationalCertificate(r.opcert) &&
      verifyKesSignatureInWindow(r.opcert.kesVerificationKey, acceptedKesEvolutions(r.evolution), r.message, r.kesSignature) !== undefined,
    1000,
  );
  measure(
    'certification (opcert + KES in ±1 window), @noble/curves',
    (r) =>
      nobleVerify(r.opcert.coldVerificationKey, operationalCertificateSignedBytes(r.opcert), r.opcert.coldSignature) &&
      verifyKesSignatureWith(nobleVerifyStrict, r.opcert.kesVerificationKey, acceptedKesEvolutions(r.evolution), r.message, r.kesSignature) !== undefined,
    1000,
  );

  console.log(`\n@mithril-ts/cardano verification, one core (node ${process.version}, ${BENCH_MS} ms per figure)\n`);
  const width = Math.max(...rows.map(([what]) => what.length));
  for (const [what, perSecond, target] of rows) {
    const verdict = target === undefined ? '' : perSecond >= target ? `  (target ≥ ${target}/s: met)` : `  (target ≥ ${target}/s: MISSED)`;
    console.log(`${what.padEnd(width)}  ${String(Math.round(perSecond)).padStart(8)}/s${verdict}`);
  }
}

main();
