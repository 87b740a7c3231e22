#!/usr/bin/env -S npx tsx
/** `mithril-signer-gateway`: start the signer gateway from configuration; stop cleanly on SIGINT/SIGTERM. */
import { ConfigError } from '@mithril-ts/service-kit';
import { loadSignerGatewayConfig } from './config.js';
import { startSignerGateway } from './server.js';

try {
  const server = await startSignerGateway(loadSignerGatewayConfig());
  const stop = async () => {
    await server.close();
    await server.shutdownTelemetry();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (error) {
  if (error instanceof ConfigError && error.helpShown) process.exit(0);
  console.error(error instanceof ConfigError ? `mithril-signer-gateway: ${error.message}` : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
