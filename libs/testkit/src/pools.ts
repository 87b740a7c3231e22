/**
 * Pools with real key material (cold key, KES key, operational certificate, Mithril key) for tests
 * of the certifier and of what calls it (the signer gateway), and the chain directory its chain
 * observer reads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ColdSigningKey,
  KesSigningKey,
  issueOperationalCertificate,
  operationalCertificateToCbor,
  poolIdFromColdVerificationKey,
  type OperationalCertificate,
  type PoolId,
} from '@mithril-ts/cardano';
import { SigningKey } from '@mithril-ts/stm';
import { seedOf } from './seed.js';

export const SLOTS_PER_KES_PERIOD = 100n;
/** The tip the fixture's chain directory reports: KES period 12. */
export const CURRENT_SLOT = 1250n;
export const EPOCH = 7n;

/** A certification request as the certifier takes it (its `RegistrationRequest`), with every KES field filled. */
export interface PoolRegistration {
  readonly epoch: bigint;
  readonly partyId: string;
  readonly verificationKey: Uint8Array;
  readonly verificationKeySignature: Uint8Array;
  readonly operationalCertificate: Uint8Array;
  readonly kesEvolutions: number;
}

export interface TestPool {
  readonly cold: ColdSigningKey;
  readonly kes: KesSigningKey;
  readonly opcert: OperationalCertificate;
  readonly pool: PoolId;
  readonly stake: bigint;
  /** A registration signed at `evolution` (default: the current one, 2), of the shared test Mithril key unless `mithrilKey` is given. */
  registration(options?: {
    evolution?: number;
    opcert?: OperationalCertificate;
    kes?: KesSigningKey;
    partyId?: string;
    mithrilKey?: Uint8Array;
    epoch?: bigint;
  }): PoolRegistration;
}

let sharedMithrilKey: Uint8Array | undefined;
/** One Mithril key for every test pool: the certifier only checks that the pool's KES key signed it. */
const mithrilKey = () => (sharedMithrilKey ??= SigningKey.generate(seedOf('mithril key')).verificationKeyPoP().toBytes());

/** A pool whose opcert starts at KES period 10, so the current evolution at CURRENT_SLOT is 2. */
export function testPool(index: number, issueNumber = 1n, startKesPeriod = 10n): TestPool {
  const cold = ColdSigningKey.fromSeed(seedOf(`cold ${index}`));
  const kes = KesSigningKey.fromSeed(seedOf(`kes ${index}`));
  const opcert = issueOperationalCertificate(cold, kes.verificationKey(), issueNumber, startKesPeriod);
  const pool = poolIdFromColdVerificationKey(cold.verificationKey());
  const keysAt = new Map<number, KesSigningKey>();
  // Evolve copies of the period-0 key (deriving a Sum6 key from its seed is the slow part).
  const kesAt = (evolution: number) => {
    const key = KesSigningKey.fromBytes(kes.toBytes());
    for (let i = 0; i < evolution; i += 1) key.evolve();
    return key;
  };
  return {
    cold,
    kes,
    opcert,
    pool,
    stake: BigInt(1_000_000 * (index + 1)),
    registration(options = {}) {
      const evolution = options.evolution ?? 2;
      let signer = options.kes ?? keysAt.get(evolution);
      if (signer === undefined) {
        signer = kesAt(evolution);
        keysAt.set(evolution, signer);
      }
      const key = options.mithrilKey ?? mithrilKey();
      return {
        epoch: options.epoch ?? EPOCH,
        partyId: options.partyId ?? pool.bech32,
        verificationKey: key,
        verificationKeySignature: signer.sign(key),
        operationalCertificate: operationalCertificateToCbor(options.opcert ?? opcert),
        kesEvolutions: evolution,
      };
    },
  };
}

/** A chain directory as cardano-cli would fill it: the tip and the stake snapshot of EPOCH. */
export function chainDirectory(pools: readonly TestPool[]): string {
  const directory = mkdtempSync(join(tmpdir(), 'certifier-chain-'));
  writeFileSync(
    join(directory, 'tip.json'),
    JSON.stringify({ block: 42, epoch: Number(EPOCH), era: 'Conway', hash: 'ab'.repeat(32), slot: Number(CURRENT_SLOT), syncProgress: '100.00' }),
  );
  const poolsJson = Object.fromEntries(pools.map((p) => [p.pool.hex, { stakeGo: 1, stakeMark: Number(p.stake), stakeSet: 1 }]));
  writeFileSync(join(directory, `stake-snapshot-${EPOCH}.json`), JSON.stringify({ pools: poolsJson, total: { stakeGo: 1, stakeMark: 1, stakeSet: 1 } }));
  return directory;
}
