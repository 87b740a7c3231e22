/**
 * The process of a service's `main`: start it from its configuration, stop it cleanly on SIGINT
 * or SIGTERM (exit 0) or when it asks to (its exit code, e.g. a broken runtime that a supervisor
 * must restart). `--help` exits 0; a configuration error is printed with the program's name and
 * exits 2; any other start-up failure is printed and exits 1.
 */
import { ConfigError } from './config.js';

export interface RunningService {
  /** Stops taking work, finishes what is in progress, releases what the service holds. */
  close(): Promise<void>;
}

export async function runService(program: string, start: (exit: (code: number) => void) => Promise<RunningService>): Promise<void> {
  let running: RunningService | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (code: number) => {
    stopping ??= (async () => {
      await running?.close();
      process.exit(code);
    })();
    return stopping;
  };
  try {
    running = await start((code) => void stop(code));
    process.once('SIGINT', () => void stop(0));
    process.once('SIGTERM', () => void stop(0));
  } catch (error) {
    if (error instanceof ConfigError && error.helpShown) process.exit(0);
    console.error(error instanceof ConfigError ? `${program}: ${error.message}` : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}
