/**
 * Work that is much cheaper in bulk (a pairing product over many BLS checks instead of two
 * pairings each) arrives one request at a time. Items wait up to `windowMs`, or until `maxBatch`
 * are pending, and are processed together; batches run one after the other, and the event loop
 * gets a turn before each so requests keep flowing during a burst.
 *
 * The grouped form batches only items that share a group (e.g. single signatures of one signer set
 * and one message, which one pairing product can check together); the plain form is one group.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Histogram } from '@opentelemetry/api';

export interface GroupedMicroBatcherOptions<G, T, R> {
  readonly windowMs: number;
  /** Items pending (all groups together) that start a batch at once. */
  readonly maxBatch: number;
  /** One result per item, in order; a throw rejects every item of the group. */
  readonly process: (group: G, items: readonly T[]) => readonly R[] | Promise<readonly R[]>;
  /** Records the size of each group processed. */
  readonly groupSizes?: Histogram;
}

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

interface Group<G, T, R> {
  readonly group: G;
  readonly pending: Pending<T, R>[];
}

export class GroupedMicroBatcher<G, T, R> {
  #groups = new Map<string, Group<G, T, R>>();
  #waiting = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(private readonly options: GroupedMicroBatcherOptions<G, T, R>) {}

  /** `key` must name `group`: items are batched with those submitted under the same key (the first submitter's `group` is used). */
  submit(key: string, group: G, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let pending = this.#groups.get(key);
      if (pending === undefined) {
        pending = { group, pending: [] };
        this.#groups.set(key, pending);
      }
      pending.pending.push({ item, resolve, reject });
      this.#waiting += 1;
      if (this.#waiting >= this.options.maxBatch) this.#flush();
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
    if (this.#waiting === 0) return;
    const groups = [...this.#groups.values()];
    this.#groups = new Map();
    this.#waiting = 0;
    this.#running = this.#running.then(() => this.#run(groups));
  }

  async #run(groups: readonly Group<G, T, R>[]): Promise<void> {
    for (const { group, pending } of groups) {
      await yieldToEventLoop();
      try {
        const results = await this.options.process(
          group,
          pending.map(({ item }) => item),
        );
        if (results.length !== pending.length) throw new Error(`a batch of ${pending.length} gave ${results.length} results`);
        this.options.groupSizes?.record(pending.length);
        pending.forEach((p, i) => p.resolve(results[i]!));
      } catch (error) {
        for (const p of pending) p.reject(error);
      }
    }
  }
}

/** The grouped batcher with a single group. */
export class MicroBatcher<T, R> {
  readonly #batcher: GroupedMicroBatcher<undefined, T, R>;

  constructor(options: MicroBatcherOptions<T, R>) {
    this.#batcher = new GroupedMicroBatcher({ windowMs: options.windowMs, maxBatch: options.maxBatch, process: (_, items) => options.process(items) });
  }

  submit(item: T): Promise<R> {
    return this.#batcher.submit('', undefined, item);
  }

  drain(): Promise<void> {
    return this.#batcher.drain();
  }
}
