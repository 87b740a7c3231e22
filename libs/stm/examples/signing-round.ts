/**
 * One Mithril signing round on this machine, end to end with libs/stm: five pools register
 * fresh keys (batched PoP check), the registration closes into an AVK, every pool plays the
 * lottery and signs the round's message, the clerk aggregates a multi-signature, and a client
 * verifies it. This is what `npm start` runs until the devnet launcher replaces it.
 */
import { randomBytes } from 'node:crypto';
import { Clerk, Initializer, KeyRegistration, securityLevel, type Parameters, type SingleSignature } from '../src/index.js';
import { aggregateSignatureToJson, avkToJson, toJsonText } from '../src/encoding.js';

const params: Parameters = { k: 30n, m: 120n, phiF: 0.5 };
const pools = [
  { id: 'pool-a', stake: 12_000_000_000_000n },
  { id: 'pool-b', stake: 8_500_000_000_000n },
  { id: 'pool-c', stake: 5_000_000_000_000n },
  { id: 'pool-d', stake: 2_250_000_000_000n },
  { id: 'pool-e', stake: 900_000_000_000n },
];
const log = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`);

log(`protocol parameters k=${params.k} m=${params.m} phi_f=${params.phiF}; ${pools.length} pools`);
const initializers = pools.map((pool) => ({ pool, init: Initializer.generate(params, pool.stake, randomBytes(32)) }));
const registration = new KeyRegistration();
const { rejected } = registration.registerAll(initializers.map(({ init }) => ({ stake: init.stake, key: init.verificationKeyPoP })));
if (rejected.length > 0) throw new Error(`registration rejected ${rejected.length} keys`);
const closed = registration.close();
const avk = closed.aggregateVerificationKey();
log(`registration closed: ${closed.parties.length} signers, total stake ${closed.totalStake} lovelace`);
log(
  `aggregate verification key ${Buffer.from(toJsonText(avkToJson(avk)))
    .toString('hex')
    .slice(0, 48)}… (json-hex)`,
);

const message = new TextEncoder().encode(Buffer.from(randomBytes(32)).toString('hex'));
const signatures: SingleSignature[] = [];
for (const { pool, init } of initializers) {
  const signature = init.newSigner(closed).sign(message);
  log(`${pool.id}: ${signature === null ? 'won no lottery index' : `won ${signature.indexes.length} indices, signed`}`);
  if (signature !== null) signatures.push(signature);
}

const clerk = new Clerk(closed, params);
const multiSignature = clerk.aggregate(signatures, message);
log(`multi-signature from ${multiSignature.signatures.length} signers, ${toJsonText(aggregateSignatureToJson(multiSignature)).length * 2} bytes as json-hex`);
multiSignature.verify(message, avk, params);
log('client verification: multi-signature valid for the AVK and the message');
const security = securityLevel(params, 1 / 3);
log(`security of these toy parameters against a third of the stake: 2^-${security.securityBits.toFixed(1)}`);
