/** The highest operational certificate issue number seen per pool: a registration with a lower one replays a retired hot key. */
import { bigintArg, textArg } from './columns.js';
import { isUniqueViolation } from './errors.js';
import { PrismaRepository } from './repository.js';

export interface OpcertCounterRepository {
  highest(poolIdHex: string): Promise<bigint | undefined>;
  /** Records `issueNumber` for the pool unless a higher one is already recorded (never lowers it). */
  record(poolIdHex: string, issueNumber: bigint): Promise<void>;
}

export class PrismaOpcertCounterRepository extends PrismaRepository implements OpcertCounterRepository {
  highest(poolIdHex: string): Promise<bigint | undefined> {
    return this.run('get opcert counter', async () => {
      const row = await this.client.opcertCounter.findUnique({ where: { poolId: textArg(poolIdHex, 'pool id') } });
      return row?.issueNumber;
    });
  }

  record(poolIdHex: string, issueNumber: bigint): Promise<void> {
    return this.run('record opcert counter', async () => {
      const poolId = textArg(poolIdHex, 'pool id');
      const issue = bigintArg(issueNumber, 'issue number');
      // Raise only: a conditional update cannot lower the counter, whatever the interleaving.
      const raise = () => this.client.opcertCounter.updateMany({ where: { poolId, issueNumber: { lt: issue } }, data: { issueNumber: issue } });
      if ((await raise()).count > 0) return;
      if ((await this.client.opcertCounter.findUnique({ where: { poolId } })) !== null) return;
      try {
        await this.client.opcertCounter.create({ data: { poolId, issueNumber: issue } });
      } catch (error) {
        // Two first records racing: the loser raises what the winner wrote.
        if (!isUniqueViolation(error)) throw error;
        await raise();
      }
    });
  }
}
