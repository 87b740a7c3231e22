#!/usr/bin/env -S npx tsx
/** `mithril-certifier`: start the certifier from configuration; stop cleanly on SIGINT/SIGTERM. */
import { ConfigError } from '@mithril-ts/service-kit';
import { loadCertifierConfig } from './config.js';
import { startCertifier } from './server.js';

try {
  const server = await startCertifier(loadCertifierConfig());
  const stop = async () => {
    await server.close();
    await server.shutdownTelemetry();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (error) {
  if (error instanceof ConfigError && error.helpShown) process.exit(0);
  console.error(error instanceof ConfigError ? `mithril-certifier: ${error.message}` : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
