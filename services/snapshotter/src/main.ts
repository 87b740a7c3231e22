#!/usr/bin/env -S npx tsx
/** `mithril-snapshotter`: start the snapshotter from configuration; stop cleanly on SIGINT/SIGTERM. */
import { ConfigError } from '@mithril-ts/service-kit';
import { loadSnapshotterConfig } from './config.js';
import { startSnapshotter } from './server.js';

try {
  const running = await startSnapshotter(loadSnapshotterConfig());
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (error) {
  if (error instanceof ConfigError && error.helpShown) process.exit(0);
  console.error(error instanceof ConfigError ? `mithril-snapshotter: ${error.message}` : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
