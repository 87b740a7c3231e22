/**
 * The page's state lives in the URL's fragment, so every view is a shareable link and the static
 * server needs no fallback route: `#/<page>/<argument>?aggregator=<url>&genesis=<key>`.
 */
export interface ExplorerState {
  readonly page: string;
  readonly argument: string | undefined;
  /** The aggregator's REST base URL (…/aggregator). */
  readonly aggregator: string;
  /** The genesis verification key to verify chains with ('' when none was given). */
  readonly genesis: string;
}

/** Reference-compatible aggregators a user may pick; any other URL can be typed in. */
export const KNOWN_AGGREGATORS: readonly { readonly label: string; readonly url: string }[] = [
  { label: 'Cardano mainnet (release-mainnet)', url: 'https://aggregator.release-mainnet.api.mithril.network/aggregator' },
  { label: 'Cardano preprod (release-preprod)', url: 'https://aggregator.release-preprod.api.mithril.network/aggregator' },
  { label: 'Cardano preview (pre-release-preview)', url: 'https://aggregator.pre-release-preview.api.mithril.network/aggregator' },
];

/** The gateway serving this page, when it is served at <gateway>/explorer/. */
export function sameOriginAggregator(location: Pick<Location, 'href'>): string {
  return new URL('../aggregator', location.href.replace(/#.*$/, '')).href;
}

export function parseState(location: Pick<Location, 'hash' | 'href'>): ExplorerState {
  const fragment = location.hash.replace(/^#/, '');
  const [path = '', query = ''] = fragment.split('?', 2);
  const params = new URLSearchParams(query);
  const [page = '', ...rest] = path.split('/').filter((part) => part !== '');
  return {
    page: page === '' ? 'overview' : page,
    argument: rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined,
    aggregator: cleanAggregatorUrl(params.get('aggregator')) ?? sameOriginAggregator(location),
    genesis: (params.get('genesis') ?? '').trim(),
  };
}

/** An http(s) URL without a trailing slash, or undefined for anything else (javascript:, data:, garbage). */
export function cleanAggregatorUrl(text: string | null | undefined): string | undefined {
  if (text === null || text === undefined || text.trim() === '') return undefined;
  try {
    const url = new URL(text.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/** A link to `page` keeping the aggregator and the genesis key (defaults left out, so links stay short). */
export function linkTo(state: Pick<ExplorerState, 'aggregator' | 'genesis'>, page: string, argument?: string, location?: Pick<Location, 'href'>): string {
  const params = new URLSearchParams();
  if (location === undefined || state.aggregator !== sameOriginAggregator(location)) params.set('aggregator', state.aggregator);
  if (state.genesis !== '') params.set('genesis', state.genesis);
  const query = params.toString();
  return `#/${page}${argument === undefined ? '' : `/${encodeURIComponent(argument)}`}${query === '' ? '' : `?${query}`}`;
}
