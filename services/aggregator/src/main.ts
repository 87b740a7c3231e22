#!/usr/bin/env -S npx tsx
/** `mithril-aggregator`: start the aggregator from configuration; stop cleanly on SIGINT/SIGTERM. */
import { ConfigError } from '@mithril-ts/service-kit';
import { loadAggregatorConfig } from './config.js';
import { startAggregator } from './server.js';

try {
  const aggregator = await startAggregator(loadAggregatorConfig());
  const stop = async (code: number) => {
    await aggregator.close();
    process.exit(code);
  };
  // A broken runtime (too many consecutive failures) ends the process so a supervisor restarts it.
  aggregator.runtime.on('state', (state) => {
    if (state.kind === 'broken') void stop(1);
  });
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
} catch (error) {
  if (error instanceof ConfigError && error.helpShown) process.exit(0);
  console.error(error instanceof ConfigError ? `mithril-aggregator: ${error.message}` : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
