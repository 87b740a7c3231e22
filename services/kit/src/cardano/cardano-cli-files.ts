/**
 * A chain observer reading what `cardano-cli` writes with `--out-file` into one directory:
 *   tip.json                       `cardano-cli query tip` (epoch, slot, and the era when
 *                                  present: a capitalised era name, strictly, as cardano-cli prints it)
 *   stake-snapshot-<epoch>.json    `cardano-cli query stake-snapshot --all-stake-pools`, taken
 *                                  during <epoch> (its "mark" stake is that epoch's distribution)
 * The devnet writes the same files. Beside a real node, the cardano-cli or Ogmios observers ask the
 * node itself (./cardano-cli-observer.ts, ./ogmios-observer.ts); this one stays for tests and
 * air-gapped setups where another process writes the files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChainObserverError } from './chain-observer-error.js';
import { parseCardanoCliStakeSnapshot, parseCardanoCliTip, type ChainObserver, type ChainTip } from '@mithril-ts/cardano';

const MAX_FILE_BYTES = 64 * 1024 * 1024;

async function readText(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ChainObserverError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (text.length > MAX_FILE_BYTES) throw new ChainObserverError(`${path} is too large`);
  return text;
}

export class CardanoCliFilesChainObserver implements ChainObserver {
  private tip: { tip: ChainTip; readAt: number } | undefined;
  private readonly snapshots = new Map<bigint, ReadonlyMap<string, bigint>>();

  constructor(
    private readonly directory: string,
    /** How long a read tip is reused: certifications come in bursts, the tip moves once a second. */
    private readonly tipTtlMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  async currentTip(): Promise<ChainTip> {
    if (this.tip !== undefined && this.now() - this.tip.readAt < this.tipTtlMs) return this.tip.tip;
    const text = await readText(join(this.directory, 'tip.json'));
    if (text === undefined) throw new ChainObserverError(`no tip.json in ${this.directory}`);
    const tip = parseCardanoCliTip(text);
    this.tip = { tip, readAt: this.now() };
    return tip;
  }

  async stakeDistribution(epoch: bigint): Promise<ReadonlyMap<string, bigint> | undefined> {
    const cached = this.snapshots.get(epoch);
    if (cached !== undefined) return cached;
    const text = await readText(join(this.directory, `stake-snapshot-${epoch}.json`));
    if (text === undefined) return undefined;
    const distribution = parseCardanoCliStakeSnapshot(text);
    this.snapshots.set(epoch, distribution); // a past epoch's snapshot never changes
    return distribution;
  }
}
