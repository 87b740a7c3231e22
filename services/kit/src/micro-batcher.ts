/**
 * Work that is much cheaper in bulk (a pairing product over many BLS checks instead of two
 * pairings each) arrives one request at a time. Items wait up to `windowMs`, or until `maxBatch`
 * are pending, and are processed together; batches run one after the other, and the event loop
 * gets a turn before each so requests keep flowing during a burst.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

export interface MicroBatcherOptions<T, R> {
  readonly windowMs: number;
  readonly maxBatch: number;
  /** One result per item, in order. */
  readonly process: (items: readonly T[]) => readonly R[] | Promise<readonly R[]>;
}

interface Pending<T, R> {
  readonly item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class MicroBatcher<T, R> {
  #pending: Pending<T, R>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(private readonly options: MicroBatcherOptions<T, R>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#pending.length >= this.options.maxBatch) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.options.windowMs);
    });
  }

  /** Processes whatever is pending now and waits for every batch started so far. */
  async drain(): Promise<void> {
    this.#flush();
    await this.#running;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#running = this.#running.then(() => this.#run(batch));
  }

  async #run(batch: readonly Pending<T, R>[]): Promise<void> {
    await yieldToEventLoop();
    try {
      const results = await this.options.process(batch.map(({ item }) => item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} gave ${results.length} results`);
      batch.forEach((pending, i) => pending.resolve(results[i]!));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
