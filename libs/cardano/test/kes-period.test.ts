import { acceptedKesEvolutions, kesEvolutionAt, kesPeriodAt } from '../src/index.js';
import { expectCardanoError } from './helpers.js';

const MAINNET_SLOTS_PER_KES_PERIOD = 129_600n;

describe('KES periods', () => {
  it('kesPeriodAt is slot / slotsPerKesPeriod, rounded down', () => {
    expect(kesPeriodAt(0n, MAINNET_SLOTS_PER_KES_PERIOD)).toBe(0n);
    expect(kesPeriodAt(129_599n, MAINNET_SLOTS_PER_KES_PERIOD)).toBe(0n);
    expect(kesPeriodAt(129_600n, MAINNET_SLOTS_PER_KES_PERIOD)).toBe(1n);
    expect(kesPeriodAt(150_000_000n, MAINNET_SLOTS_PER_KES_PERIOD)).toBe(1157n);
    expect(kesPeriodAt((1n << 64n) - 1n, 1n)).toBe((1n << 64n) - 1n);
    expectCardanoError(() => kesPeriodAt(-1n, 10n), 'INVALID_ARGUMENT', /slot/);
    expectCardanoError(() => kesPeriodAt(1n, 0n), 'INVALID_ARGUMENT', /positive/);
    expectCardanoError(() => kesPeriodAt(1 as unknown as bigint, 10n), 'INVALID_ARGUMENT', /bigint/);
  });

  it('kesEvolutionAt counts periods since the opcert start, 0..63', () => {
    const start = 1100n;
    const slotOf = (period: bigint, offset = 0n) => period * MAINNET_SLOTS_PER_KES_PERIOD + offset;
    expect(kesEvolutionAt(slotOf(1100n), MAINNET_SLOTS_PER_KES_PERIOD, start)).toBe(0);
    expect(kesEvolutionAt(slotOf(1101n) - 1n, MAINNET_SLOTS_PER_KES_PERIOD, start)).toBe(0);
    expect(kesEvolutionAt(slotOf(1101n), MAINNET_SLOTS_PER_KES_PERIOD, start)).toBe(1);
    expect(kesEvolutionAt(slotOf(1163n, 129_599n), MAINNET_SLOTS_PER_KES_PERIOD, start)).toBe(63);
    expectCardanoError(
      () => kesEvolutionAt(slotOf(1100n) - 1n, MAINNET_SLOTS_PER_KES_PERIOD, start),
      'KES_PERIOD_OUT_OF_RANGE',
      /before the operational certificate's start KES period 1100/,
    );
    expectCardanoError(() => kesEvolutionAt(slotOf(1164n), MAINNET_SLOTS_PER_KES_PERIOD, start), 'KES_PERIOD_OUT_OF_RANGE', /64 evolutions .* expired/);
    expectCardanoError(() => kesEvolutionAt(0n, 10n, -1n), 'INVALID_ARGUMENT');
  });

  it('acceptedKesEvolutions is current-1, current, current+1 clipped to 0..63', () => {
    expect(acceptedKesEvolutions(0)).toEqual([0, 1]);
    expect(acceptedKesEvolutions(1)).toEqual([0, 1, 2]);
    expect(acceptedKesEvolutions(31)).toEqual([30, 31, 32]);
    expect(acceptedKesEvolutions(62)).toEqual([61, 62, 63]);
    expect(acceptedKesEvolutions(63)).toEqual([62, 63]);
    expect(acceptedKesEvolutions(64)).toEqual([63]);
    expect(acceptedKesEvolutions(65)).toEqual([]);
    expectCardanoError(() => acceptedKesEvolutions(-1), 'INVALID_ARGUMENT');
    expectCardanoError(() => acceptedKesEvolutions(1.5), 'INVALID_ARGUMENT');
  });
});
