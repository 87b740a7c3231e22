/**
 * The bench's services as child processes, as they would run in a deployment (one process each,
 * sharing the machine's cores): `node --import tsx services/<name>/src/main.ts --config <file>`,
 * or the compiled build `node dist/<name>/main.mjs --config <file>` (`npm run build` first),
 * started directly with node (not through the tsx CLI, which would add a parent process) so that
 * the pid is the service's own and /proc/<pid>/status tells its memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';

export interface ServiceOptions {
  readonly name: string;
  /** Repository root (where node_modules and services/ are). */
  readonly repoRoot: string;
  /** e.g. services/aggregator/src/main.ts, relative to the repository root. */
  readonly entry: string;
  /** Run the compiled build instead (dist/<name>/main.mjs under the repository root, `npm run build`), without tsx. */
  readonly compiled?: boolean;
  /** Written to `<directory>/<name>.config.json` and passed with --config. */
  readonly config: Record<string, unknown>;
  readonly directory: string;
  readonly port: number;
  /** Write a V8 CPU profile of the whole run into this directory (node --cpu-prof). */
  readonly cpuProfileDirectory?: string;
  /** More node options (e.g. --max-old-space-size=256, --trace-gc). */
  readonly nodeOptions?: readonly string[];
  /** Added to the environment the service starts with (the images' process settings). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface MemoryReading {
  /** Resident set now, in bytes. */
  readonly rss: number;
  /** Peak resident set since the process started (VmHWM), in bytes. */
  readonly peak: number;
}

/** VmRSS and VmHWM of a live process; undefined once it is gone. */
export function readMemory(pid: number): MemoryReading | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match === null ? 0 : Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class ServiceProcess {
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const configFile = join(options.directory, `${options.name}.config.json`);
    await writeFile(
      configFile,
      JSON.stringify(options.config, (_, value) => (typeof value === 'bigint' ? Number(value) : value), 2),
    );
    const logFile = join(options.directory, `${options.name}.log`);
    const log = openSync(logFile, 'a');
    const nodeOptions = [
      ...(options.nodeOptions ?? []),
      ...(options.cpuProfileDirectory === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDirectory]),
    ];
    const entry =
      options.compiled === true ? [join(options.repoRoot, 'dist', options.name, 'main.mjs')] : ['--import', 'tsx', join(options.repoRoot, options.entry)];
    if (options.compiled === true && !existsSync(entry[0]!)) throw new Error(`${entry[0]} does not exist: run npm run build in ${options.repoRoot} first`);
    const child = spawn(process.execPath, [...nodeOptions, ...entry, '--config', configFile], {
      cwd: options.repoRoot,
      stdio: ['ignore', log, log],
      ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
    });
    closeSync(log);
    const service = new ServiceProcess(options.name, options.port, logFile, child);
    await service.#waitListening();
    return service;
  }

  async #waitListening(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await canConnect(this.port))) {
      if (this.#exit !== undefined)
        throw new Error(`${this.name} exited (${this.#exit.code ?? this.#exit.signal}) before listening; see ${this.logFile}:\n${this.logTail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not listen on ${this.port} within ${timeoutMs} ms; see ${this.logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  memory(): MemoryReading | undefined {
    return readMemory(this.pid);
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM (the services stop cleanly and, with --cpu-prof, write their profile), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.#exit !== undefined) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}

/**
 * Peak resident memory of each service, overall and per phase of the bench, sampled every
 * `intervalMs` (VmHWM gives the overall peak exactly; the samples say when it happened).
 */
export class MemorySampler {
  readonly #peaks = new Map<string, Map<string, number>>();
  #phase = 'start';
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly services: readonly ServiceProcess[],
    intervalMs = 200,
  ) {
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  set phase(name: string) {
    this.sample();
    this.#phase = name;
  }

  sample(): void {
    for (const service of this.services) {
      const reading = service.memory();
      if (reading === undefined) continue;
      const byPhase = this.#peaks.get(service.name) ?? new Map<string, number>();
      byPhase.set(this.#phase, Math.max(byPhase.get(this.#phase) ?? 0, reading.rss));
      this.#peaks.set(service.name, byPhase);
    }
  }

  /** Highest sampled RSS of `service` in each phase, in phase order. */
  peaks(service: string): ReadonlyMap<string, number> {
    return this.#peaks.get(service) ?? new Map();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.sample();
  }
}
