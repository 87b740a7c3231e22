#!/usr/bin/env -S npx tsx
/** `mithril-devnet-chain`: the simulated Cardano chain alone, for a cluster's shared volume; stops cleanly on SIGINT/SIGTERM. */
import { runService } from '@mithril-ts/service-kit';
import { loadDevnetChainConfig } from './config.js';
import { startDevnetChain } from './chain.js';

await runService('mithril-devnet-chain', () => startDevnetChain(loadDevnetChainConfig()));
