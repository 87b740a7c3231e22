/**
 * The simulated chain as the bench's services see it: only what they read, `tip.json` and the
 * stake snapshots (`cardano-cli` outputs, made by the devnet's own pure functions), in a
 * directory of the run. The driver moves the tip by hand, epoch by epoch, so chain time never
 * moves on its own while a round is measured.
 *
 * Why not the `Devnet` runner: each advance rewrites every node's immutable files and every pool's
 * kes-period-info (tens of thousands of files for 3000 pools), none of which this bench's
 * services read, and `Devnet.create` derives every pool's KES key again on each run.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PoolId } from '@mithril-ts/cardano';
import { positionAtSlot, stakeSnapshotJson, tipJson, writeFileAtomic, type ChainPosition, type DevnetParameters } from '../src/index.js';

export class BenchChain {
  #snapshotsUpTo = 0n;
  #position: ChainPosition | undefined;

  constructor(
    readonly directory: string,
    readonly parameters: DevnetParameters,
    private readonly poolIds: readonly PoolId[],
  ) {}

  get position(): ChainPosition | undefined {
    return this.#position;
  }

  /** Writes the stake snapshots up to `epoch`, then the tip at `slotInEpoch` of it (readers find a tip's snapshot). */
  async moveTo(epoch: bigint, slotInEpoch = 10n): Promise<ChainPosition> {
    await mkdir(this.directory, { recursive: true });
    const position = positionAtSlot(this.parameters, epoch * BigInt(this.parameters.slotsPerEpoch) + slotInEpoch);
    for (let e = this.#snapshotsUpTo; e <= epoch; e += 1n) {
      await writeFileAtomic(join(this.directory, `stake-snapshot-${e}.json`), stakeSnapshotJson(this.parameters, this.poolIds, e));
      this.#snapshotsUpTo = e + 1n;
    }
    // This chain writes no blocks: its tip hash only has to be 32 bytes that change with the slot.
    const tipHash = createHash('sha256').update(`bench tip ${this.parameters.seed} ${position.slot}`).digest();
    await writeFileAtomic(join(this.directory, 'tip.json'), tipJson(position, tipHash));
    this.#position = position;
    return position;
  }
}
