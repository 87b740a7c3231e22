/**
 * A chain observer reading what `cardano-cli` writes with `--out-file` into one directory:
 *   tip.json                       `cardano-cli query tip`
 *   stake-snapshot-<epoch>.json    `cardano-cli query stake-snapshot --all-stake-pools`, taken
 *                                  during <epoch> (its "mark" stake is that epoch's distribution)
 * The devnet writes the same files; on a real node a cron job or sidecar refreshes them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJson } from '@mithril-ts/codec';
import type { ChainObserver } from '../ports.js';

const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class ChainObserverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainObserverError';
  }
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ChainObserverError(`${what}: expected an object`);
  return value as Record<string, unknown>;
}

function natural(value: unknown, what: string): bigint {
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < 0n) throw new ChainObserverError(`${what}: expected a non-negative integer`);
  return n;
}

/** The tip as `cardano-cli query tip` prints it. */
export function parseTip(json: unknown): { epoch: bigint; slot: bigint; syncProgress: number | undefined } {
  const tip = object(json, 'tip');
  const progress = typeof tip.syncProgress === 'string' ? Number.parseFloat(tip.syncProgress) : undefined;
  return { epoch: natural(tip.epoch, 'tip.epoch'), slot: natural(tip.slot, 'tip.slot'), syncProgress: Number.isFinite(progress) ? progress : undefined };
}

/** Pool id hex → "mark" stake, from `cardano-cli query stake-snapshot --all-stake-pools`. */
export function parseStakeSnapshot(json: unknown): Map<string, bigint> {
  const pools = object(object(json, 'stake snapshot').pools, 'stake snapshot.pools');
  const distribution = new Map<string, bigint>();
  for (const [poolId, entry] of Object.entries(pools)) {
    if (!/^[0-9a-f]{56}$/.test(poolId)) throw new ChainObserverError(`stake snapshot: ${poolId.slice(0, 64)} is not a pool id in hex`);
    distribution.set(poolId, natural(object(entry, `stake snapshot.pools.${poolId}`).stakeMark, `stake snapshot.pools.${poolId}.stakeMark`));
  }
  return distribution;
}

async function readJson(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ChainObserverError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (text.length > MAX_FILE_BYTES) throw new ChainObserverError(`${path} is too large`);
  try {
    return parseJson(text);
  } catch (error) {
    throw new ChainObserverError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

export class CardanoCliFilesChainObserver implements ChainObserver {
  private tip: { slot: bigint; readAt: number } | undefined;
  private readonly snapshots = new Map<bigint, ReadonlyMap<string, bigint>>();

  constructor(
    private readonly directory: string,
    /** How long a read tip is reused: certifications come in bursts, the tip moves once a second. */
    private readonly tipTtlMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  async currentSlot(): Promise<bigint> {
    if (this.tip !== undefined && this.now() - this.tip.readAt < this.tipTtlMs) return this.tip.slot;
    const json = await readJson(join(this.directory, 'tip.json'));
    if (json === undefined) throw new ChainObserverError(`no tip.json in ${this.directory}`);
    const { slot } = parseTip(json);
    this.tip = { slot, readAt: this.now() };
    return slot;
  }

  async stakeDistribution(epoch: bigint): Promise<ReadonlyMap<string, bigint> | undefined> {
    const cached = this.snapshots.get(epoch);
    if (cached !== undefined) return cached;
    const json = await readJson(join(this.directory, `stake-snapshot-${epoch}.json`));
    if (json === undefined) return undefined;
    const distribution = parseStakeSnapshot(json);
    this.snapshots.set(epoch, distribution); // a past epoch's snapshot never changes
    return distribution;
  }
}
