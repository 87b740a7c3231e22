#!/usr/bin/env -S npx tsx
/** `mithril-aggregator`: start the aggregator from configuration; stop cleanly on SIGINT/SIGTERM. */
import { runService } from '@mithril-ts/service-kit';
import { loadAggregatorConfig } from './config.js';
import { startAggregator } from './server.js';

await runService('mithril-aggregator', async (exit) => {
  const aggregator = await startAggregator(loadAggregatorConfig());
  // A broken runtime (too many consecutive failures) ends the process so a supervisor restarts it.
  aggregator.runtime.on('state', (state) => {
    if (state.kind === 'broken') exit(1);
  });
  // A replica that lost the runtime lease is fenced for good (leadership/replica.ts): restarted, it follows afresh.
  aggregator.replica.on('role', (role) => {
    if (role === 'fenced') exit(1);
  });
  return aggregator;
});
