#!/usr/bin/env node
// `mithril-client` as installed by npm (`npx mithril-client`): the compiled client, so that a
// command starts in a fraction of a second instead of compiling TypeScript first. `npm ci` and
// `npm install` build it (the root's postinstall runs `npm run build:client`); after changing
// cli/ or libs/, run `npm run build:client` again, or run the sources with `npx tsx cli/src/main.ts`.
import { existsSync } from 'node:fs';

const bundle = new URL('../../dist/client/main.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('mithril-client is not built yet: run `npm run build:client` at the repository root (npm ci does it)\n');
  process.exit(70);
}
await import(bundle.href);
