#!/usr/bin/env -S npx tsx
/** `mithril-rest-gateway`: start the REST gateway from configuration; stop cleanly on SIGINT/SIGTERM. */
import { runService } from '@mithril-ts/service-kit';
import { loadRestGatewayConfig } from './config.js';
import { startRestGateway } from './server.js';

await runService('mithril-rest-gateway', () => startRestGateway(loadRestGatewayConfig()));
