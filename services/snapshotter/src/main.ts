#!/usr/bin/env -S npx tsx
/** `mithril-snapshotter`: start the snapshotter from configuration; stop cleanly on SIGINT/SIGTERM. */
import { runService } from '@mithril-ts/service-kit';
import { loadSnapshotterConfig } from './config.js';
import { startSnapshotter } from './server.js';

await runService('mithril-snapshotter', () => startSnapshotter(loadSnapshotterConfig()));
