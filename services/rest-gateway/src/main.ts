#!/usr/bin/env -S npx tsx
/** `mithril-rest-gateway`: start the REST gateway from configuration; stop cleanly on SIGINT/SIGTERM. */
import { ConfigError } from '@mithril-ts/service-kit';
import { loadRestGatewayConfig } from './config.js';
import { startRestGateway } from './server.js';

try {
  const gateway = await startRestGateway(loadRestGatewayConfig());
  const stop = async () => {
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (error) {
  if (error instanceof ConfigError && error.helpShown) process.exit(0);
  console.error(error instanceof ConfigError ? `mithril-rest-gateway: ${error.message}` : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
