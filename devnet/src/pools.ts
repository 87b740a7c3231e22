/**
 * Stake pools with real key material, as an SPO makes them with cardano-cli:
 *   cold.skey / cold.vkey    `cardano-cli node key-gen`
 *   kes.skey / kes.vkey      `cardano-cli node key-gen-KES` (the skey at period 0, as written)
 *   opcert.cert              `cardano-cli node issue-op-cert` (issue number 0, start KES period 0)
 *   pool-id.txt              `cardano-cli stake-pool id` in bech32, then in hex, one per line
 * Seeds are derived from the devnet seed and the pool number; the keys themselves come from
 * libs/cardano.
 */
import {
  ColdSigningKey,
  KesSigningKey,
  coldVerificationKeyToTextEnvelope,
  issueOperationalCertificate,
  kesVerificationKeyToTextEnvelope,
  operationalCertificateToTextEnvelope,
  poolIdFromColdVerificationKey,
  type OperationalCertificate,
  type PoolId,
} from '@mithril-ts/cardano';
import { derive } from './derive.js';
import { requirePoolIndex, type DevnetParameters } from './parameters.js';

/** The opcert every devnet pool starts with. */
export const OPCERT_ISSUE_NUMBER = 0n;
export const OPCERT_START_KES_PERIOD = 0n;

export interface DevnetPool {
  /** 1-based pool number: the pool's directories are `pool-<index>`. */
  readonly index: number;
  readonly cold: ColdSigningKey;
  /** At period 0, as it is written to kes.skey. */
  readonly kes: KesSigningKey;
  readonly opcert: OperationalCertificate;
  readonly poolId: PoolId;
}

/** Pool `index`'s keys and certificate: a pure function of (seed, index). */
export function devnetPool(params: DevnetParameters, index: number): DevnetPool {
  requirePoolIndex(params, index);
  const coldSeed = derive(params.seed, 'pool cold key', index);
  const kesSeed = derive(params.seed, 'pool KES key', index);
  try {
    const cold = ColdSigningKey.fromSeed(coldSeed);
    const kes = KesSigningKey.fromSeed(kesSeed);
    const opcert = issueOperationalCertificate(cold, kes.verificationKey(), OPCERT_ISSUE_NUMBER, OPCERT_START_KES_PERIOD);
    return Object.freeze({ index, cold, kes, opcert, poolId: poolIdFromColdVerificationKey(cold.verificationKey()) });
  } finally {
    coldSeed.fill(0);
    kesSeed.fill(0);
  }
}

/** Only the pool id of pool `index` (still derives the cold key; skips the KES key). */
export function devnetPoolId(params: DevnetParameters, index: number): PoolId {
  requirePoolIndex(params, index);
  const coldSeed = derive(params.seed, 'pool cold key', index);
  try {
    return poolIdFromColdVerificationKey(ColdSigningKey.fromSeed(coldSeed).verificationKey());
  } finally {
    coldSeed.fill(0);
  }
}

export const POOL_FILE_NAMES = ['cold.skey', 'cold.vkey', 'kes.skey', 'kes.vkey', 'opcert.cert', 'pool-id.txt'] as const;
export type PoolFileName = (typeof POOL_FILE_NAMES)[number];

/** Files holding secrets (written owner-only). */
export const SECRET_POOL_FILES: ReadonlySet<PoolFileName> = new Set(['cold.skey', 'kes.skey']);

/** The text of each of the pool's files. */
export function poolFiles(pool: DevnetPool): Record<PoolFileName, string> {
  return {
    'cold.skey': pool.cold.toTextEnvelope(),
    'cold.vkey': coldVerificationKeyToTextEnvelope(pool.cold.verificationKey()),
    'kes.skey': pool.kes.toTextEnvelope(),
    'kes.vkey': kesVerificationKeyToTextEnvelope(pool.kes.verificationKey()),
    'opcert.cert': operationalCertificateToTextEnvelope(pool.opcert),
    'pool-id.txt': `${pool.poolId.bech32}\n${pool.poolId.hex}\n`,
  };
}
