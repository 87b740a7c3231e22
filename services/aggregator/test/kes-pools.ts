/**
 * Pools with real cold/KES keys and operational certificates (libs/testkit) on the tests' chain:
 * the tip of epoch E is at slot E × 100 and a KES period is 100 slots, so the KES period of
 * epoch E is E and an opcert starting at period 0 is at evolution E.
 */
import { testPool, type TestPool } from '@mithril-ts/testkit';

export const SLOTS_PER_KES_PERIOD = 100n;
export const slotOf = (epoch: bigint) => epoch * 100n;

/** `count` pools (stake 1,000,000 × (index + 1)), opcert issue number 1 from KES period 0. */
export function kesPools(count: number): TestPool[] {
  return Array.from({ length: count }, (_, i) => testPool(i, 1n, 0n));
}

/** The KES evidence of `mithrilKey` signed by `pool` at the evolution of `epoch` (or `evolution`), as a registration carries it. */
export function evidenceOf(
  pool: TestPool,
  epoch: bigint,
  mithrilKey: Uint8Array,
  options: { evolution?: number; opcert?: TestPool['opcert'] } = {},
): { kesSignature: Uint8Array; operationalCertificate: Uint8Array; kesEvolutions: number } {
  const registration = pool.registration({
    evolution: options.evolution ?? Number(epoch),
    mithrilKey,
    epoch,
    ...(options.opcert ? { opcert: options.opcert } : {}),
  });
  return {
    kesSignature: registration.verificationKeySignature,
    operationalCertificate: registration.operationalCertificate,
    kesEvolutions: registration.kesEvolutions,
  };
}
