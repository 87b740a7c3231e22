/** Debian's Chromium through playwright-core (the project cannot download a browser of its own), for the browser tests and bench:browser. */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.MITHRIL_CHROMIUM ?? '/usr/bin/chromium';
/** /work/shared/reference/toolchain.md: what Debian's chromium needs to run headless here (as root, no GPU, offline). */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set MITHRIL_CHROMIUM to another build)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
