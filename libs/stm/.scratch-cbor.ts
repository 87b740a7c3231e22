import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Clerk, Initializer, KeyRegistration, SigningKey } from './src/index.js';
import { SingleSignature } from './src/single-signature.js';
import * as C from './src/cbor-format.js';
const g = JSON.parse(readFileSync('/tmp/cborwork/goldens.json', 'utf8'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ks = new Uint8Array(createCipheriv('chacha20', Buffer.alloc(32), Buffer.alloc(16)).update(Buffer.alloc(64)));
const sk1 = SigningKey.generate(ks.subarray(0, 32)), sk2 = SigningKey.generate(ks.subarray(32, 64));
const params = { m: 10n, k: 5n, phiF: 0.8 };
const msg = new Uint8Array(16);
const reg = new KeyRegistration();
const i1 = new Initializer(params, 1n, sk1), i2 = new Initializer(params, 1n, sk2);
reg.register(1n, i1.verificationKeyPoP); reg.register(1n, i2.verificationKeyPoP);
const closed = reg.close();
const s1 = i1.newSigner(closed), s2 = i2.newSigner(closed);
const sig1 = s1.sign(msg)!, sig2 = s2.sign(msg)!;
const g1 = new SingleSignature(sig1.sigma, [1,4,5,8], 1);
const party = closed.party(0);
const agg = new Clerk(closed, params).aggregate([sig1, sig2], msg);
const out: Record<string, Uint8Array> = {
  params: C.parametersToCborBytes({ m: 20973n, k: 2422n, phiF: 0.2 }),
  single: C.singleSignatureToCborBytes(g1),
  party: C.registeredPartyToCborBytes(party),
  avk: C.avkToCborBytes(closed.aggregateVerificationKey()),
  sswrp: C.signatureWithPartyToCborBytes({ signature: g1, party }),
  proof: C.concatenationProofToCborBytes(agg),
  aggregate: C.aggregateSignatureToCborBytes(agg),
};
for (const [k, v] of Object.entries(out)) {
  const want = g[k] as string; const got = hex(v);
  let firstDiff = -1; for (let i = 0; i < Math.max(want.length, got.length) / 2; i++) if (want.slice(2*i, 2*i+2) !== got.slice(2*i, 2*i+2)) { firstDiff = i; break; }
  console.log(k, v.length, want.length / 2, got === want ? 'MATCH' : `DIFF at byte ${firstDiff}`);
  if (got !== want) { console.log(' want', want.slice(Math.max(0,2*firstDiff-40), 2*firstDiff+60)); console.log(' got ', got.slice(Math.max(0,2*firstDiff-40), 2*firstDiff+60)); }
}
console.log('array form length', C.aggregateSignatureToCborBytes(agg, { proofBytes: 'integer-array' }).length);
