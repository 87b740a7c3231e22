#!/usr/bin/env -S npx tsx
/** `mithril-signer`: start the signer daemon from configuration; stop cleanly on SIGINT/SIGTERM. */
import { runService } from '@mithril-ts/service-kit';
import { loadSignerConfig } from './config.js';
import { startSigner } from './daemon.js';

await runService('mithril-signer', async () => {
  const signer = await startSigner(loadSignerConfig());
  return { close: () => signer.stop() };
});
