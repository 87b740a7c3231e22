/**
 * The highest operational certificate issue number seen per pool: a registration with a lower one
 * replays a retired hot key. The statements are service-kit's, the ones the certifier's store runs
 * on its own table of the same shape (`raiseOpcertCounter`: one atomic check-and-raise).
 */
import { highestOpcertCounter, raiseOpcertCounter } from '@mithril-ts/service-kit';
import { bigintArg, textArg } from './columns.js';
import { PrismaRepository } from './repository.js';

export interface OpcertCounterRepository {
  highest(poolIdHex: string): Promise<bigint | undefined>;
  /** Every pool's counter (pool id hex → issue number): one read where registrations come by the thousand. */
  all(): Promise<Map<string, bigint>>;
  /** Records `issueNumber` for the pool unless a higher one is already recorded (never lowers it). */
  record(poolIdHex: string, issueNumber: bigint): Promise<void>;
}

export class PrismaOpcertCounterRepository extends PrismaRepository implements OpcertCounterRepository {
  highest(poolIdHex: string): Promise<bigint | undefined> {
    return this.run('get opcert counter', () => highestOpcertCounter(this.client, textArg(poolIdHex, 'pool id')));
  }

  all(): Promise<Map<string, bigint>> {
    return this.run('list opcert counters', async () => {
      // As text: the two driver adapters return a BIGINT of a raw query as different JavaScript types.
      const rows = await this.client.$queryRaw<{ pool_id: string; issue: string }[]>`SELECT pool_id, CAST(issue_number AS TEXT) AS issue FROM opcert_counter`;
      return new Map(rows.map((row) => [row.pool_id, BigInt(row.issue)]));
    });
  }

  record(poolIdHex: string, issueNumber: bigint): Promise<void> {
    return this.run('record opcert counter', async () => {
      await raiseOpcertCounter(this.client, textArg(poolIdHex, 'pool id'), bigintArg(issueNumber, 'issue number'));
    });
  }
}
