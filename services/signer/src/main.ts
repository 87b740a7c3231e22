#!/usr/bin/env -S npx tsx
/** `mithril-signer`: start the signer daemon from configuration; stop cleanly on SIGINT/SIGTERM. */
import { ConfigError } from '@mithril-ts/service-kit';
import { loadSignerConfig } from './config.js';
import { startSigner } from './daemon.js';

try {
  const signer = await startSigner(loadSignerConfig());
  const stop = async () => {
    await signer.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (error) {
  if (error instanceof ConfigError && error.helpShown) process.exit(0);
  console.error(error instanceof ConfigError ? `mithril-signer: ${error.message}` : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
