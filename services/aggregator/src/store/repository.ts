/**
 * What the repositories of one store share: its Prisma client and whether the store is closed.
 * A closed store refuses every call, and every failure leaves a repository as an
 * AggregatorStoreError (a database error becomes 'DATABASE', with what was being done).
 */
import { AggregatorStoreError, aggregatorStoreErrors } from './errors.js';
import type { PrismaClient } from './generated/sqlite/client.js';

/** Told of each store operation once it ends: its name (the repositories' fixed `what`), its duration, whether it failed. */
export type StoreOperationListener = (operation: string, seconds: number, failed: boolean) => void;

export class StoreSession {
  #closed = false;
  /** Metrics of the store's latency (server.ts); none by default. */
  onOperation: StoreOperationListener | undefined;

  /**
   * @param client a client generated from src/store/prisma/schema.prisma (the PostgreSQL client
   *   has the same model API and is passed here typed as the SQLite one).
   */
  constructor(readonly client: PrismaClient) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Refuses every later call; true the first time only. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    return true;
  }

  async run<T>(what: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new AggregatorStoreError('CLOSED', `${what}: the store is closed`);
    const started = this.onOperation === undefined ? 0 : performance.now();
    let failed = false;
    try {
      return await body();
    } catch (error) {
      failed = true;
      throw aggregatorStoreErrors.wrap(error, what);
    } finally {
      this.onOperation?.(what, (performance.now() - started) / 1000, failed);
    }
  }
}

/** The base of the Prisma repositories: `run` each call through the session, query `client`. */
export abstract class PrismaRepository {
  constructor(private readonly session: StoreSession) {}

  protected get client(): PrismaClient {
    return this.session.client;
  }

  protected run<T>(what: string, body: () => Promise<T>): Promise<T> {
    return this.session.run(what, body);
  }
}
