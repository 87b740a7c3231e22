/**
 * The runtime lease: at most one aggregator process runs the epoch runtime on a store.
 *
 * PostgreSQL (several replicas): a session-level advisory lock taken with `pg_try_advisory_lock`
 * on a connection of its own, held for as long as that session lives. Why it is safe:
 * - PostgreSQL grants a session-level advisory lock to one session at a time and frees it only
 *   when that session unlocks it or ends. The holder never unlocks it while it runs the runtime:
 *   releasing happens after the runtime has stopped (close, or fencing).
 * - A holder killed with SIGKILL (or crashing) loses the lock at once: the kernel closes its
 *   socket, the backend reads end-of-file and ends the session. Followers try every
 *   `leaseRetryIntervalMs`, so one takes over within that interval plus its runtime's start.
 * - A holder cut off from the database (partition, frozen node) does not see the socket close. The
 *   session asks the server for TCP keepalives (`tcp_keepalives_idle` 5 s, `_interval` 2 s,
 *   `_count` 3): the server ends the session ~11 s after the last packet, and only then may a
 *   follower take the lock. The holder checks every `leaseCheckIntervalMs` that its session
 *   still holds the lock, each check bounded by the same interval: after a partition it fences
 *   itself (stops its runtime) within two intervals (4 s with the defaults), before the server can
 *   free the lock. That margin assumes the check interval stays well under ~5 s (the setting is
 *   capped at 4 s) and that the holder's event loop is not frozen for longer than the margin; a
 *   process paused for longer (SIGSTOP, a VM frozen for seconds) may still finish a step it had
 *   begun after a follower took over. That window is what the store's own guards close (see
 *   store/migrations/*\/0005 and certificates.ts): a message is sealed in one transaction that
 *   flips it from open to certified, and at most one standard certificate may exist per signed
 *   entity, so two leaders can race but never seal the same message twice.
 *
 * SQLite (one replica only): an exclusive lock on a small database file next to the store
 * (`<store>.lease`), held by an open `BEGIN EXCLUSIVE` for the process life. The operating system
 * releases it when the process dies; a second process (or a second aggregator in the same
 * process) is refused at start-up with a message naming the file. SQLite has no notion of a
 * server that could arbitrate between hosts, and its file locks do not hold over network
 * filesystems: the manifests run exactly one SQLite replica.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from '@mithril-ts/service-kit';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { AggregatorError } from '../runtime/errors.js';

export interface LeaseEvents {
  /** The held lease is gone (the holder must stop its runtime at once). */
  lost: [Error];
}

export interface Lease extends EventEmitter<LeaseEvents> {
  /** What holds it, for logs. */
  readonly kind: 'postgresql-advisory-lock' | 'sqlite-exclusive-lock' | 'none';
  /** One attempt; true when this process now holds the lease. Never rejects (a failure is false, logged). */
  tryAcquire(): Promise<boolean>;
  /** Gives the lease up (after the runtime has stopped); the lease can be tried again afterwards. */
  release(): Promise<void>;
}

/**
 * The advisory lock's key: the first 8 bytes of SHA-256 of a fixed name, so that it does not
 * collide with locks other software might take in the same database. Advisory locks are scoped
 * to a database: one database holds one aggregator chain.
 */
export const RUNTIME_LOCK_KEY = createHash('sha256').update('mithril-aggregator/epoch-runtime').digest().readBigInt64BE(0);

/** The check of a held lock never waits longer than this (see the partition argument above). */
export const MAX_LEASE_CHECK_INTERVAL_MS = 4000;

export interface PostgresLeaseOptions {
  readonly connectionString: string;
  /** How often the holder checks that its session still holds the lock; also the bound of each check. */
  readonly checkIntervalMs: number;
  readonly logger: Logger;
  /** The lock key (the runtime's by default; tests use their own). */
  readonly key?: bigint;
}

export class PostgresAdvisoryLease extends EventEmitter<LeaseEvents> implements Lease {
  readonly kind = 'postgresql-advisory-lock';
  #client: pg.Client | undefined;
  #held = false;
  #check: NodeJS.Timeout | undefined;
  readonly #key: bigint;

  constructor(private readonly options: PostgresLeaseOptions) {
    super();
    this.#key = options.key ?? RUNTIME_LOCK_KEY;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.#held) return true;
    try {
      const client = this.#client ?? (await this.#connect());
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.#key.toString()]);
      if (result.rows[0]?.locked !== true) return false;
      this.#held = true;
      this.#scheduleCheck();
      return true;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'lease: could not try the PostgreSQL advisory lock');
      await this.#drop();
      return false;
    }
  }

  async #connect(): Promise<pg.Client> {
    const { default: pgModule } = await import('pg');
    const bound = Math.min(this.options.checkIntervalMs, MAX_LEASE_CHECK_INTERVAL_MS);
    const client = new pgModule.Client({
      connectionString: this.options.connectionString,
      application_name: 'mithril-aggregator-lease',
      // The client side of the partition argument: our checks never hang longer than an interval.
      query_timeout: bound,
      connectionTimeoutMillis: Math.max(bound, 2000),
      keepAlive: true,
      keepAliveInitialDelayMillis: 2000,
    });
    // A connection that breaks while the lock is held is a lost lease; before, it is just dropped.
    client.on('error', (error) => this.#lose(error));
    client.on('end', () => this.#lose(new Error('the lease connection ended')));
    this.#client = client;
    await client.connect();
    // The server side: a session whose peer vanished is ended after ~11 s of silence, freeing the lock.
    await client.query('SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3');
    return client;
  }

  #scheduleCheck(): void {
    this.#check = setTimeout(() => void this.#verify(), this.options.checkIntervalMs);
  }

  /** Asks PostgreSQL whether this very session still holds the lock (not only whether the connection answers). */
  async #verify(): Promise<void> {
    const client = this.#client;
    if (!this.#held || client === undefined) return;
    try {
      const result = await client.query<{ held: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
           AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1::bigint) AS held`,
        [this.#key.toString()],
      );
      if (result.rows[0]?.held !== true) throw new Error('the session no longer holds the advisory lock');
      if (this.#held) this.#scheduleCheck();
    } catch (error) {
      this.#lose(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #lose(error: Error): void {
    const wasHeld = this.#held;
    this.#held = false;
    clearTimeout(this.#check);
    void this.#drop();
    if (wasHeld) this.emit('lost', error);
  }

  async #drop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    client.removeAllListeners('end');
    client.removeAllListeners('error');
    client.on('error', () => {});
    await client.end().catch(() => {});
  }

  async release(): Promise<void> {
    this.#held = false;
    clearTimeout(this.#check);
    // Ending the session frees the lock; no explicit unlock needed (nor possible on a broken connection).
    await this.#drop();
  }
}

export class SqliteExclusiveLease extends EventEmitter<LeaseEvents> implements Lease {
  readonly kind = 'sqlite-exclusive-lock';
  #database: BetterSqlite3.Database | undefined;

  /** `path` is the lock file (the store's path + `.lease`). */
  constructor(readonly path: string) {
    super();
  }

  async tryAcquire(): Promise<boolean> {
    if (this.#database !== undefined) return true;
    const { default: Database } = await import('better-sqlite3');
    const database = new Database(this.path, { timeout: 0 });
    try {
      database.pragma('locking_mode = EXCLUSIVE');
      database.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      database.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    }
    this.#database = database;
    return true;
  }

  async release(): Promise<void> {
    const database = this.#database;
    this.#database = undefined;
    if (database === undefined) return;
    database.exec('ROLLBACK');
    database.close();
  }
}

/** `leaderElection: none`: the operator guarantees a single replica; nothing is checked. */
export class NoLease extends EventEmitter<LeaseEvents> implements Lease {
  readonly kind = 'none';
  async tryAcquire(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {}
}

/** The start-up refusal of a second SQLite aggregator. */
export function sqliteLeaseRefused(path: string): AggregatorError {
  return new AggregatorError(
    'NOT_LEADER',
    `another aggregator process holds ${path}: with SQLite only one aggregator may run on a store (run one replica, or use PostgreSQL for several)`,
  );
}
