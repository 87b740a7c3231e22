/** One renderer per page: fetch what the page shows from the aggregator, return its content. */
import { type Parameters, securityLevel } from '@mithril-ts/stm';
import { type AggregatorApi, big, record, signedEntity, text, type Json } from './api.js';
import { verificationBadge } from './badge.js';
import { barChart, lineChart, type Point } from './charts.js';
import { ada, bytes, date, h, percent, shortHash } from './dom.js';
import type { ExplorerState } from './state.js';

export interface PageContext {
  readonly api: AggregatorApi;
  readonly state: ExplorerState;
  readonly link: (page: string, argument?: string) => string;
}

type Page = (context: PageContext) => Promise<HTMLElement>;

const table = (headers: string[], rows: (Node | string)[][], caption?: string) =>
  h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption ?? headers.join(', ') },
    h(
      'table',
      {},
      caption === undefined ? null : h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((header) => h('th', { scope: 'col' }, header)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell) => h('td', {}, cell)),
          ),
        ),
      ),
    ),
  );

const facts = (entries: [string, Node | string][]) =>
  h(
    'dl',
    { class: 'facts' },
    entries.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
const code = (value: string) => h('code', { class: 'hash' }, value);

function parametersOf(value: unknown): Parameters | undefined {
  const p = record(value);
  const k = big(p.k);
  const m = big(p.m);
  const phiF = typeof p.phi_f === 'number' ? p.phi_f : NaN;
  return k > 0n && m > 0n && phiF > 0 && phiF < 1 ? { k, m, phiF } : undefined;
}

/** The security level chart: bits of security against an adversary holding a share of the stake. */
function securityChart(params: Parameters): HTMLElement {
  const points: Point[] = [];
  for (let share = 0.05; share <= 0.5001; share += 0.05)
    points.push({ label: `${Math.round(share * 100)} %`, value: Math.min(256, securityLevel(params, share).securityBits) });
  return lineChart(
    `Security level (k=${params.k}, m=${params.m}, φ_f=${params.phiF}): bits against an adversary's stake share`,
    points,
    (v) => `${v.toFixed(0)} bits`,
  );
}

/** Stake shares of a list of (party, stake), largest first, and a bar chart of them. */
function stakeView(title: string, parties: { partyId: string; stake: bigint }[]): HTMLElement[] {
  const total = parties.reduce((sum, p) => sum + p.stake, 0n);
  const sorted = [...parties].sort((a, b) => (b.stake > a.stake ? 1 : b.stake < a.stake ? -1 : 0));
  const share = (stake: bigint) => (total === 0n ? 0 : Number((stake * 1_000_000n) / total) / 1_000_000);
  const top = sorted.slice(0, 40);
  return [
    barChart(
      `${title}: stake share of the ${top.length === sorted.length ? '' : `${top.length} largest of `}${sorted.length} signers`,
      top.map((p) => ({ label: shortHash(p.partyId), value: share(p.stake) * 100 })),
      (v) => `${v.toFixed(2)} %`,
    ),
    table(
      ['signer (pool id)', 'stake', 'share'],
      sorted.map((p) => [code(p.partyId), ada(p.stake), percent(share(p.stake))]),
      `${sorted.length} signers, ${ada(total)} in all`,
    ),
  ];
}

const overview: Page = async ({ api, link }) => {
  const [status, certificates] = await Promise.all([api.object('/status').catch(() => undefined), api.list('/certificates')]);
  const params = parametersOf(status?.protocol) ?? parametersOf(record(certificates[0]?.metadata).parameters);
  const byEpoch = new Map<string, { certificates: number; signers: number }>();
  for (const certificate of [...certificates].reverse()) {
    const epoch = text(certificate.epoch);
    const entry = byEpoch.get(epoch) ?? { certificates: 0, signers: 0 };
    entry.certificates += 1;
    entry.signers = Math.max(entry.signers, Number(big(record(certificate.metadata).total_signers)));
    byEpoch.set(epoch, entry);
  }
  return h(
    'div',
    {},
    h('h1', {}, 'Overview'),
    status === undefined
      ? h('p', {}, 'This aggregator does not answer /status.')
      : facts([
          ['network', text(status.cardano_network)],
          ['epoch', text(status.epoch)],
          ['signers this epoch', `${text(status.total_signers)} (${ada(big(status.total_stakes_signers))})`],
          ['signers next epoch', `${text(status.total_next_signers)} (${ada(big(status.total_next_stakes_signers))})`],
          ['Cardano stake pools', `${text(status.total_cardano_spo)} (${ada(big(status.total_cardano_stake))})`],
          ['eras', `Cardano ${text(status.cardano_era)}, Mithril ${text(status.mithril_era)}`],
          ['aggregator', `${text(status.aggregator_node_version)} (Cardano node ${text(status.cardano_node_version)})`],
        ]),
    h('div', { class: 'charts' }, [
      barChart(
        'Certificates per epoch (latest ones)',
        [...byEpoch].map(([epoch, e]) => ({ label: epoch, value: e.certificates })),
      ),
      barChart(
        'Signers per epoch (latest certificates)',
        [...byEpoch].map(([epoch, e]) => ({ label: epoch, value: e.signers })),
      ),
      params === undefined ? null : securityChart(params),
    ]),
    certificates[0] === undefined
      ? null
      : h('p', {}, h('a', { href: link('certificate', text(certificates[0].hash)) }, 'The latest certificate, verified in your browser →')),
  );
};

const certificatesPage: Page = async ({ api, link }) => {
  const certificates = await api.list('/certificates');
  return h(
    'div',
    {},
    h('h1', {}, 'Certificates'),
    table(
      ['hash', 'epoch', 'signed entity', 'signers', 'sealed at'],
      certificates.map((c) => {
        const entity = signedEntity(c.signed_entity_type);
        return [
          h('a', { href: link('certificate', text(c.hash)) }, code(shortHash(text(c.hash)))),
          text(c.epoch),
          entity.kind,
          text(record(c.metadata).total_signers),
          date(record(c.metadata).sealed_at),
        ];
      }),
      `The ${certificates.length} latest certificates`,
    ),
  );
};

const HASH = /^[0-9a-f]{64}$/;

const certificatePage: Page = async ({ api, state, link }) => {
  const hash = state.argument ?? '';
  if (!HASH.test(hash)) throw new Error('a certificate hash is 64 lowercase hex digits');
  const certificate = await api.object(`/certificate/${hash}`);
  const metadata = record(certificate.metadata);
  const entity = signedEntity(certificate.signed_entity_type);
  const isGenesis = text(certificate.genesis_signature) !== '';
  const chainList = h('ol', { class: 'chain' });
  const chainSection = h('section', {}, h('h2', {}, 'Chain back to genesis'), h('p', {}, 'Filled in by the verification below.'), chainList);
  const badge = verificationBadge({ aggregator: state.aggregator, hash, genesisVerificationKey: state.genesis }, (outcome) => {
    if (!outcome.ok) return;
    chainSection.querySelector('p')?.remove();
    chainList.replaceChildren(
      ...outcome.chain.map((link_) =>
        h('li', {}, h('a', { href: link('certificate', link_.hash) }, code(shortHash(link_.hash))), ` epoch ${link_.epoch}, ${link_.kind}`),
      ),
    );
  });
  const signers = Array.isArray(metadata.signers) ? metadata.signers.map((s) => ({ partyId: text(record(s).party_id), stake: big(record(s).stake) })) : [];
  const params = parametersOf(metadata.parameters);
  return h(
    'div',
    {},
    h('h1', {}, `Certificate ${shortHash(hash)}`),
    badge,
    facts([
      ['hash', code(hash)],
      [
        'previous hash',
        text(certificate.previous_hash) === ''
          ? 'none (genesis)'
          : h('a', { href: link('certificate', text(certificate.previous_hash)) }, code(text(certificate.previous_hash))),
      ],
      ['epoch', text(certificate.epoch)],
      ['signed entity', `${isGenesis ? 'Genesis' : entity.kind}${entity.epoch === '' ? '' : ` (epoch ${entity.epoch})`}`],
      ['network', text(metadata.network)],
      ['protocol parameters', params === undefined ? '' : `k=${params.k}, m=${params.m}, φ_f=${params.phiF}`],
      ['initiated / sealed', `${date(metadata.initiated_at)} / ${date(metadata.sealed_at)}`],
      ['signed message', code(text(certificate.signed_message))],
    ]),
    h('h2', {}, 'Protocol message'),
    table(
      ['part', 'value'],
      Object.entries(record(record(certificate.protocol_message).message_parts)).map(([key, value]) => [key, code(text(value))]),
    ),
    chainSection,
    signers.length === 0 ? null : h('section', {}, h('h2', {}, 'Signers'), stakeView('Signers of this certificate', signers)),
  );
};

const snapshotsPage: Page = async ({ api, link }) => {
  const snapshots = await api.list('/artifact/cardano-database');
  return h(
    'div',
    {},
    h('h1', {}, 'Cardano database snapshots'),
    table(
      ['hash', 'epoch', 'immutable file', 'size', 'certificate', 'created at'],
      snapshots.map((snapshot) => {
        const beacon = record(snapshot.beacon);
        return [
          h('a', { href: link('snapshot', text(snapshot.hash)) }, code(shortHash(text(snapshot.hash)))),
          text(beacon.epoch),
          text(beacon.immutable_file_number),
          bytes(Number(big(snapshot.total_db_size_uncompressed))),
          h('a', { href: link('certificate', text(snapshot.certificate_hash)) }, code(shortHash(text(snapshot.certificate_hash)))),
          date(snapshot.created_at),
        ];
      }),
      `${snapshots.length} snapshots`,
    ),
  );
};

const snapshotPage: Page = async ({ api, state, link }) => {
  const hash = state.argument ?? '';
  if (!HASH.test(hash)) throw new Error('a snapshot hash is 64 lowercase hex digits');
  const snapshot = await api.object(`/artifact/cardano-database/${hash}`);
  const beacon = record(snapshot.beacon);
  const immutables = record(snapshot.immutables);
  const digests = record(snapshot.digests);
  return h(
    'div',
    {},
    h('h1', {}, `Snapshot ${shortHash(hash)}`),
    facts([
      ['hash', code(hash)],
      ['Merkle root', code(text(snapshot.merkle_root))],
      ['epoch / immutable file', `${text(beacon.epoch)} / ${text(beacon.immutable_file_number)}`],
      ['size', bytes(Number(big(snapshot.total_db_size_uncompressed)))],
      ['immutable files, average size', bytes(Number(big(immutables.average_size_uncompressed)))],
      ['digests size', bytes(Number(big(digests.size_uncompressed)))],
      ['Cardano node', text(snapshot.cardano_node_version)],
      ['created at', date(snapshot.created_at)],
      ['certificate', h('a', { href: link('certificate', text(snapshot.certificate_hash)) }, code(text(snapshot.certificate_hash)))],
    ]),
    h('p', {}, 'Its certificate page verifies the certificate and its chain in your browser.'),
  );
};

const stakeDistributionsPage: Page = async ({ api, link }) => {
  const distributions = await api.list('/artifact/mithril-stake-distributions');
  return h(
    'div',
    {},
    h('h1', {}, 'Mithril stake distributions'),
    table(
      ['hash', 'epoch', 'certificate', 'created at'],
      distributions.map((d) => [
        h('a', { href: link('stake-distribution', text(d.hash)) }, code(shortHash(text(d.hash)))),
        text(d.epoch),
        h('a', { href: link('certificate', text(d.certificate_hash)) }, code(shortHash(text(d.certificate_hash)))),
        date(d.created_at),
      ]),
      `${distributions.length} stake distributions`,
    ),
  );
};

const stakeDistributionPage: Page = async ({ api, state, link }) => {
  const hash = state.argument ?? '';
  if (!HASH.test(hash)) throw new Error('a stake distribution hash is 64 lowercase hex digits');
  const distribution = await api.object(`/artifact/mithril-stake-distribution/${hash}`);
  const signers = (Array.isArray(distribution.signers) ? distribution.signers : []).map((s) => ({
    partyId: text(record(s).party_id),
    stake: big(record(s).stake),
  }));
  return h(
    'div',
    {},
    h('h1', {}, `Stake distribution of epoch ${text(distribution.epoch)}`),
    facts([
      ['hash', code(hash)],
      ['certificate', h('a', { href: link('certificate', text(distribution.certificate_hash)) }, code(text(distribution.certificate_hash)))],
      ['created at', date(distribution.created_at)],
    ]),
    ...stakeView('Stake distribution', signers),
  );
};

const signersPage: Page = async ({ api, state, link }) => {
  const epoch = state.argument ?? 'latest';
  if (!/^(?:latest(?:-\d{1,6})?|\d{1,20})$/.test(epoch)) throw new Error('an epoch is a number, latest or latest-N');
  const answer: Json = await api.object(`/signers/registered/${epoch}`);
  const registeredAt = big(answer.registered_at);
  const registrations = (Array.isArray(answer.registrations) ? answer.registrations : []).map((r) => ({
    partyId: text(record(r).party_id),
    stake: big(record(r).stake),
  }));
  const nav = h(
    'nav',
    { 'aria-label': 'epochs', class: 'pager' },
    registeredAt > 0n ? h('a', { href: link('signers', (registeredAt - 1n).toString()) }, `← epoch ${registeredAt - 1n}`) : null,
    h('a', { href: link('signers', (registeredAt + 1n).toString()) }, `epoch ${registeredAt + 1n} →`),
    h('a', { href: link('signers', 'latest') }, 'latest'),
  );
  return h(
    'div',
    {},
    h('h1', {}, `Signers registered at epoch ${registeredAt}`),
    h('p', {}, `They sign in epoch ${text(answer.signing_at)}.`),
    nav,
    ...(registrations.length === 0
      ? [h('p', {}, 'No signer registered in this epoch.')]
      : stakeView(`Signers registered at epoch ${registeredAt}`, registrations)),
  );
};

export const PAGES: Record<string, { readonly title: string; readonly render: Page; readonly nav?: boolean }> = {
  overview: { title: 'Overview', render: overview, nav: true },
  certificates: { title: 'Certificates', render: certificatesPage, nav: true },
  certificate: { title: 'Certificate', render: certificatePage },
  snapshots: { title: 'Snapshots', render: snapshotsPage, nav: true },
  snapshot: { title: 'Snapshot', render: snapshotPage },
  'stake-distributions': { title: 'Stake distributions', render: stakeDistributionsPage, nav: true },
  'stake-distribution': { title: 'Stake distribution', render: stakeDistributionPage },
  signers: { title: 'Signers', render: signersPage, nav: true },
};
