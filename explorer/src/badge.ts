/** The "verified in your browser" badge: runs the verifier in a worker and shows what it checked and how long it took. */
import { h } from './dom.js';
import type { VerificationOutcome, VerifyRequest } from './verify.js';

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, (outcome: VerificationOutcome) => void>();

function verifier(): Worker {
  if (worker === undefined) {
    worker = new Worker(new URL('./verify-worker.ts', import.meta.url), { type: 'module', name: 'mithril-verifier' });
    worker.addEventListener('message', (event: MessageEvent<{ id: number; outcome: VerificationOutcome }>) => {
      pending.get(event.data.id)?.(event.data.outcome);
      pending.delete(event.data.id);
    });
  }
  return worker;
}

export function verifyInWorker(request: VerifyRequest): Promise<VerificationOutcome> {
  const id = (nextId += 1);
  return new Promise((resolve) => {
    pending.set(id, resolve);
    verifier().postMessage({ id, request });
  });
}

const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

/** A badge that fills itself in when the verification ends; `data-state` is running, verified, failed or no-key. */
export function verificationBadge(request: VerifyRequest, onVerified?: (outcome: VerificationOutcome) => void): HTMLElement {
  const badge = h('section', { class: 'badge', 'data-state': 'running', 'aria-live': 'polite', 'aria-busy': 'true' });
  if (request.genesisVerificationKey === '') {
    badge.dataset.state = 'no-key';
    badge.setAttribute('aria-busy', 'false');
    badge.append(
      h('strong', {}, 'Not verified'),
      h('p', {}, 'Give the genesis verification key of this network (Settings) to verify this certificate and its chain in your browser.'),
    );
    return badge;
  }
  badge.append(h('strong', {}, 'Verifying in your browser…'), h('p', {}, 'Fetching the chain back to genesis and checking every certificate.'));
  void verifyInWorker(request).then((outcome) => {
    badge.replaceChildren();
    badge.setAttribute('aria-busy', 'false');
    const t = outcome.timings;
    const timing = h(
      'p',
      { class: 'timing' },
      `${ms(t.totalMs)} in all: ${ms(t.decodeMs)} decoding, ${ms(t.verifyMs)} verifying, ${ms(t.fetchMs)} waiting for the aggregator`,
    );
    if (outcome.ok) {
      badge.dataset.state = 'verified';
      badge.dataset.ms = t.totalMs.toFixed(1);
      badge.append(
        h('strong', {}, `✔ Verified in your browser: ${outcome.chain.length} certificate${outcome.chain.length === 1 ? '' : 's'} back to genesis`),
        h(
          'ul',
          {},
          outcome.checks.map((check) => h('li', {}, check)),
        ),
        timing,
      );
    } else {
      badge.dataset.state = 'failed';
      badge.dataset.code = outcome.code;
      badge.append(h('strong', {}, `✘ Verification failed: ${outcome.code}`), h('p', {}, outcome.message), timing);
    }
    onVerified?.(outcome);
  });
  return badge;
}
