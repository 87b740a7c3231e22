/**
 * A few worker threads doing the signers' own CPU work (key derivation, fresh Mithril keys, KES
 * signatures, lotteries) in parallel: 3000 signers would each do theirs on their own machine, so
 * the bench spreads it over every core while the services are idle, and keeps it out of the
 * service timings.
 */
import { Worker } from 'node:worker_threads';
import type { BenchTask, BenchTaskResult } from './bench-worker.js';

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

export class WorkerPool {
  readonly #workers: Worker[];
  readonly #idle: Worker[] = [];
  readonly #queue: { task: BenchTask; pending: Pending }[] = [];
  readonly #running = new Map<Worker, Pending>();
  #failure: Error | undefined;

  constructor(size: number) {
    // Worker threads do not inherit the tsx loader: the .mjs registers it, then loads the worker.
    this.#workers = Array.from({ length: Math.max(1, size) }, () => new Worker(new URL('./bench-worker.mjs', import.meta.url)));
    for (const worker of this.#workers) {
      worker.on('message', (message: { ok: true; result: unknown } | { ok: false; error: string }) => {
        const pending = this.#running.get(worker);
        this.#running.delete(worker);
        if (pending !== undefined) {
          if (message.ok) pending.resolve(message.result);
          else pending.reject(new Error(message.error));
        }
        this.#idle.push(worker);
        this.#dispatch();
      });
      worker.on('error', (error) => {
        this.#failure = error;
        this.#running.get(worker)?.reject(error);
        this.#running.delete(worker);
      });
      this.#idle.push(worker);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  run<T extends BenchTask>(task: T): Promise<BenchTaskResult<T>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, pending: { resolve: resolve as (value: unknown) => void, reject } });
      this.#dispatch();
    });
  }

  /** Runs `makeTask` over `items` in chunks (spread over the workers as they free up), results in item order. */
  async map<I, T extends BenchTask>(
    items: readonly I[],
    chunkSize: number,
    makeTask: (chunk: I[]) => T,
  ): Promise<BenchTaskResult<T> extends readonly (infer R)[] ? R[] : never> {
    const chunks: I[][] = [];
    for (let start = 0; start < items.length; start += chunkSize) chunks.push(items.slice(start, start + chunkSize));
    const results = await Promise.all(chunks.map((chunk) => this.run(makeTask(chunk))));
    return (results as unknown[][]).flat() as never;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop()!;
      const { task, pending } = this.#queue.shift()!;
      this.#running.set(worker, pending);
      worker.postMessage(task);
    }
  }
}
