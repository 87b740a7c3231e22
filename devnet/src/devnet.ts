/**
 * The devnet runner: writes what a Cardano network of `pools` nodes would have on disk at a given
 * time. `advanceTo(now)` brings the files up to the chain position at `now`; `start()` does it on
 * a timer. Every byte comes from the pure modules (position, pools, stake, immutable-db,
 * cardano-cli); this class only decides what is new and writes it, atomically and in an order
 * that never lets a reader see a promise before its data:
 *   immutable trios (ascending; a trio is complete before the next one appears)
 *   → the ledger snapshot of the newest complete chunk → stake snapshots → kes-period-info → tip.json.
 *
 * One runner per root directory at a time. Restarting on an existing root reuses its genesis
 * time (the chain carries on) and refuses different parameters.
 */
import { readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJson } from '@mithril-ts/codec';
import {
  IMMUTABLE_FILE_EXTENSIONS,
  SECONDARY_ENTRY_BYTES,
  immutableFileName,
  isCompleteTrio,
  listImmutableFiles,
  parseSecondaryEntry,
  type PoolId,
} from '@mithril-ts/cardano';
import type { PreviousBlock } from './blocks.js';
import { kesPeriodInfoJson, stakeSnapshotJson, tipJson } from './cardano-cli.js';
import { DevnetError } from './errors.js';
import { ensureDirectory, exists, writeFileAtomic } from './files.js';
import { immutableTrio, type ImmutableTrio } from './immutable-db.js';
import { LEDGER_SNAPSHOTS_KEPT, ledgerSnapshotFiles } from './ledger-state.js';
import { prettyJson } from './json.js';
import { devnetLayout, type DevnetLayout } from './layout.js';
import { devnetParameters, poolIndexes, type DevnetParameters } from './parameters.js';
import { OPCERT_ISSUE_NUMBER, OPCERT_START_KES_PERIOD, POOL_FILE_NAMES, SECRET_POOL_FILES, devnetPool, poolFiles } from './pools.js';
import { chainPosition, type ChainPosition } from './position.js';

export interface DevnetOptions {
  /** When the chain's slot 0 starts (ms since 1970). Default: the clock's reading at creation; an existing root keeps its own. */
  readonly genesisTimeMs?: number;
  /** The clock `start()` reads and the default genesis time. Default: Date.now. */
  readonly clock?: () => number;
  /**
   * Called with an error of a timer tick, which then keeps running. Without it, a failing tick
   * stops the timer and the next `stop()` rejects with the error.
   */
  readonly onError?: (error: unknown) => void;
}

export interface DevnetPoolInfo {
  readonly index: number;
  readonly poolId: PoolId;
  readonly opcertIssueNumber: bigint;
  readonly opcertStartKesPeriod: bigint;
  /** The pool's key files (cold.skey, kes.skey, opcert.cert, …). */
  readonly keysDirectory: string;
  /** The pool's node database (immutable/, ledger/). */
  readonly databaseDirectory: string;
}

interface DevnetConfigFile {
  readonly genesisTimeMs: number;
  readonly parameters: DevnetParameters;
}

async function readConfig(path: string): Promise<DevnetConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let document: unknown;
  try {
    document = parseJson(text);
  } catch (error) {
    throw new DevnetError('CONFLICTING_DEVNET', `${path} is not a devnet configuration: ${(error as Error).message}`, { cause: error });
  }
  const fields = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  if (typeof fields.genesisTimeMs !== 'number' || typeof fields.parameters !== 'object' || fields.parameters === null) {
    throw new DevnetError('CONFLICTING_DEVNET', `${path} is not a devnet configuration (genesisTimeMs and parameters are required)`);
  }
  return { genesisTimeMs: fields.genesisTimeMs, parameters: devnetParameters(fields.parameters as Partial<DevnetParameters>) };
}

function requireGenesisTime(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DevnetError('INVALID_ARGUMENT', `genesis time must be a non-negative integer of milliseconds, got ${String(value)}`);
  }
  return value;
}

export class Devnet {
  readonly layout: DevnetLayout;
  readonly #clock: () => number;
  readonly #onError: ((error: unknown) => void) | undefined;
  #position: ChainPosition | undefined;
  #tipHash: Uint8Array | undefined;
  /** Chunks below this number are complete on every node's disk. Unknown until the first advance. */
  #finalizedChunks: bigint | undefined;
  /** The last block of chunk #finalizedChunks − 1: the block the next chunk starts after. */
  #lastFinalizedBlock: PreviousBlock | undefined;
  /** Stake snapshots of the epochs below this one are on disk. */
  #snapshotsUpTo = 0n;
  /** Slot of the ledger snapshot last written. */
  #ledgerSlot: bigint | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;

  private constructor(
    readonly root: string,
    readonly parameters: DevnetParameters,
    readonly genesisTimeMs: number,
    readonly pools: readonly DevnetPoolInfo[],
    options: DevnetOptions,
  ) {
    this.layout = devnetLayout(root);
    this.#clock = options.clock ?? Date.now;
    this.#onError = options.onError;
  }

  /**
   * Writes the pools' key files and the nodes' directories under `root` (reusing the genesis time
   * of a devnet already there, which must have the same parameters).
   */
  static async create(root: string, parameters: Partial<DevnetParameters> = {}, options: DevnetOptions = {}): Promise<Devnet> {
    const params = devnetParameters(parameters);
    const layout = devnetLayout(root);
    const existing = await readConfig(layout.configFile);
    let genesisTimeMs: number;
    if (existing !== undefined) {
      if (prettyJson({ ...existing.parameters }) !== prettyJson({ ...params })) {
        throw new DevnetError('CONFLICTING_DEVNET', `${root} holds a devnet with other parameters: ${prettyJson({ ...existing.parameters })}`);
      }
      if (options.genesisTimeMs !== undefined && options.genesisTimeMs !== existing.genesisTimeMs) {
        throw new DevnetError('CONFLICTING_DEVNET', `${root} holds a devnet whose genesis is at ${existing.genesisTimeMs} ms, not ${options.genesisTimeMs} ms`);
      }
      genesisTimeMs = requireGenesisTime(existing.genesisTimeMs);
    } else {
      genesisTimeMs = requireGenesisTime(options.genesisTimeMs ?? (options.clock ?? Date.now)());
    }

    await ensureDirectory(layout.cardanoCliDirectory);
    const pools: DevnetPoolInfo[] = [];
    for (const index of poolIndexes(params)) {
      const pool = devnetPool(params, index);
      const keysDirectory = layout.poolDirectory(index);
      await ensureDirectory(keysDirectory);
      const files = poolFiles(pool);
      pool.kes.destroy();
      for (const name of POOL_FILE_NAMES) {
        await writeFileAtomic(join(keysDirectory, name), files[name], SECRET_POOL_FILES.has(name) ? 0o600 : 0o644);
      }
      await ensureDirectory(layout.immutableDirectory(index));
      await ensureDirectory(layout.ledgerDirectory(index));
      pools.push(
        Object.freeze({
          index,
          poolId: pool.poolId,
          opcertIssueNumber: OPCERT_ISSUE_NUMBER,
          opcertStartKesPeriod: OPCERT_START_KES_PERIOD,
          keysDirectory,
          databaseDirectory: layout.nodeDatabaseDirectory(index),
        }),
      );
    }
    // Last: its presence says the devnet's static files are all there.
    await writeFileAtomic(
      layout.configFile,
      prettyJson({
        genesisTimeMs,
        parameters: { ...params },
        pools: pools.map((p) => ({ index: p.index, poolId: p.poolId.bech32, poolIdHex: p.poolId.hex })),
        systemStart: new Date(genesisTimeMs).toISOString(),
      }),
    );
    return new Devnet(root, params, genesisTimeMs, Object.freeze(pools), options);
  }

  /** The position last written, undefined before the first advance. */
  get position(): ChainPosition | undefined {
    return this.#position;
  }

  /** The hash of the tip's block (what `query tip` names), with {@link position}. */
  get tipHash(): Uint8Array | undefined {
    return this.#tipHash;
  }

  /**
   * Writes whatever the chain reached by `nowMs` and returns that position. Nothing is written
   * when the slot has not moved since the last advance (nor when `nowMs` is earlier: the chain
   * never rolls back; the last position is returned). Calls are serialised.
   */
  advanceTo(nowMs: number): Promise<ChainPosition> {
    const run = this.#queue.then(() => this.#advance(nowMs));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** advanceTo(the clock's reading). */
  advance(): Promise<ChainPosition> {
    return this.advanceTo(this.#clock());
  }

  /**
   * Advances to the clock's time now and then every `intervalMs` (default: one slot) until
   * stop(). Before genesis a tick does nothing.
   */
  start(intervalMs: number = this.parameters.slotLengthMs): void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new DevnetError('INVALID_ARGUMENT', `the timer interval must be a positive number of milliseconds, got ${String(intervalMs)}`);
    }
    if (this.#running) throw new DevnetError('INVALID_ARGUMENT', 'the devnet timer is already running');
    this.#running = true;
    this.#failure = undefined;
    const tick = (): void => {
      this.#timer = undefined;
      this.#tick = Promise.resolve()
        .then(() => this.advance())
        .then(
          () => undefined,
          (error: unknown) => {
            if (error instanceof DevnetError && error.code === 'BEFORE_GENESIS') return;
            if (this.#onError !== undefined) {
              this.#onError(error);
            } else {
              this.#failure = { error };
              this.#running = false;
            }
          },
        )
        .then(() => {
          if (this.#running) this.#timer = setTimeout(tick, intervalMs);
        });
    };
    tick();
  }

  /** Stops the timer once the write in progress is done; rejects with a tick's error if one stopped it. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#tick;
    await this.#queue;
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure.error;
  }

  get running(): boolean {
    return this.#running;
  }

  async #advance(nowMs: number): Promise<ChainPosition> {
    const target = chainPosition(this.parameters, this.genesisTimeMs, nowMs);
    const last = this.#position;
    if (last !== undefined && target.slot <= last.slot) return last;
    const tipHash = await this.#writeImmutableFiles(target);
    await this.#writeLedgerSnapshot();
    await this.#writeStakeSnapshots(target.epoch);
    for (const pool of this.pools) {
      const info = kesPeriodInfoJson(this.parameters, target, { issueNumber: pool.opcertIssueNumber, startKesPeriod: pool.opcertStartKesPeriod });
      await writeFileAtomic(this.layout.kesPeriodInfoFile(pool.index), info);
    }
    await writeFileAtomic(this.layout.tipFile, tipJson(target, tipHash));
    this.#position = target;
    this.#tipHash = tipHash;
    return target;
  }

  async #writeTrio(chunk: bigint, tipSlot: bigint, previous: PreviousBlock | undefined): Promise<ImmutableTrio> {
    const trio = immutableTrio(this.parameters, chunk, tipSlot, previous);
    for (const pool of this.pools) {
      const directory = this.layout.immutableDirectory(pool.index);
      for (const extension of IMMUTABLE_FILE_EXTENSIONS) {
        await writeFileAtomic(join(directory, immutableFileName(chunk, extension)), trio.files[extension]);
      }
    }
    return trio;
  }

  /** Writes the trios up to the target's chunk and returns the hash of the target slot's block. */
  async #writeImmutableFiles(target: ChainPosition): Promise<Uint8Array> {
    if (this.#finalizedChunks === undefined) {
      this.#finalizedChunks = await this.#recoverFinalizedChunks();
      this.#lastFinalizedBlock = this.#finalizedChunks === 0n ? undefined : await this.#blockOnDisk(this.#finalizedChunks - 1n, undefined);
    }
    for (let chunk = this.#finalizedChunks; chunk < target.currentChunk; chunk += 1n) {
      const trio = await this.#writeTrio(chunk, target.slot, this.#lastFinalizedBlock);
      this.#lastFinalizedBlock = trio.lastBlock;
      this.#finalizedChunks = chunk + 1n;
    }
    // The open chunk grows with the tip. (If the disk is already past it, an earlier run got
    // further than this clock: leave its complete files alone and read the tip's hash there.)
    if (target.currentChunk >= this.#finalizedChunks) return (await this.#writeTrio(target.currentChunk, target.slot, this.#lastFinalizedBlock)).lastBlock.hash;
    return (await this.#blockOnDisk(target.currentChunk, target.slot)).hash;
  }

  /**
   * A block of a chunk already on disk (every node has the same files: pool 1's are read), from
   * its secondary index: the one of `slot`, or the chunk's last one. Block number = slot.
   */
  async #blockOnDisk(chunk: bigint, slot: bigint | undefined): Promise<PreviousBlock> {
    const file = join(this.layout.immutableDirectory(1), immutableFileName(chunk, 'secondary'));
    const bytes = await readFile(file);
    for (let offset = bytes.length - SECONDARY_ENTRY_BYTES; offset >= 0; offset -= SECONDARY_ENTRY_BYTES) {
      const entry = parseSecondaryEntry(bytes, offset, file);
      if (slot === undefined || entry.blockOrEbb === slot) return { hash: entry.headerHash, number: entry.blockOrEbb };
    }
    throw new DevnetError(
      'CONFLICTING_DEVNET',
      `${file} has no block${slot === undefined ? '' : ` at slot ${slot}`}: the immutable files are not this devnet's`,
    );
  }

  /**
   * After a restart: chunks already complete on every node. A trio counts as complete when all
   * three files exist and a later trio has been started (trios are written in order, each
   * complete before the next one appears); the last one on disk may be partial.
   */
  async #recoverFinalizedChunks(): Promise<bigint> {
    let finalized: bigint | undefined;
    for (const pool of this.pools) {
      const listing = listImmutableFiles(await readdir(this.layout.immutableDirectory(pool.index)));
      const highest = listing.highest ?? -1n;
      let chunk = 0n;
      while (chunk < highest && isCompleteTrio(listing, chunk)) chunk += 1n;
      finalized = finalized === undefined || chunk < finalized ? chunk : finalized;
    }
    return finalized ?? 0n;
  }

  /**
   * Ledger snapshots at the last slot of the newest complete chunks, in every node's `ledger/`
   * (written beside, then renamed into place: a reader sees a whole snapshot or none), and only
   * the newest LEDGER_SNAPSHOTS_KEPT kept, as a node does.
   */
  async #writeLedgerSnapshot(): Promise<void> {
    const complete = this.#finalizedChunks ?? 0n;
    if (complete === 0n) return;
    const every = BigInt(this.parameters.immutableFileEverySlots);
    const newest = complete * every - 1n;
    if (this.#ledgerSlot === newest) return;
    // The ends of the newest complete chunks, whatever steps the clock took to get here: the
    // files on disk depend on the chain position only.
    const slots: bigint[] = [];
    for (let chunk = complete; chunk > 0n && slots.length < LEDGER_SNAPSHOTS_KEPT; chunk -= 1n) slots.push(chunk * every - 1n);
    for (const pool of this.pools) {
      const directory = this.layout.ledgerDirectory(pool.index);
      for (const slot of slots) {
        const final = join(directory, slot.toString());
        if (await exists(final)) continue;
        const staging = join(directory, `.${slot}.${process.pid}.tmp`);
        await rm(staging, { recursive: true, force: true });
        await ensureDirectory(join(staging, 'tables'));
        for (const [name, bytes] of Object.entries(ledgerSnapshotFiles(this.parameters, slot))) await writeFileAtomic(join(staging, name), bytes);
        await rename(staging, final);
      }
      const snapshots = (await readdir(directory)).filter((name) => /^\d+$/.test(name)).sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1));
      for (const old of snapshots.slice(LEDGER_SNAPSHOTS_KEPT)) await rm(join(directory, old), { recursive: true, force: true });
    }
    this.#ledgerSlot = newest;
  }

  async #writeStakeSnapshots(epoch: bigint): Promise<void> {
    const poolIds = this.pools.map((pool) => pool.poolId);
    for (let e = this.#snapshotsUpTo; e <= epoch; e += 1n) {
      // An epoch's snapshot never changes: one already on disk (from an earlier run) is kept.
      const path = this.layout.stakeSnapshotFile(e);
      if (!(await exists(path))) await writeFileAtomic(path, stakeSnapshotJson(this.parameters, poolIds, e));
      this.#snapshotsUpTo = e + 1n;
    }
  }
}
