/**
 * Ledger-state snapshots as a node writes them under `db/ledger/`: one directory per snapshot,
 * named by the slot of the last block it includes, holding `state` (the ledger state, CBOR),
 * `tables/tvar` (the UTxO tables, CBOR) and `meta` (JSON: backend, CRC-32 of `state`, format
 * tag), the layout of cardano-node 10's in-memory UTxO-HD backend. A node keeps its two newest.
 *
 * The devnet's ledger has no transactions: `state` holds what it has (slot, epoch, the stake of
 * each pool) and `tables/tvar` an empty UTxO map. Nothing parses them; they exist so that the
 * snapshotter has a ledger snapshot to package in ancillary archives, and a restored database
 * has the shape a node starts from. Pure: the bytes are a function of (seed, slot).
 */
import { crc32 } from 'node:zlib';
import { encodeCbor } from '@mithril-ts/codec';
import { derive } from './derive.js';
import type { DevnetParameters } from './parameters.js';
import { positionAtSlot } from './position.js';
import { poolStake } from './stake.js';

/** How many ledger snapshots a node keeps (cardano-node's default). */
export const LEDGER_SNAPSHOTS_KEPT = 2;

export interface LedgerSnapshotFiles {
  readonly state: Uint8Array;
  readonly 'tables/tvar': Uint8Array;
  readonly meta: Uint8Array;
}

/** The files of the ledger snapshot taken at `slot` (the last slot of a complete chunk). */
export function ledgerSnapshotFiles(params: DevnetParameters, slot: bigint): LedgerSnapshotFiles {
  const { epoch } = positionAtSlot(params, slot);
  const stake = Array.from({ length: params.pools }, (_, i) => [i + 1, poolStake(params, epoch, i + 1)]);
  const state = encodeCbor([1, [slot, epoch, derive(params.seed, 'ledger state', slot), stake]]);
  const tables = encodeCbor(new Map());
  const meta = new TextEncoder().encode(JSON.stringify({ backend: 'utxohd-mem', checksum: crc32(state), tag: 'V1' }));
  return { state, 'tables/tvar': tables, meta };
}
