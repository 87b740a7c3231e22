/** Arbitraries of the messages several services take: signed entity types and beacons of extreme numbers. */
import type { CardanoDbBeacon, SignedEntityType } from '@mithril-ts/proto';
import fc, { type Arbitrary } from 'fast-check';
import { bulkyText, extremeUint64 } from './arbitraries.js';

/** A signed entity type of either kind, its numbers extreme (`max` bounds them), or none. */
export function extremeSignedEntityType(max?: bigint): Arbitrary<SignedEntityType> {
  return fc.oneof(
    fc.constant({}),
    extremeUint64(max).map((epoch) => ({ entity: { $case: 'mithrilStakeDistribution' as const, value: { epoch } } })),
    fc
      .record({ epoch: extremeUint64(max), immutableFileNumber: extremeUint64(max) })
      .map((value) => ({ entity: { $case: 'cardanoDatabase' as const, value } })),
  );
}

/** A Cardano database beacon: one of `networks` or any text (up to `maxTextBytes`), extreme numbers (`max` bounds them). */
export function extremeBeacon(networks: readonly string[], maxTextBytes: number, max?: bigint): Arbitrary<CardanoDbBeacon> {
  return fc.record({
    network: fc.oneof(fc.constantFrom(...networks), bulkyText(maxTextBytes)),
    epoch: extremeUint64(max),
    immutableFileNumber: extremeUint64(max),
  });
}
