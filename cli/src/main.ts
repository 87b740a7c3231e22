#!/usr/bin/env -S npx tsx
/** `mithril-client`: the command line (see README.md). Ctrl-C stops cleanly, keeping partial downloads. */
import { CliError } from './errors.js';
import { runCli } from './cli.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () =>
    controller.abort(new CliError('interrupted', `interrupted by ${signal}: partial downloads are kept for the next run`, { reason: 'INTERRUPTED' })),
  );
}

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
