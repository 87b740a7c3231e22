/**
 * What a chain observer reads from Ogmios v6 (JSON-RPC 2.0 over WebSocket, and its HTTP /health),
 * parsed strictly and without losing precision (lovelace beyond 2^53 stays exact: the text is
 * read with @mithril-ts/codec's parseJson, integers above the safe range as bigints).
 *
 *   queryLedgerState/tip            {"slot": n, "id": "<header hash hex>"} or "origin"
 *   queryLedgerState/epoch          n
 *   queryNetwork/blockHeight        n or "origin"
 *   queryLedgerState/stakePools     {"pool1…": {"id": "pool1…", "stake": {"ada": {"lovelace": n}}, …}}
 *                                   with params {"includeStake": true} (Ogmios ≥ 6.11)
 *   queryLedgerState/utxo           [{"transaction": {"id": …}, "index": n, "address": …, "value": …,
 *                                   "datum": "<inline datum CBOR hex>" | "datumHash": …}, …]
 *                                   with params {"addresses": ["addr…"]}
 *   GET /health                     {"networkSynchronization": 0.99998, "currentEra": "conway", …}
 */
import { parseJson } from '@mithril-ts/codec';
import { CardanoError } from './errors.js';
import type { InlineDatum } from './inline-datum.js';
import { decodePlutusData } from './plutus-data.js';
import { parsePoolId } from './pool-id.js';

/** A JSON-RPC answer: the result of the call, or the error Ogmios returned. */
export type OgmiosAnswer = { readonly id: unknown; readonly result: unknown } | { readonly id: unknown; readonly error: OgmiosRpcError };

export interface OgmiosRpcError {
  readonly code: number;
  readonly message: string;
}

export interface OgmiosHealth {
  /** Percent (Ogmios reports a fraction), e.g. 100 when synced. */
  readonly syncProgress: number;
  /** Capitalised as cardano-cli prints it ("Conway"), from Ogmios' lower-case `currentEra`; undefined when absent. */
  readonly era: string | undefined;
}

function invalid(message: string): CardanoError {
  return new CardanoError('INVALID_OGMIOS_ANSWER', `Ogmios: ${message}`);
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what}: expected a JSON object`);
  return value as Record<string, unknown>;
}

function natural(value: unknown, what: string): bigint {
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < 0n) throw invalid(`${what}: expected a non-negative integer`);
  return n;
}

/** One JSON-RPC frame (text already bounded by the transport's frame limit). */
export function parseOgmiosAnswer(text: string): OgmiosAnswer {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw invalid(`not JSON (${(error as Error).message})`);
  }
  const frame = object(value, 'answer');
  if (frame.jsonrpc !== '2.0') throw invalid('answer: not JSON-RPC 2.0');
  if ('error' in frame) {
    const error = object(frame.error, 'answer error');
    const code = typeof error.code === 'bigint' ? Number(error.code) : error.code;
    if (typeof code !== 'number' || !Number.isInteger(code)) throw invalid('answer error: code is not an integer');
    return { id: frame.id, error: { code, message: typeof error.message === 'string' ? error.message.slice(0, 500) : '' } };
  }
  if (!('result' in frame)) throw invalid('answer: neither result nor error');
  return { id: frame.id, result: frame.result };
}

/** `queryLedgerState/tip` or `queryNetwork/tip`; undefined at the origin (an empty chain). */
export function parseOgmiosTip(result: unknown): { slot: bigint; hash: string } | undefined {
  if (result === 'origin') return undefined;
  const tip = object(result, 'tip');
  if (typeof tip.id !== 'string' || !/^[0-9a-f]{64}$/.test(tip.id)) throw invalid('tip: id is not a 32-byte header hash in hex');
  return { slot: natural(tip.slot, 'tip: slot'), hash: tip.id };
}

/** `queryLedgerState/epoch`. */
export function parseOgmiosEpoch(result: unknown): bigint {
  return natural(result, 'epoch');
}

/** `queryNetwork/blockHeight`; undefined at the origin. */
export function parseOgmiosBlockHeight(result: unknown): bigint | undefined {
  return result === 'origin' ? undefined : natural(result, 'block height');
}

/** `queryLedgerState/stakePools` with `includeStake`: pool id hex → lovelace. */
export function parseOgmiosStakePools(result: unknown): Map<string, bigint> {
  const pools = object(result, 'stake pools');
  const distribution = new Map<string, bigint>();
  for (const [key, entry] of Object.entries(pools)) {
    let poolId;
    try {
      poolId = parsePoolId(key);
    } catch {
      throw invalid(`stake pools: ${JSON.stringify(key.slice(0, 64))} is not a pool id`);
    }
    const pool = object(entry, `stake pools: ${key}`);
    if (pool.stake === undefined) throw invalid(`stake pools: ${key} has no stake (an Ogmios older than 6.11 ignores includeStake)`);
    const ada = object(object(pool.stake, `stake pools: ${key}.stake`).ada, `stake pools: ${key}.stake.ada`);
    distribution.set(poolId.hex, natural(ada.lovelace, `stake pools: ${key}.stake.ada.lovelace`));
  }
  return distribution;
}

/** As many outputs as the cardano-cli path reads at one address. */
const MAX_UTXOS = 10_000;

/**
 * The inline datums of `queryLedgerState/utxo`'s outputs, decoded into cardano-cli's detailed JSON
 * schema (what parseCardanoCliUtxoInlineDatums returns), in the order of the answer; outputs
 * without an inline datum (none, or a datum hash) are skipped. So is a datum whose CBOR is beyond
 * decodePlutusData's bounds: anyone can pay to an address with a datum the ledger accepts but this
 * reader refuses (nested deeper than its bound), and that must not hide the datums next to it.
 */
export function parseOgmiosUtxoInlineDatums(result: unknown): InlineDatum[] {
  if (!Array.isArray(result)) throw invalid('utxo: expected a list of outputs');
  if (result.length > MAX_UTXOS) throw invalid(`utxo: more than ${MAX_UTXOS} outputs`);
  const datums: InlineDatum[] = [];
  result.forEach((entry: unknown, index) => {
    const output = object(entry, `utxo: output ${index}`);
    const datum = output.datum;
    if (datum === undefined || datum === null) return;
    if (typeof datum !== 'string') throw invalid(`utxo: output ${index}: datum is not CBOR in hex`);
    try {
      datums.push(decodePlutusData(datum));
    } catch (error) {
      if (!(error instanceof CardanoError)) throw error;
    }
  });
  return datums;
}

/** The body of Ogmios' `GET /health`. */
export function parseOgmiosHealth(text: string): OgmiosHealth {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw invalid(`health: not JSON (${(error as Error).message})`);
  }
  const health = object(value, 'health');
  const sync = health.networkSynchronization;
  if (typeof sync !== 'number' || !(sync >= 0 && sync <= 1)) throw invalid('health: networkSynchronization is not a fraction between 0 and 1');
  const era = health.currentEra;
  if (era !== undefined && era !== null && (typeof era !== 'string' || !/^[a-z]{2,32}$/.test(era))) throw invalid('health: currentEra is not an era name');
  return { syncProgress: sync * 100, era: typeof era === 'string' ? era.charAt(0).toUpperCase() + era.slice(1) : undefined };
}
