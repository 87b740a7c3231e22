/**
 * Batched verification of single signatures. One BLS check costs two pairings (~60 ms with
 * @noble/curves) and a round brings its signatures in a burst, so signatures wait a few
 * milliseconds (or until enough are pending), are grouped by epoch view and signed message, and
 * each group is checked with one pairing product (`Clerk.verifySingleSignatures`; a failing
 * batch is bisected so every bad signature is named). Batches run one after the other, and the
 * event loop gets a turn between groups so requests keep flowing while a burst is verified.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Histogram } from '@opentelemetry/api';
import type { Clerk, SingleSignature, StmError } from '@mithril-ts/stm';

export interface VerificationBatcherOptions {
  readonly windowMs: number;
  readonly maxBatch: number;
  /** Records the size of each verified group. */
  readonly groupSizes?: Histogram;
}

interface Pending {
  readonly signature: SingleSignature;
  resolve(result: StmError | undefined): void;
  reject(error: unknown): void;
}

interface Group {
  readonly clerk: Clerk;
  readonly message: Uint8Array;
  readonly pending: Pending[];
}

export class VerificationBatcher {
  private groups = new Map<string, Group>();
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: VerificationBatcherOptions) {}

  /**
   * Resolves with undefined when `signature` verifies under `clerk` for `message`, else with the
   * reason. `groupKey` must name the clerk and message: only signatures sharing it are batched.
   */
  verify(groupKey: string, clerk: Clerk, message: Uint8Array, signature: SingleSignature): Promise<StmError | undefined> {
    return new Promise((resolve, reject) => {
      let group = this.groups.get(groupKey);
      if (group === undefined) {
        group = { clerk, message, pending: [] };
        this.groups.set(groupKey, group);
      }
      group.pending.push({ signature, resolve, reject });
      this.waiting += 1;
      if (this.waiting >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  /** Verifies whatever is pending now, and waits for every batch started so far. */
  async drain(): Promise<void> {
    this.flush();
    await this.running;
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting === 0) return;
    const groups = [...this.groups.values()];
    this.groups = new Map();
    this.waiting = 0;
    this.running = this.running.then(() => this.run(groups));
  }

  private async run(groups: readonly Group[]): Promise<void> {
    for (const group of groups) {
      await yieldToEventLoop();
      try {
        const results = group.clerk.verifySingleSignatures(
          group.pending.map(({ signature }) => signature),
          group.message,
        );
        this.options.groupSizes?.record(group.pending.length);
        group.pending.forEach((pending, i) => pending.resolve(results[i]));
      } catch (error) {
        for (const pending of group.pending) pending.reject(error);
      }
    }
  }
}
