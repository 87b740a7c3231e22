/**
 * Certifications per second on one core for valid registrations (target ≥ 1,000/s: 3,000 SPOs
 * certified in ≤ 3 s), in process through the certifier's use case with its real adapters (the
 * chain files, the counter store: a fresh SQLite file, or STORE_URL=postgresql://… to measure a
 * shared PostgreSQL store).
 *   npm run bench -w services/certifier        (POOLS=… to change the number of pools)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics, trace } from '@opentelemetry/api';
import { CardanoCliFilesChainObserver, createLogger } from '@mithril-ts/service-kit';
import { operationalCertificateFromCbor, verifyKesSignature, verifyOperationalCertificate } from '@mithril-ts/cardano';
import { Certifier, openCertifierStore } from '../src/index.js';
import { SLOTS_PER_KES_PERIOD, chainDirectory, testPool } from '@mithril-ts/testkit';

const POOLS = Number(process.env.POOLS ?? 3000);
console.error(`preparing ${POOLS} pools (cold key, KES key evolved to the current period, opcert, Mithril key)…`);
const pools = Array.from({ length: POOLS }, (_, i) => testPool(i));
const registrations = pools.map((pool) => pool.registration());
const { store } = await openCertifierStore({
  url: process.env.STORE_URL ?? `file:${join(mkdtempSync(join(tmpdir(), 'bench-counters-')), 'certifier.sqlite')}`,
});
console.error(`counter store: ${store.dialect}`);
const certifier = new Certifier({
  chain: new CardanoCliFilesChainObserver(chainDirectory(pools)),
  counters: store,
  slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
  tracer: trace.getTracer('bench'),
  meter: metrics.getMeter('bench'),
  logger: createLogger('bench', 'silent'),
});

async function timeAll(): Promise<number> {
  const start = performance.now();
  for (const registration of registrations) await certifier.certify(registration);
  return (performance.now() - start) / 1000;
}

const first = await timeAll(); // every pool is new: each certification inserts a counter
const again = await timeAll(); // steady state: the counters are already recorded
await store.close();

// Baseline in the same run, measured last so the JIT is as warm as for the passes above: the two signature checks alone (opcert Ed25519 + Sum6 KES), no service around them.
const parsed = registrations.map((r) => ({ opcert: operationalCertificateFromCbor(r.operationalCertificate!), r }));
const baselineStart = performance.now();
for (const { opcert, r } of parsed) {
  if (!verifyOperationalCertificate(opcert) || !verifyKesSignature(opcert.kesVerificationKey, r.kesEvolutions!, r.verificationKey, r.verificationKeySignature!))
    throw new Error('invalid');
}
const baseline = (performance.now() - baselineStart) / 1000;

const rows = [
  [`certify ${POOLS} new registrations (each records a counter, ${store.dialect}), one core`, first],
  [`certify ${POOLS} registrations again (counters known), one core`, again],
] as const;
console.log('| measurement | figure | target | status |\n|---|---|---|---|');
for (const [what, seconds] of rows) {
  const perSecond = POOLS / seconds;
  console.log(`| ${what} | ${seconds.toFixed(2)} s, ${perSecond.toFixed(0)}/s | ≥ 1,000/s (3000 in ≤ 3 s) | ${perSecond >= 1000 ? 'met' : 'MISSED'} |`);
}
console.log(`| baseline: opcert + KES signature checks alone | ${baseline.toFixed(2)} s, ${(POOLS / baseline).toFixed(0)}/s | | |`);
console.log(`| service overhead over the bare checks | ${(first / baseline).toFixed(2)}× (new), ${(again / baseline).toFixed(2)}× (known) | | |`);
