/**
 * The aggregator's transitions, one row each: from a state, on an observation, the exact next
 * state and the exact commands (report-state included: it is the `state` event).
 */
import { transition, type Command, type Observation } from '../src/runtime/state-machine.js';
import type { AggregatorState, BlockedReason } from '../src/runtime/state.js';

const idle: AggregatorState = { kind: 'idle' };
const ready: AggregatorState = { kind: 'ready', epoch: 3n };
const signing = (openMessages: number): AggregatorState => ({ kind: 'signing', epoch: 3n, openMessages });
const blocked = (reason: BlockedReason): AggregatorState => ({ kind: 'blocked', epoch: 3n, reason });
const broken: AggregatorState = { kind: 'broken', error: '3 consecutive failures, last: boom' };
const BLOCKED_REASONS: readonly BlockedReason[] = ['no-genesis', 'genesis-epoch', 'epoch-gap', 'no-signers'];

const report = (state: AggregatorState): Command => ({ kind: 'report-state', state });
const enter = (epoch: bigint): Command[] => [
  { kind: 'enter-epoch', epoch },
  { kind: 'prune', epoch },
  { kind: 'announce-epoch', epoch },
  { kind: 'observe-chain' },
];

/** Epoch 3, a certificate of epoch 2, the master the first certificate of epoch 3, signers both sides, nothing open: the chain can be continued. */
const chain = (overrides: Partial<Omit<Extract<Observation, { kind: 'chain' }>, 'kind'>> = {}): Observation => ({
  kind: 'chain',
  epoch: 3n,
  latestCertificateEpoch: 3n,
  master: { epoch: 3n, genesis: false },
  currentSigners: true,
  nextSigners: true,
  genesisBootstrap: false,
  openMessages: 0,
  ...overrides,
});
const failed = (consecutiveFailures: number): Observation => ({ kind: 'cycle-failed', consecutiveFailures, maxConsecutiveFailures: 3, error: 'boom' });

interface Row {
  readonly from: AggregatorState;
  readonly observation: Observation;
  readonly state: AggregatorState;
  readonly commands: readonly Command[];
}

const rows: Record<string, Row> = {
  // A cycle starts by reading the tip, unless the breaker tripped.
  'idle, cycle due: read the tip': { from: idle, observation: { kind: 'cycle-due' }, state: idle, commands: [{ kind: 'read-tip' }] },
  'ready, cycle due: read the tip': { from: ready, observation: { kind: 'cycle-due' }, state: ready, commands: [{ kind: 'read-tip' }] },
  'signing, cycle due: read the tip': { from: signing(2), observation: { kind: 'cycle-due' }, state: signing(2), commands: [{ kind: 'read-tip' }] },
  ...Object.fromEntries(
    BLOCKED_REASONS.map((reason) => [
      `blocked (${reason}), cycle due: read the tip`,
      { from: blocked(reason), observation: { kind: 'cycle-due' }, state: blocked(reason), commands: [{ kind: 'read-tip' }] },
    ]),
  ),
  'broken, cycle due: nothing more': { from: broken, observation: { kind: 'cycle-due' }, state: broken, commands: [] },

  // The tip: a new epoch is entered from idle (reported unless already idle), the same epoch goes straight to the chain check.
  // An era this binary does not run blocks before anything is entered, opened or sealed; a later tip in a supported era resumes.
  'signing, next epoch in an unsupported era: blocked, nothing entered': {
    from: signing(2),
    observation: {
      kind: 'tip',
      epoch: 4n,
      enteredEpoch: 3n,
      eraRefusal: { reason: 'unsupported-era', message: 'Mithril era lagrange is active since epoch 4' },
    },
    state: { kind: 'blocked', epoch: 4n, reason: 'unsupported-era', detail: 'Mithril era lagrange is active since epoch 4' },
    commands: [report({ kind: 'blocked', epoch: 4n, reason: 'unsupported-era', detail: 'Mithril era lagrange is active since epoch 4' })],
  },
  'idle, first tip with unreadable era markers: blocked': {
    from: idle,
    observation: { kind: 'tip', epoch: 3n, enteredEpoch: undefined, eraRefusal: { reason: 'unknown-era', message: 'no file' } },
    state: { kind: 'blocked', epoch: 3n, reason: 'unknown-era', detail: 'no file' },
    commands: [report({ kind: 'blocked', epoch: 3n, reason: 'unknown-era', detail: 'no file' })],
  },
  'blocked (unsupported-era), same era refusal again: nothing reported': {
    from: { kind: 'blocked', epoch: 4n, reason: 'unsupported-era', detail: 'x' },
    observation: { kind: 'tip', epoch: 4n, enteredEpoch: 3n, eraRefusal: { reason: 'unsupported-era', message: 'x' } },
    state: { kind: 'blocked', epoch: 4n, reason: 'unsupported-era', detail: 'x' },
    commands: [],
  },
  'blocked (unsupported-era), the era is supported again in the next epoch: idle, enter it': {
    from: { kind: 'blocked', epoch: 4n, reason: 'unsupported-era', detail: 'x' },
    observation: { kind: 'tip', epoch: 4n, enteredEpoch: 3n },
    state: idle,
    commands: [report(idle), ...enter(4n)],
  },
  'blocked (unknown-era), markers readable again in the entered epoch: check the chain': {
    from: { kind: 'blocked', epoch: 3n, reason: 'unknown-era', detail: 'no file' },
    observation: { kind: 'tip', epoch: 3n, enteredEpoch: 3n },
    state: { kind: 'blocked', epoch: 3n, reason: 'unknown-era', detail: 'no file' },
    commands: [{ kind: 'observe-chain' }],
  },
  'idle, first tip: enter the epoch, no state event': {
    from: idle,
    observation: { kind: 'tip', epoch: 3n, enteredEpoch: undefined },
    state: idle,
    commands: enter(3n),
  },
  'ready, next epoch: idle, enter it': {
    from: ready,
    observation: { kind: 'tip', epoch: 4n, enteredEpoch: 3n },
    state: idle,
    commands: [report(idle), ...enter(4n)],
  },
  'signing, next epoch: idle, enter it': {
    from: signing(2),
    observation: { kind: 'tip', epoch: 4n, enteredEpoch: 3n },
    state: idle,
    commands: [report(idle), ...enter(4n)],
  },
  'ready, epochs skipped: enter the tip epoch': {
    from: ready,
    observation: { kind: 'tip', epoch: 7n, enteredEpoch: 3n },
    state: idle,
    commands: [report(idle), ...enter(7n)],
  },
  ...Object.fromEntries(
    BLOCKED_REASONS.map((reason) => [
      `blocked (${reason}), next epoch: idle, enter it`,
      { from: blocked(reason), observation: { kind: 'tip', epoch: 4n, enteredEpoch: 3n }, state: idle, commands: [report(idle), ...enter(4n)] },
    ]),
  ),
  'idle, same epoch (entered, then the cycle failed): check the chain': {
    from: idle,
    observation: { kind: 'tip', epoch: 3n, enteredEpoch: 3n },
    state: idle,
    commands: [{ kind: 'observe-chain' }],
  },
  'ready, same epoch: check the chain': {
    from: ready,
    observation: { kind: 'tip', epoch: 3n, enteredEpoch: 3n },
    state: ready,
    commands: [{ kind: 'observe-chain' }],
  },
  'signing, same epoch: check the chain': {
    from: signing(2),
    observation: { kind: 'tip', epoch: 3n, enteredEpoch: 3n },
    state: signing(2),
    commands: [{ kind: 'observe-chain' }],
  },
  'blocked, same epoch: check the chain': {
    from: blocked('no-genesis'),
    observation: { kind: 'tip', epoch: 3n, enteredEpoch: 3n },
    state: blocked('no-genesis'),
    commands: [{ kind: 'observe-chain' }],
  },
  'ready, tip behind the entered epoch: stay in it': {
    from: ready,
    observation: { kind: 'tip', epoch: 2n, enteredEpoch: 3n },
    state: ready,
    commands: [{ kind: 'observe-chain' }],
  },
  'broken, new epoch: nothing': { from: broken, observation: { kind: 'tip', epoch: 4n, enteredEpoch: 3n }, state: broken, commands: [] },

  // The chain check: each blocked reason, the devnet genesis bootstrap, ready and signing.
  'idle, no certificate: blocked (no-genesis)': {
    from: idle,
    observation: chain({ latestCertificateEpoch: undefined, master: undefined }),
    state: blocked('no-genesis'),
    commands: [report(blocked('no-genesis'))],
  },
  'idle, no certificate, genesis signer and next signers: bootstrap, check again': {
    from: idle,
    observation: chain({ latestCertificateEpoch: undefined, master: undefined, genesisBootstrap: true }),
    state: idle,
    commands: [{ kind: 'bootstrap-genesis', epoch: 3n }, { kind: 'observe-chain' }],
  },
  'idle, no certificate, genesis signer without next signers: blocked (no-genesis)': {
    from: idle,
    observation: chain({ latestCertificateEpoch: undefined, master: undefined, genesisBootstrap: true, nextSigners: false }),
    state: blocked('no-genesis'),
    commands: [report(blocked('no-genesis'))],
  },
  'blocked (no-genesis), still no certificate: no state event': {
    from: blocked('no-genesis'),
    observation: chain({ latestCertificateEpoch: undefined, master: undefined }),
    state: blocked('no-genesis'),
    commands: [],
  },
  'idle, latest certificate two epochs old: blocked (epoch-gap)': {
    from: idle,
    observation: chain({ latestCertificateEpoch: 1n, master: undefined }),
    state: blocked('epoch-gap'),
    commands: [report(blocked('epoch-gap'))],
  },
  'idle, epoch gap, genesis signer and next signers: bootstrap, check again': {
    from: idle,
    observation: chain({ latestCertificateEpoch: 1n, master: undefined, genesisBootstrap: true }),
    state: idle,
    commands: [{ kind: 'bootstrap-genesis', epoch: 3n }, { kind: 'observe-chain' }],
  },
  'idle, recent certificate but no master: blocked (epoch-gap)': {
    from: idle,
    observation: chain({ latestCertificateEpoch: 2n, master: undefined }),
    state: blocked('epoch-gap'),
    commands: [report(blocked('epoch-gap'))],
  },
  'idle, genesis of this epoch: blocked (genesis-epoch)': {
    from: idle,
    observation: chain({ master: { epoch: 3n, genesis: true } }),
    state: blocked('genesis-epoch'),
    commands: [report(blocked('genesis-epoch'))],
  },
  'blocked (no-genesis), bootstrapped genesis of this epoch: blocked (genesis-epoch)': {
    from: blocked('no-genesis'),
    observation: chain({ master: { epoch: 3n, genesis: true }, genesisBootstrap: true }),
    state: blocked('genesis-epoch'),
    commands: [report(blocked('genesis-epoch'))],
  },
  'idle, genesis of the previous epoch: ready': {
    from: idle,
    observation: chain({ latestCertificateEpoch: 2n, master: { epoch: 2n, genesis: true } }),
    state: ready,
    commands: [report(ready), { kind: 'open-messages', epoch: 3n }],
  },
  'idle, no current signers: blocked (no-signers)': {
    from: idle,
    observation: chain({ currentSigners: false }),
    state: blocked('no-signers'),
    commands: [report(blocked('no-signers'))],
  },
  'idle, no next signers: blocked (no-signers)': {
    from: idle,
    observation: chain({ nextSigners: false }),
    state: blocked('no-signers'),
    commands: [report(blocked('no-signers'))],
  },
  'idle, no next signers, genesis signer: blocked (no-signers), no bootstrap needed': {
    from: idle,
    observation: chain({ nextSigners: false, genesisBootstrap: true }),
    state: blocked('no-signers'),
    commands: [report(blocked('no-signers'))],
  },
  'idle, chain continues, nothing open: ready, open messages': {
    from: idle,
    observation: chain(),
    state: ready,
    commands: [report(ready), { kind: 'open-messages', epoch: 3n }],
  },
  'idle, chain continues, messages open (restart): signing, open messages': {
    from: idle,
    observation: chain({ openMessages: 2 }),
    state: signing(2),
    commands: [report(signing(2)), { kind: 'open-messages', epoch: 3n }],
  },
  'ready, chain continues: no state event, open messages': {
    from: ready,
    observation: chain(),
    state: ready,
    commands: [{ kind: 'open-messages', epoch: 3n }],
  },
  'signing, same open messages: no state event, open messages': {
    from: signing(2),
    observation: chain({ openMessages: 2 }),
    state: signing(2),
    commands: [{ kind: 'open-messages', epoch: 3n }],
  },
  'signing, everything certified: ready, open messages': {
    from: signing(2),
    observation: chain(),
    state: ready,
    commands: [report(ready), { kind: 'open-messages', epoch: 3n }],
  },
  'blocked (no-signers), signers recorded since: ready': {
    from: blocked('no-signers'),
    observation: chain(),
    state: ready,
    commands: [report(ready), { kind: 'open-messages', epoch: 3n }],
  },
  'broken, chain: nothing': { from: broken, observation: chain(), state: broken, commands: [] },

  // Messages opened: signing as soon as one is open, then aggregations are retried.
  'ready, two opened: signing, retry aggregations': {
    from: ready,
    observation: { kind: 'messages-opened', epoch: 3n, openMessages: 2 },
    state: signing(2),
    commands: [report(signing(2)), { kind: 'retry-aggregations', epoch: 3n }],
  },
  'ready, nothing open: ready, retry aggregations': {
    from: ready,
    observation: { kind: 'messages-opened', epoch: 3n, openMessages: 0 },
    state: ready,
    commands: [{ kind: 'retry-aggregations', epoch: 3n }],
  },
  'signing, one more opened: signing, retry aggregations': {
    from: signing(1),
    observation: { kind: 'messages-opened', epoch: 3n, openMessages: 2 },
    state: signing(2),
    commands: [report(signing(2)), { kind: 'retry-aggregations', epoch: 3n }],
  },
  'signing, as many open: no state event': {
    from: signing(2),
    observation: { kind: 'messages-opened', epoch: 3n, openMessages: 2 },
    state: signing(2),
    commands: [{ kind: 'retry-aggregations', epoch: 3n }],
  },
  'signing, none left open: the state stays (sealing reports it)': {
    from: signing(2),
    observation: { kind: 'messages-opened', epoch: 3n, openMessages: 0 },
    state: signing(2),
    commands: [{ kind: 'retry-aggregations', epoch: 3n }],
  },
  'broken, messages opened: nothing': { from: broken, observation: { kind: 'messages-opened', epoch: 3n, openMessages: 2 }, state: broken, commands: [] },

  // A certificate sealed outside the cycle moves ready ⇄ signing only.
  'signing, one of two sealed: signing one': {
    from: signing(2),
    observation: { kind: 'certificate-sealed', epoch: 3n, openMessages: 1 },
    state: signing(1),
    commands: [report(signing(1))],
  },
  'signing, the last sealed: ready': {
    from: signing(1),
    observation: { kind: 'certificate-sealed', epoch: 3n, openMessages: 0 },
    state: ready,
    commands: [report(ready)],
  },
  'ready, sealed with nothing left: no state event': {
    from: ready,
    observation: { kind: 'certificate-sealed', epoch: 3n, openMessages: 0 },
    state: ready,
    commands: [],
  },
  'ready, sealed while another is open: signing': {
    from: ready,
    observation: { kind: 'certificate-sealed', epoch: 3n, openMessages: 1 },
    state: signing(1),
    commands: [report(signing(1))],
  },
  'idle, sealed: idle (the epoch is being entered)': {
    from: idle,
    observation: { kind: 'certificate-sealed', epoch: 3n, openMessages: 0 },
    state: idle,
    commands: [],
  },
  ...Object.fromEntries(
    BLOCKED_REASONS.map((reason) => [
      `blocked (${reason}), sealed: stays blocked`,
      { from: blocked(reason), observation: { kind: 'certificate-sealed', epoch: 3n, openMessages: 0 }, state: blocked(reason), commands: [] },
    ]),
  ),
  'broken, sealed: nothing': { from: broken, observation: { kind: 'certificate-sealed', epoch: 3n, openMessages: 0 }, state: broken, commands: [] },

  // The breaker: below the limit the state is kept; at it, broken (reported), and broken stays.
  'idle, first failure: idle': { from: idle, observation: failed(1), state: idle, commands: [] },
  'ready, second failure of three: ready': { from: ready, observation: failed(2), state: ready, commands: [] },
  'signing, second failure of three: signing': { from: signing(2), observation: failed(2), state: signing(2), commands: [] },
  ...Object.fromEntries(
    BLOCKED_REASONS.map((reason) => [
      `blocked (${reason}), second failure: blocked`,
      { from: blocked(reason), observation: failed(2), state: blocked(reason), commands: [] },
    ]),
  ),
  'idle, third failure of three: broken': { from: idle, observation: failed(3), state: broken, commands: [report(broken)] },
  'ready, third failure of three: broken': { from: ready, observation: failed(3), state: broken, commands: [report(broken)] },
  'signing, third failure of three: broken': { from: signing(2), observation: failed(3), state: broken, commands: [report(broken)] },
  ...Object.fromEntries(
    BLOCKED_REASONS.map((reason) => [
      `blocked (${reason}), third failure: broken`,
      { from: blocked(reason), observation: failed(3), state: broken, commands: [report(broken)] },
    ]),
  ),
  'ready, past the limit: broken': {
    from: ready,
    observation: failed(5),
    state: { kind: 'broken', error: '5 consecutive failures, last: boom' },
    commands: [report({ kind: 'broken', error: '5 consecutive failures, last: boom' })],
  },
  'broken, another failure: nothing': { from: broken, observation: failed(4), state: broken, commands: [] },
};

describe('aggregator state machine', () => {
  it.each(Object.entries(rows))('%s', (_, row) => {
    const next = transition(row.from, row.observation);
    expect(next.state).toEqual(row.state);
    expect(next.commands).toEqual(row.commands);
  });

  it('has rows from every state and for every observation', () => {
    const states = new Set(Object.values(rows).map(({ from }) => (from.kind === 'blocked' ? `blocked:${from.reason}` : from.kind)));
    expect([...states].sort()).toEqual([
      'blocked:epoch-gap',
      'blocked:genesis-epoch',
      'blocked:no-genesis',
      'blocked:no-signers',
      'blocked:unknown-era',
      'blocked:unsupported-era',
      'broken',
      'idle',
      'ready',
      'signing',
    ]);
    const observations = new Set(Object.values(rows).map(({ observation }) => observation.kind));
    expect([...observations].sort()).toEqual(['certificate-sealed', 'chain', 'cycle-due', 'cycle-failed', 'messages-opened', 'tip']);
  });

  it('drives a devnet start: first tip, genesis bootstrap, blocked for the genesis epoch, ready the epoch after, then signing', () => {
    const events: string[] = [];
    let state: AggregatorState = idle;
    const step = (observation: Observation) => {
      const next = transition(state, observation);
      state = next.state;
      events.push(...next.commands.map((command) => (command.kind === 'report-state' ? `state ${command.state.kind}` : command.kind)));
    };
    step({ kind: 'cycle-due' });
    step({ kind: 'tip', epoch: 1n, enteredEpoch: undefined });
    step(chain({ epoch: 1n, latestCertificateEpoch: undefined, master: undefined, currentSigners: false, nextSigners: true, genesisBootstrap: true }));
    step(chain({ epoch: 1n, latestCertificateEpoch: 1n, master: { epoch: 1n, genesis: true }, currentSigners: false, genesisBootstrap: true }));
    step({ kind: 'tip', epoch: 2n, enteredEpoch: 1n });
    step(chain({ epoch: 2n, latestCertificateEpoch: 1n, master: { epoch: 1n, genesis: true }, genesisBootstrap: true }));
    step({ kind: 'messages-opened', epoch: 2n, openMessages: 1 });
    step({ kind: 'certificate-sealed', epoch: 2n, openMessages: 0 });
    expect(events).toEqual([
      'read-tip',
      'enter-epoch',
      'prune',
      'announce-epoch',
      'observe-chain',
      'bootstrap-genesis',
      'observe-chain',
      'state blocked',
      'state idle',
      'enter-epoch',
      'prune',
      'announce-epoch',
      'observe-chain',
      'state ready',
      'open-messages',
      'state signing',
      'retry-aggregations',
      'state ready',
    ]);
    expect(state).toEqual({ kind: 'ready', epoch: 2n });
  });
});
