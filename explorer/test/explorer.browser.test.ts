/**
 * The explorer in headless Chromium (Debian's, through playwright-core) against a live devnet
 * whose REST gateway serves the built explorer (`npm run test:explorer` builds it first): every
 * page loads with data, the badge turns green for a real certificate and red for certificates
 * forged by a proxy in front of the gateway, the page fits 360 px and works from the keyboard.
 * Screenshots and the measured times go to test-artifacts/explorer/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
// The launcher is not part of the devnet package's entry point (it pulls in every service).
import { MithrilNetwork } from '../../devnet/src/launcher/network.js';
import { launchChromium } from './chromium.js';
import { startTamperProxy, type TamperProxy } from './tamper-proxy.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/explorer', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.html', import.meta.url));

let root = '';
const progress: string[] = [];
let network: MithrilNetwork;
let proxy: TamperProxy;
let browser: Browser;
let restPort = 0;
let genesis = '';
const timings: Record<string, number> = {};

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('the explorer is not built: npm run build -w explorer (npm run test:explorer does it)');
  mkdirSync(ARTIFACTS, { recursive: true });
  root = mkdtempSync(join(tmpdir(), 'explorer-browser-'));
  network = await MithrilNetwork.start({
    root,
    devnet: { pools: 5, slotLengthMs: 100, slotsPerEpoch: 150, immutableFileEverySlots: 20 },
    protocolParameters: [{ fromEpoch: 0n, k: 12n, m: 50n, phiF: 0.65 }],
    signerRunIntervalMs: 100,
    aggregatorRunIntervalMs: 100,
    insecure: true,
    logLevel: 'warn',
    onEvent: (event) => {
      if (event.type === 'started') restPort = event.restPort;
      // What the devnet did, for the error message if it makes nothing in time.
      if (event.type === 'epoch') progress.push(`epoch ${event.epoch}: ${event.currentSigners} signers`);
      if (event.type === 'aggregator-state' && !/^(ready|signing)/.test(event.description)) progress.push(`aggregator ${event.description}`);
      if (event.type === 'certificate') progress.push(`certificate ${event.certificate.signedEntityType.kind} epoch ${event.certificate.epoch}`);
    },
  });
  genesis = readFileSync(join(root, 'genesis', 'genesis.vkey'), 'utf8').trim();
  proxy = await startTamperProxy(restPort);
  browser = await launchChromium();
  // The pages need a certificate, a snapshot and a stake distribution: wait for both kinds.
  const deadline = Date.now() + 240_000;
  for (;;) {
    const [snapshots, distributions] = await Promise.all(['artifact/cardano-database', 'artifact/mithril-stake-distributions'].map((path) => get(path)));
    if ((snapshots as unknown[]).length > 0 && (distributions as unknown[]).length > 0) break;
    if (Date.now() > deadline) throw new Error(`the devnet made no snapshot and stake distribution within 240 s: ${progress.slice(-15).join('; ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 330_000);

afterAll(async () => {
  writeFileSync(join(ARTIFACTS, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  console.log(`explorer timings (ms, this machine, under whatever load it has): ${JSON.stringify(timings)}`);
  await browser?.close();
  await proxy?.close();
  await network?.stop();
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

async function get(path: string): Promise<unknown> {
  const answer = await fetch(`http://127.0.0.1:${restPort}/aggregator/${path}`);
  return answer.json();
}

/** The newest certificate that is not a genesis one (a loaded machine can miss an epoch, and the aggregator then starts a new chain). */
async function latestStandardCertificate(): Promise<string> {
  const certificates = (await get('certificates')) as { hash: string; previous_hash: string }[];
  const standard = certificates.find((certificate) => certificate.previous_hash !== '');
  if (standard === undefined) throw new Error('no standard certificate yet');
  return standard.hash;
}

const explorerUrl = (port: number, route: string) => `http://127.0.0.1:${port}/explorer/#/${route}${route.includes('?') ? '&' : '?'}genesis=${genesis}`;

/** Opens `route` in a fresh context (cold cache) and returns the page once its data is on screen, with the time that took. */
async function open(route: string, options: { port?: number; width?: number } = {}): Promise<{ page: Page; ms: number }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1100, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(explorerUrl(options.port ?? restPort, route));
  await page.locator('body[data-rendered-ms]').waitFor({ timeout: 20_000 });
  expect(errors).toEqual([]);
  // performance.now() counts from the navigation's start: the time until the page's data was on screen.
  const ms = Number(await page.locator('body').getAttribute('data-rendered-ms'));
  return { page, ms };
}

async function badgeOf(page: Page): Promise<{ state: string | null; code: string | null; ms: string | null; text: string }> {
  const badge = page.locator('.badge');
  await page.locator('.badge:not([data-state="running"])').waitFor({ timeout: 60_000 });
  return {
    state: await badge.getAttribute('data-state'),
    code: await badge.getAttribute('data-code'),
    ms: await badge.getAttribute('data-ms'),
    text: await badge.innerText(),
  };
}

describe('the explorer on a live devnet, in Chromium', () => {
  it('loads every page with data', async () => {
    const overview = await open('');
    timings.overviewLoadMs = overview.ms;
    await expect(overview.page.locator('figure.chart svg').count()).resolves.toBeGreaterThanOrEqual(3);
    await overview.page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
    await overview.page.context().close();
    for (const [route, name] of [
      ['certificates', 'certificates'],
      ['snapshots', 'snapshots'],
      ['stake-distributions', 'stake-distributions'],
      ['signers/latest', 'signers'],
    ] as const) {
      const { page, ms } = await open(route);
      timings[`${name}LoadMs`] = ms;
      await expect(page.locator('main tbody tr').count()).resolves.toBeGreaterThan(0);
      await expect(page.locator('main h1').innerText()).resolves.not.toMatch(/Could not load/);
      await page.context().close();
    }
    const snapshots = (await get('artifact/cardano-database')) as { hash: string }[];
    const snapshot = await open(`snapshot/${snapshots[0]!.hash}`);
    await expect(snapshot.page.locator('main dl').innerText()).resolves.toContain(snapshots[0]!.hash);
    await snapshot.page.context().close();
    const distributions = (await get('artifact/mithril-stake-distributions')) as { hash: string }[];
    const distribution = await open(`stake-distribution/${distributions[0]!.hash}`);
    await expect(distribution.page.locator('main tbody tr').count()).resolves.toBeGreaterThan(0);
    await distribution.page.screenshot({ path: join(ARTIFACTS, 'stake-distribution.png'), fullPage: true });
    await distribution.page.context().close();
  }, 180_000);

  it('turns the badge green for a real certificate, verified back to genesis in the browser', async () => {
    const latest = await latestStandardCertificate();
    const { page, ms } = await open(`certificate/${latest}`);
    timings.certificateLoadMs = ms;
    const badge = await badgeOf(page);
    expect(badge).toMatchObject({ state: 'verified', code: null });
    expect(badge.text).toMatch(/back to genesis/);
    timings.verificationMs = Number(badge.ms);
    await expect(page.locator('ol.chain li').count()).resolves.toBeGreaterThan(1);
    await page.screenshot({ path: join(ARTIFACTS, 'certificate-verified.png'), fullPage: true });
    await page.context().close();
  }, 120_000);

  it('turns it red for a certificate forged by a proxy (multi-signature) and for one whose content was changed (hash)', async () => {
    const latest = await latestStandardCertificate();
    const forgedHash = proxy.forge(await (await fetch(`http://127.0.0.1:${restPort}/aggregator/certificate/${latest}`)).text());
    const forged = await open(`certificate/${forgedHash}`, { port: proxy.port });
    expect(await badgeOf(forged.page)).toMatchObject({ state: 'failed', code: 'CERTIFICATE_MULTI_SIGNATURE_INVALID' });
    await forged.page.screenshot({ path: join(ARTIFACTS, 'certificate-forged.png'), fullPage: true });
    await forged.page.context().close();

    proxy.corrupt(latest);
    const corrupted = await open(`certificate/${latest}`, { port: proxy.port });
    expect(await badgeOf(corrupted.page)).toMatchObject({ state: 'failed', code: 'CERTIFICATE_HASH_MISMATCH' });
    await corrupted.page.context().close();
  }, 180_000);

  it('fits a 360 px wide screen and works from the keyboard', async () => {
    const { page } = await open(`certificate/${await latestStandardCertificate()}`, { width: 360 });
    await badgeOf(page);
    // No horizontal scrolling of the page itself (wide tables scroll in their own region).
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'certificate-360px.png'), fullPage: true });

    // Keyboard: the first Tab reaches the skip link, then the navigation; Enter follows a link.
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to content');
    let label = '';
    for (let i = 0; i < 8 && label !== 'Snapshots'; i += 1) {
      await page.keyboard.press('Tab');
      label = String(await page.evaluate('document.activeElement.textContent'));
    }
    expect(label).toBe('Snapshots');
    await page.keyboard.press('Enter');
    await page.locator('body[data-page="snapshots"]').waitFor({ timeout: 20_000 });
    await expect(page.evaluate('location.hash')).resolves.toMatch(/^#\/snapshots\?/);
    await page.context().close();
  }, 120_000);
});
