/**
 * The process of a service's `main`: start it from its configuration, stop it cleanly on SIGINT
 * or SIGTERM (exit 0) or when it asks to (its exit code, e.g. a broken runtime that a supervisor
 * must restart). `--help` exits 0; a configuration error is printed with the program's name and
 * exits 2; any other start-up failure is printed and exits 1.
 *
 * Stopping is bounded: a stop that has not finished after FORCED_EXIT_MS (a hung close, a client
 * holding a connection) is cut short with a line on standard error and exit code 1, so the process
 * is gone before a supervisor's kill (Kubernetes sends SIGKILL at the end of the pod's
 * terminationGracePeriodSeconds) and the log says why. A second signal while stopping exits at once.
 */
import { configureBls, type BlsBackendChoice, type BlsBackendName } from '@mithril-ts/stm/native';
import { ConfigError } from './config.js';

export interface RunningService {
  /** Stops taking work, finishes what is in progress, releases what the service holds. */
  close(): Promise<void>;
}

/** How long a stop may take before the process exits anyway (contract: gone within 10 s of SIGTERM). */
export const FORCED_EXIT_MS = 9_000;

export interface RunServiceOptions {
  /** Bound of a stop, in milliseconds (default FORCED_EXIT_MS; tests shorten it). */
  readonly forcedExitMs?: number;
  /**
   * BLS backend for point decoding and batch verification (libs/stm SECURITY.md): 'auto' (native
   * blst when it loads, else noble), 'blst' or 'noble'. Default: MITHRIL_BLS_BACKEND, else 'auto'.
   */
  readonly blsBackend?: string;
}

const BLS_BACKENDS: readonly BlsBackendChoice[] = ['auto', 'blst', 'noble'];

/** The BLS backend setting, checked (ConfigError otherwise) and applied; returns the backend in use. */
export async function applyBlsBackend(setting: string | undefined): Promise<BlsBackendName> {
  const choice = (setting ?? 'auto') as BlsBackendChoice;
  if (!BLS_BACKENDS.includes(choice)) throw new ConfigError(`MITHRIL_BLS_BACKEND: expected one of ${BLS_BACKENDS.join(', ')}, got ${JSON.stringify(setting)}`);
  try {
    return await configureBls(choice);
  } catch (cause) {
    throw new ConfigError(`MITHRIL_BLS_BACKEND=${choice}: ${(cause as Error).message}`);
  }
}

export async function runService(
  program: string,
  start: (exit: (code: number) => void) => Promise<RunningService>,
  options: RunServiceOptions = {},
): Promise<void> {
  const forcedExitMs = options.forcedExitMs ?? FORCED_EXIT_MS;
  let starting: Promise<RunningService | undefined> = Promise.resolve(undefined);
  let stopping: Promise<void> | undefined;
  const stop = (code: number, reason: string) => {
    stopping ??= (async () => {
      const forced = setTimeout(() => {
        console.error(`${program}: not stopped ${forcedExitMs} ms after ${reason}: forced exit`);
        process.exit(1);
      }, forcedExitMs);
      let exitCode = code;
      try {
        // A signal during start-up waits for the start to finish, then undoes it.
        await (await starting)?.close();
      } catch (error) {
        console.error(`${program}: stopping failed:`, error);
        if (exitCode === 0) exitCode = 1;
      }
      clearTimeout(forced);
      process.exit(exitCode);
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      console.error(`${program}: ${signal} while stopping: exiting now`);
      process.exit(1);
    }
    console.error(`${program}: ${signal}: stopping (in-flight work finishes, then the store is closed)`);
    void stop(0, signal);
  };
  // Installed before the start, so a signal arriving while the store migrates still stops cleanly.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Called inside an async function: a start that throws before returning its promise (a `() =>
  // startX(loadConfig())` whose configuration is refused) is handled like one that rejects.
  starting = (async () => {
    await applyBlsBackend(options.blsBackend ?? process.env.MITHRIL_BLS_BACKEND);
    return start((code) => void stop(code, `an exit with code ${code}`));
  })().catch((error: unknown) => {
    if (error instanceof ConfigError && error.helpShown) process.exit(0);
    console.error(error instanceof ConfigError ? `${program}: ${error.message}` : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
  await starting;
}
