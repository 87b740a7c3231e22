/**
 * What a chain observer reads from a Cardano node through `cardano-cli` (JSON outputs of
 * `query tip`, `query stake-snapshot --all-stake-pools` and `query kes-period-info`), parsed
 * strictly and without losing precision. The chain observer port is here too; adapters that run
 * the CLI or read its output files live with the services.
 */
import { parseJson } from '@mithril-ts/codec';
import { CardanoError } from './errors.js';

/** The Cardano chain as seen by a node. */
export interface ChainObserver {
  /** The node's tip. */
  currentTip(): Promise<ChainTip>;
  /** Stake per pool (pool id hex → lovelace) of `epoch` (its "mark" snapshot), or undefined when not known. */
  stakeDistribution(epoch: bigint): Promise<ReadonlyMap<string, bigint> | undefined>;
}

export interface ChainTip {
  readonly epoch: bigint;
  readonly slot: bigint;
  readonly block: bigint | undefined;
  readonly hash: string | undefined;
  /** The era of the tip ("Conway"), as cardano-cli names it; undefined when the output has none. */
  readonly era: string | undefined;
  /** Percent, e.g. 100 when the node is synced; undefined when not reported. */
  readonly syncProgress: number | undefined;
}

export interface KesPeriodInfo {
  readonly currentKesPeriod: bigint;
  readonly startKesInterval: bigint | undefined;
  readonly endKesInterval: bigint | undefined;
  readonly maxKesEvolutions: bigint | undefined;
  readonly slotsPerKesPeriod: bigint | undefined;
  readonly remainingSlotsInKesPeriod: bigint | undefined;
  readonly onDiskOperationalCertificateNumber: bigint | undefined;
  readonly nodeStateOperationalCertificateNumber: bigint | undefined;
  readonly kesKeyExpiry: string | undefined;
}

const MAX_OUTPUT_CHARS = 64 * 1024 * 1024;

function invalid(message: string): CardanoError {
  return new CardanoError('INVALID_CLI_OUTPUT', message);
}

/** JSON text or an already parsed value; `cardano-cli` may print check lines before the JSON. */
function json(output: unknown, what: string): Record<string, unknown> {
  let value = output;
  if (typeof output === 'string') {
    if (output.length > MAX_OUTPUT_CHARS) throw invalid(`${what}: output too large`);
    const start = output.indexOf('{');
    if (start < 0) throw invalid(`${what}: no JSON object in the output`);
    try {
      value = parseJson(output.slice(start));
    } catch (error) {
      throw invalid(`${what}: not JSON (${(error as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what}: expected a JSON object`);
  return value as Record<string, unknown>;
}

function natural(value: unknown, what: string): bigint {
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < 0n) throw invalid(`${what}: expected a non-negative integer`);
  return n;
}

const optionalNatural = (value: unknown, what: string) => (value === undefined || value === null ? undefined : natural(value, what));
const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * An era as `cardano-cli query tip` names it: one capitalised word ("Byron", …, "Babbage",
 * "Conway"). A word rather than a list, so that a node of the next era is still read; anything
 * else (another type, lower case, spaces, a sentence) is not a tip this parser understands.
 */
const ERA = /^[A-Z][a-z]{1,31}$/;

function era(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !ERA.test(value))
    throw invalid(`query tip: era: expected an era name such as "Conway", got ${JSON.stringify(value)?.slice(0, 40)}`);
  return value;
}

/** `cardano-cli query tip`; `era` is optional (older outputs), but when present it must name an era. */
export function parseCardanoCliTip(output: unknown): ChainTip {
  const tip = json(output, 'query tip');
  const progress = typeof tip.syncProgress === 'string' ? Number.parseFloat(tip.syncProgress) : undefined;
  return {
    epoch: natural(tip.epoch, 'query tip: epoch'),
    slot: natural(tip.slot, 'query tip: slot'),
    block: optionalNatural(tip.block, 'query tip: block'),
    hash: optionalString(tip.hash),
    era: era(tip.era),
    syncProgress: progress !== undefined && Number.isFinite(progress) ? progress : undefined,
  };
}

/**
 * The three stake snapshots the ledger keeps, as `cardano-cli query stake-snapshot --all-stake-pools`
 * prints them during epoch E (pool id hex → lovelace). At each epoch boundary the ledger rotates
 * them (go ← set, set ← mark, mark ← a new snapshot), so `set` during E is exactly the `mark` read
 * during E−1 and `go` the one of E−2: a node answers for the two past epochs too.
 */
export interface CardanoCliStakeSnapshots {
  /** Epoch E's distribution: the snapshot taken at its start (what Mithril calls the stake of E). */
  readonly mark: Map<string, bigint>;
  /** Epoch E−1's; undefined when the output does not carry `stakeSet` for every pool (older cardano-cli). */
  readonly set: Map<string, bigint> | undefined;
  /** Epoch E−2's; undefined when the output does not carry `stakeGo` for every pool. */
  readonly go: Map<string, bigint> | undefined;
}

/** `cardano-cli query stake-snapshot --all-stake-pools`: its mark, set and go stake per pool. */
export function parseCardanoCliStakeSnapshots(output: unknown): CardanoCliStakeSnapshots {
  const pools = json(json(output, 'query stake-snapshot').pools, 'query stake-snapshot: pools');
  const mark = new Map<string, bigint>();
  let set: Map<string, bigint> | undefined = new Map();
  let go: Map<string, bigint> | undefined = new Map();
  for (const [poolId, value] of Object.entries(pools)) {
    if (!/^[0-9a-f]{56}$/.test(poolId)) throw invalid(`query stake-snapshot: ${poolId.slice(0, 64)} is not a pool id in hex`);
    const entry = json(value, `query stake-snapshot: pools.${poolId}`);
    mark.set(poolId, natural(entry.stakeMark, `query stake-snapshot: pools.${poolId}.stakeMark`));
    // One pool without a past snapshot makes that whole snapshot unknown: a distribution missing
    // a pool would give the others a larger share than the ledger's.
    if (entry.stakeSet === undefined) set = undefined;
    else set?.set(poolId, natural(entry.stakeSet, `query stake-snapshot: pools.${poolId}.stakeSet`));
    if (entry.stakeGo === undefined) go = undefined;
    else go?.set(poolId, natural(entry.stakeGo, `query stake-snapshot: pools.${poolId}.stakeGo`));
  }
  return { mark, set, go };
}

/** Pool id hex → "mark" stake, from `cardano-cli query stake-snapshot --all-stake-pools`. */
export function parseCardanoCliStakeSnapshot(output: unknown): Map<string, bigint> {
  return parseCardanoCliStakeSnapshots(output).mark;
}

/** `cardano-cli query kes-period-info` (the check lines it prints before the JSON are skipped). */
export function parseCardanoCliKesPeriodInfo(output: unknown): KesPeriodInfo {
  const info = json(output, 'query kes-period-info');
  const field = (key: string) => optionalNatural(info[key], `query kes-period-info: ${key}`);
  return {
    currentKesPeriod: natural(info.qKesCurrentKesPeriod, 'query kes-period-info: qKesCurrentKesPeriod'),
    startKesInterval: field('qKesStartKesInterval'),
    endKesInterval: field('qKesEndKesInterval'),
    maxKesEvolutions: field('qKesMaxKESEvolutions'),
    slotsPerKesPeriod: field('qKesSlotsPerKesPeriod'),
    remainingSlotsInKesPeriod: field('qKesRemainingSlotsInKesPeriod'),
    onDiskOperationalCertificateNumber: field('qKesOnDiskOperationalCertificateNumber'),
    nodeStateOperationalCertificateNumber: field('qKesNodeStateOperationalCertificateNumber'),
    kesKeyExpiry: optionalString(info.qKesKesKeyExpiry),
  };
}
