#!/usr/bin/env -S npx tsx
/** `mithril-signer-gateway`: start the signer gateway from configuration; stop cleanly on SIGINT/SIGTERM. */
import { runService } from '@mithril-ts/service-kit';
import { loadSignerGatewayConfig } from './config.js';
import { startSignerGateway } from './server.js';

await runService('mithril-signer-gateway', async () => {
  const server = await startSignerGateway(loadSignerGatewayConfig());
  return {
    close: async () => {
      await server.close();
      await server.shutdownTelemetry();
    },
  };
});
