/** The explorer's shell: aggregator selection, navigation, and the page named by the URL. */
import './style.css';
import { AggregatorApi } from './api.js';
import { h } from './dom.js';
import { PAGES } from './pages.js';
import { KNOWN_AGGREGATORS, cleanAggregatorUrl, linkTo, parseState, sameOriginAggregator, type ExplorerState } from './state.js';

const app = document.getElementById('app')!;
let renderCount = 0;

function settings(state: ExplorerState): HTMLElement {
  const options = [{ label: 'This gateway', url: sameOriginAggregator(location) }, ...KNOWN_AGGREGATORS];
  const known = options.some((o) => o.url === state.aggregator);
  const select = h(
    'select',
    { id: 'aggregator-select', name: 'preset' },
    options.map((o) => h('option', { value: o.url, selected: o.url === state.aggregator }, `${o.label}`)),
    h('option', { value: '', selected: !known }, 'Other URL…'),
  );
  const url = h('input', {
    id: 'aggregator-url',
    name: 'url',
    type: 'url',
    inputmode: 'url',
    value: state.aggregator,
    placeholder: 'https://…/aggregator',
    required: true,
  });
  select.addEventListener('change', () => {
    if (select.value !== '') url.value = select.value;
    else url.focus();
  });
  const genesis = h(
    'textarea',
    { id: 'genesis-key', name: 'genesis', rows: 2, spellcheck: false, placeholder: 'json-hex or hex, e.g. the content of .devnet/genesis/genesis.vkey' },
    state.genesis,
  );
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'settings' },
    h('label', { for: 'aggregator-select' }, 'Aggregator'),
    select,
    h('label', { for: 'aggregator-url' }, 'Aggregator URL'),
    url,
    h('label', { for: 'genesis-key' }, 'Genesis verification key'),
    genesis,
    h('button', { type: 'submit' }, 'Use'),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const aggregator = cleanAggregatorUrl(url.value);
    if (aggregator === undefined) {
      error.textContent = 'The aggregator URL must be an http:// or https:// URL.';
      return;
    }
    location.hash = linkTo({ aggregator, genesis: genesis.value.trim() }, state.page, state.argument, location);
  });
  return h(
    'details',
    { class: 'settings-panel', open: state.genesis === '' && state.page === 'overview' },
    h('summary', {}, `Settings: ${state.aggregator}`),
    form,
  );
}

async function render(): Promise<void> {
  const state = parseState(location);
  const count = (renderCount += 1);
  const page = PAGES[state.page];
  const link = (name: string, argument?: string) => linkTo(state, name, argument, location);
  const nav = h(
    'nav',
    { 'aria-label': 'pages', class: 'main-nav' },
    h(
      'ul',
      {},
      Object.entries(PAGES)
        .filter(([, p]) => p.nav === true)
        .map(([name, p]) => h('li', {}, h('a', { href: link(name), 'aria-current': name === state.page ? 'page' : undefined }, p.title))),
    ),
  );
  const main = h('main', { id: 'content', tabindex: -1, 'aria-busy': 'true' }, h('p', {}, 'Loading…'));
  app.replaceChildren(
    h('a', { class: 'skip', href: '#content', onclick: (e) => (e.preventDefault(), main.focus()) }, 'Skip to content'),
    h('header', {}, h('a', { class: 'brand', href: link('overview') }, 'Mithril explorer'), nav),
    settings(state),
    main,
  );
  document.title = `${page?.title ?? 'Not found'} · Mithril explorer`;
  let content: HTMLElement;
  try {
    if (page === undefined) throw new Error(`no page ${state.page}`);
    content = await page.render({ api: new AggregatorApi(state.aggregator), state, link });
  } catch (error) {
    content = h(
      'div',
      { class: 'error', role: 'alert' },
      h('h1', {}, 'Could not load this page'),
      h('p', {}, (error as Error).message),
      h('p', {}, `Aggregator: ${state.aggregator}. Is it reachable from this browser, and does it answer CORS?`),
    );
  }
  if (count !== renderCount) return; // a newer navigation replaced this one
  main.replaceChildren(content);
  main.setAttribute('aria-busy', 'false');
  // For the browser tests and anyone curious: when the page's data was on screen.
  document.body.dataset.renderedMs = performance.now().toFixed(1);
  document.body.dataset.page = state.page;
}

window.addEventListener('hashchange', () => void render());
void render();
