/**
 * bench:browser's page: the explorer's own verifier (src/verify.ts, libs/protocol) bundled alone,
 * verifying one certificate from its reference JSON (served beside the page) on a cold page.
 * The result goes to the page for the bench to read: decode and verify times, and the time from
 * the navigation's start to the verdict.
 */
import { decodeGenesisVerificationKey } from '@mithril-ts/protocol';
import { prepareBls, verifyOneCertificateJson } from '../src/verify.js';

const output = document.getElementById('result')!;
try {
  // ?bls=noble: the pure-JS path (the figure before WebAssembly), else mcl.
  const choice = new URLSearchParams(location.search).get('bls') === 'noble' ? 'noble' : 'mcl';
  const loadStart = performance.now();
  const engine = prepareBls(choice).then((name) => ({ name, loadMs: performance.now() - loadStart }));
  const [json, key, { name, loadMs }] = await Promise.all([
    fetch('./certificate.json').then((r) => r.text()),
    fetch('./genesis.vkey').then((r) => r.text()),
    engine,
  ]);
  const fetched = performance.now();
  const { decodeMs, verifyMs } = verifyOneCertificateJson(json, decodeGenesisVerificationKey(key.trim()));
  output.dataset.result = JSON.stringify({ ok: true, engine: name, loadMs, decodeMs, verifyMs, fetchedAtMs: fetched, doneAtMs: performance.now() });
} catch (error) {
  output.dataset.result = JSON.stringify({ ok: false, message: (error as Error).message });
}
output.textContent = 'done';
