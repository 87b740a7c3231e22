/**
 * The certification rules, free of I/O. The key-certification checks (request shape, operational
 * certificate, pool id, KES period and signature, opcert counter) live in libs/cardano so that the
 * aggregator runs the very same ones; what is the certifier's own is the stake rule: the pool has
 * stake in the registration epoch.
 */
import { CertificationError, type PoolId } from '@mithril-ts/cardano';

export {
  CertificationError,
  MITHRIL_KEY_BYTES,
  checkOpcertCounter,
  parseRegistration,
  verifyRegistration,
  type CertificationCheck,
  type ParsedRegistration,
  type RegistrationRequest,
} from '@mithril-ts/cardano';

export function stakeOf(distribution: ReadonlyMap<string, bigint> | undefined, pool: PoolId, epoch: bigint): bigint {
  if (distribution === undefined) {
    throw new CertificationError('unavailable', 'stake-distribution', `the stake distribution of epoch ${epoch} is not known`);
  }
  const stake = distribution.get(pool.hex);
  if (stake === undefined || stake === 0n) throw new CertificationError('denied', 'stake-distribution', `${pool.bech32} has no stake in epoch ${epoch}`);
  return stake;
}
