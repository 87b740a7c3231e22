/**
 * The highest operational certificate issue number seen per pool, as the aggregator's and the
 * certifier's stores both keep it: a table `opcert_counter` (`pool_id` TEXT primary key,
 * `issue_number` BIGINT) created by each store's own migrations, read and raised by these
 * statements on the store's generated Prisma client (either dialect: the tagged template lets the
 * driver adapter write its own placeholders). Each store checks its arguments and reports failures
 * as its own error class.
 */

/** What the statements need from a generated Prisma client. */
export interface RawQueryClient {
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

// The counter is read back as text: the two driver adapters return a BIGINT column of a raw query
// as different JavaScript types, text is exact in both.
interface IssueRow {
  readonly issue: string;
}

export async function highestOpcertCounter(client: RawQueryClient, poolIdHex: string): Promise<bigint | undefined> {
  const rows = await client.$queryRaw<IssueRow[]>`SELECT CAST(issue_number AS TEXT) AS issue FROM opcert_counter WHERE pool_id = ${poolIdHex}`;
  return rows[0] === undefined ? undefined : BigInt(rows[0].issue);
}

/**
 * Records `issueNumber` as the pool's counter unless a higher one is recorded, and returns the
 * pool's counter after the call: `issueNumber` when it was accepted (new, equal or higher), the
 * higher number that refused it otherwise.
 *
 * Why one statement: the check and the raise must be one atomic step for every process sharing
 * the database (certifier replicas), or two of them could each read the old counter and both
 * accept. `INSERT … ON CONFLICT DO UPDATE … WHERE` is that step in both dialects: SQLite runs a
 * statement under the database's write lock; PostgreSQL either inserts or locks the conflicting
 * row and evaluates the WHERE against its latest committed version (a concurrent raise of the
 * same pool waits for the lock), so no interleaving lets a lower number in once a higher one is
 * committed. `>=` lets the common case (the same certificate again, next epoch) answer in this
 * one statement.
 */
export async function raiseOpcertCounter(client: RawQueryClient, poolIdHex: string, issueNumber: bigint): Promise<bigint> {
  const raised = await client.$queryRaw<IssueRow[]>`INSERT INTO opcert_counter (pool_id, issue_number) VALUES (${poolIdHex}, ${issueNumber})
    ON CONFLICT (pool_id) DO UPDATE SET issue_number = excluded.issue_number
    WHERE excluded.issue_number >= opcert_counter.issue_number
    RETURNING CAST(issue_number AS TEXT) AS issue`;
  if (raised.length > 0) return issueNumber;
  // Refused: a higher number is recorded. Counters never go down, so what is read now is higher still.
  const highest = await highestOpcertCounter(client, poolIdHex);
  if (highest === undefined || highest <= issueNumber) {
    throw new Error(`opcert counter of ${poolIdHex}: the raise to ${issueNumber} was refused but the recorded counter is ${String(highest)}`);
  }
  return highest;
}
