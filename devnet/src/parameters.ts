/**
 * What shapes a devnet: its name, its pools, how fast time runs, and the seed every byte of key
 * material, stake and block content is derived from.
 *
 * Defaults (a 10-second epoch; see README.md "Parameters" for the reasoning):
 * - 5 pools: enough for a quorum to need several signers, cheap to run on one machine.
 * - 100 ms slots, 100 slots per epoch: an epoch every 10 s, so registration rounds and
 *   certificate chains across many epochs happen within a test run.
 * - 50 slots per KES period: two KES periods per epoch, so every epoch crosses a KES period
 *   boundary (mid-epoch) and every epoch boundary is one too. A KES key then lasts
 *   maxKesEvolutions (62) periods = 3100 slots = 31 epochs ≈ 5 min 10 s of devnet time: longer
 *   runs need a larger slotsPerKesPeriod (e.g. 500 ≈ 52 min).
 * - 62 KES evolutions: mainnet's maxKESEvolutions (what `cardano-cli query kes-period-info` reports).
 * - a chunk (immutable file trio) every 20 slots: 5 per epoch (mainnet: 20 per epoch),
 *   a new trio every 2 s.
 */
import { DevnetError } from './errors.js';

export interface DevnetParameters {
  /** Network name, as Mithril certificates carry it. */
  readonly network: string;
  /** Number of stake pools (each with its own node, keys and stake); pools are numbered 1..pools. */
  readonly pools: number;
  /** Wall-clock length of a slot, in milliseconds. */
  readonly slotLengthMs: number;
  readonly slotsPerEpoch: number;
  readonly slotsPerKesPeriod: number;
  /** maxKESEvolutions of the genesis: an opcert starting at period p is valid for p ≤ period < p + this. */
  readonly maxKesEvolutions: number;
  /** Slots per immutable chunk: a new `NNNNN.chunk|primary|secondary` trio starts every this many slots. */
  readonly immutableFileEverySlots: number;
  /** Everything (keys, stake, block bytes, hashes) is a function of this string. */
  readonly seed: string;
}

export const DEFAULT_DEVNET_PARAMETERS: DevnetParameters = Object.freeze({
  network: 'devnet',
  pools: 5,
  slotLengthMs: 100,
  slotsPerEpoch: 100,
  slotsPerKesPeriod: 50,
  maxKesEvolutions: 62,
  immutableFileEverySlots: 20,
  seed: 'mithril-ts devnet',
});

/** A Sum6 KES key has 64 periods. */
const MAX_KES_EVOLUTIONS = 64;
/** Far beyond any devnet one machine can run; keeps file counts and loops bounded. */
const MAX_POOLS = 10_000;

function positiveInteger(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new DevnetError('INVALID_PARAMETERS', `${name} must be an integer in [1, ${max}], got ${String(value)}`);
  }
  return value;
}

/** The defaults with `overrides` applied, every field checked. */
export function devnetParameters(overrides: Partial<DevnetParameters> = {}): DevnetParameters {
  const merged = { ...DEFAULT_DEVNET_PARAMETERS, ...overrides };
  const known = new Set(Object.keys(DEFAULT_DEVNET_PARAMETERS));
  for (const key of Object.keys(overrides)) {
    if (!known.has(key)) throw new DevnetError('INVALID_PARAMETERS', `unknown devnet parameter ${JSON.stringify(key)}`);
  }
  if (typeof merged.network !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(merged.network)) {
    throw new DevnetError('INVALID_PARAMETERS', `network must be 1 to 64 letters, digits, '.', '_' or '-', got ${JSON.stringify(merged.network)}`);
  }
  if (typeof merged.seed !== 'string' || merged.seed.length === 0 || merged.seed.length > 1024) {
    throw new DevnetError('INVALID_PARAMETERS', 'seed must be a non-empty string of at most 1024 characters');
  }
  return Object.freeze({
    network: merged.network,
    pools: positiveInteger(merged.pools, 'pools', MAX_POOLS),
    slotLengthMs: positiveInteger(merged.slotLengthMs, 'slotLengthMs'),
    slotsPerEpoch: positiveInteger(merged.slotsPerEpoch, 'slotsPerEpoch'),
    slotsPerKesPeriod: positiveInteger(merged.slotsPerKesPeriod, 'slotsPerKesPeriod'),
    maxKesEvolutions: positiveInteger(merged.maxKesEvolutions, 'maxKesEvolutions', MAX_KES_EVOLUTIONS),
    immutableFileEverySlots: positiveInteger(merged.immutableFileEverySlots, 'immutableFileEverySlots'),
    seed: merged.seed,
  });
}

/** Pool numbers 1..pools. */
export function poolIndexes(params: DevnetParameters): number[] {
  return Array.from({ length: params.pools }, (_, i) => i + 1);
}

export function requirePoolIndex(params: DevnetParameters, index: number): number {
  if (!Number.isSafeInteger(index) || index < 1 || index > params.pools) {
    throw new DevnetError('INVALID_ARGUMENT', `pool index must be in [1, ${params.pools}], got ${String(index)}`);
  }
  return index;
}
