#!/usr/bin/env -S npx tsx
/** `mithril-client`: the command line (see README.md). Ctrl-C stops cleanly, keeping partial downloads. */
import { CliError } from './errors.js';
import { runCli } from './cli.js';

// grpc-js gives the target's IP as the TLS server name when dialling grpcs://127.0.0.1:… (the
// devnet's endpoints); node ignores it with a deprecation warning (DEP0123) and still checks the
// certificate against the IP. Nothing a user of the client can act on, so it is not printed.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (rest.some((arg) => arg === 'DEP0123' || (typeof arg === 'object' && arg !== null && (arg as { code?: unknown }).code === 'DEP0123'))) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

// `mithril-client … | head` closes stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () =>
    controller.abort(new CliError('interrupted', `interrupted by ${signal}: partial downloads are kept for the next run`, { reason: 'INTERRUPTED' })),
  );
}

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
