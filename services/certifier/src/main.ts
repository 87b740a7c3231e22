#!/usr/bin/env -S npx tsx
/** `mithril-certifier`: start the certifier from configuration; stop cleanly on SIGINT/SIGTERM. */
import { runService } from '@mithril-ts/service-kit';
import { loadCertifierConfig } from './config.js';
import { startCertifier } from './server.js';

await runService('mithril-certifier', async () => {
  const server = await startCertifier(loadCertifierConfig());
  return {
    close: async () => {
      await server.close();
      await server.shutdownTelemetry();
    },
  };
});
