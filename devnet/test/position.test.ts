import { DEFAULT_DEVNET_PARAMETERS, DevnetError, chainPosition, devnetParameters, positionAtSlot, slotAt, slotStartMs } from '../src/index.js';
import { GENESIS_MS, atSlot } from './helpers.js';

const params = devnetParameters();

describe('devnet parameters', () => {
  it('defaults to a 5-pool devnet with 10 s epochs, 2 KES periods per epoch and a chunk every 20 slots', () => {
    expect(params).toEqual({
      network: 'devnet',
      pools: 5,
      slotLengthMs: 100,
      slotsPerEpoch: 100,
      slotsPerKesPeriod: 50,
      maxKesEvolutions: 62,
      immutableFileEverySlots: 20,
      seed: 'mithril-ts devnet',
    });
    expect(params).toEqual(DEFAULT_DEVNET_PARAMETERS);
  });

  it('refuses parameters that make no sense, naming them', () => {
    expect(() => devnetParameters({ pools: 0 })).toThrow(/pools/);
    expect(() => devnetParameters({ slotLengthMs: 0.5 })).toThrow(/slotLengthMs/);
    expect(() => devnetParameters({ slotsPerKesPeriod: -1 })).toThrow(/slotsPerKesPeriod/);
    expect(() => devnetParameters({ maxKesEvolutions: 65 })).toThrow(/maxKesEvolutions/);
    expect(() => devnetParameters({ immutableFileEverySlots: Number.NaN })).toThrow(/immutableFileEverySlots/);
    expect(() => devnetParameters({ seed: '' })).toThrow(/seed/);
    expect(() => devnetParameters({ network: 'a b' })).toThrow(/network/);
    expect(() => devnetParameters({ slots: 3 } as never)).toThrow(/unknown devnet parameter "slots"/);
    expect(() => devnetParameters({ pools: 0 })).toThrow(DevnetError);
  });
});

describe('clock → chain position', () => {
  it('starts at slot 0 with no complete immutable file', () => {
    expect(chainPosition(params, GENESIS_MS, GENESIS_MS)).toEqual({
      slot: 0n,
      epoch: 0n,
      slotInEpoch: 0n,
      slotsToEpochEnd: 100n,
      kesPeriod: 0n,
      currentChunk: 0n,
      immutableFileNumber: null,
      blockNumber: 0n,
    });
  });

  it('floors the time to the slot it falls in', () => {
    expect(slotAt(params, GENESIS_MS, atSlot(7, 99))).toBe(7n);
    expect(slotAt(params, GENESIS_MS, atSlot(8))).toBe(8n);
    expect(slotAt(params, GENESIS_MS, atSlot(8, 0.5))).toBe(8n);
    expect(slotStartMs(params, GENESIS_MS, 8n)).toBe(atSlot(8));
  });

  it('changes epoch at multiples of slotsPerEpoch', () => {
    const last = positionAtSlot(params, 99n);
    expect([last.epoch, last.slotInEpoch, last.slotsToEpochEnd]).toEqual([0n, 99n, 1n]);
    const first = positionAtSlot(params, 100n);
    expect([first.epoch, first.slotInEpoch, first.slotsToEpochEnd]).toEqual([1n, 0n, 100n]);
    expect(positionAtSlot(params, 1234n).epoch).toBe(12n);
  });

  it('changes KES period every slotsPerKesPeriod slots: mid-epoch and at epoch boundaries', () => {
    const periods = [0n, 49n, 50n, 99n, 100n, 149n, 150n].map((slot) => positionAtSlot(params, slot).kesPeriod);
    expect(periods).toEqual([0n, 0n, 1n, 1n, 2n, 2n, 3n]);
    // A KES period that does not divide the epoch: boundaries fall at different places in each epoch.
    const odd = devnetParameters({ slotsPerKesPeriod: 30 });
    expect([29n, 30n, 99n, 100n, 119n, 120n].map((slot) => positionAtSlot(odd, slot).kesPeriod)).toEqual([0n, 1n, 3n, 3n, 3n, 4n]);
  });

  it('completes an immutable chunk when the first block of the next one exists', () => {
    const at = (slot: bigint) => {
      const p = positionAtSlot(params, slot);
      return [p.currentChunk, p.immutableFileNumber];
    };
    expect(at(19n)).toEqual([0n, null]);
    expect(at(20n)).toEqual([1n, 0n]);
    expect(at(39n)).toEqual([1n, 0n]);
    expect(at(40n)).toEqual([2n, 1n]);
    expect(at(100n)).toEqual([5n, 4n]); // 5 chunks per epoch
    const sevens = devnetParameters({ immutableFileEverySlots: 7 });
    expect(positionAtSlot(sevens, 13n).immutableFileNumber).toBe(0n);
    expect(positionAtSlot(sevens, 14n).immutableFileNumber).toBe(1n);
  });

  it('counts one block per slot', () => {
    expect(positionAtSlot(params, 4321n).blockNumber).toBe(4321n);
  });

  it('uses the slot length', () => {
    const slow = devnetParameters({ slotLengthMs: 1000 });
    expect(chainPosition(slow, GENESIS_MS, GENESIS_MS + 100_999).slot).toBe(100n);
    expect(chainPosition(slow, GENESIS_MS, GENESIS_MS + 100_999).epoch).toBe(1n);
  });

  it('refuses a time before genesis or not a number', () => {
    expect(() => chainPosition(params, GENESIS_MS, GENESIS_MS - 1)).toThrow(expect.objectContaining({ code: 'BEFORE_GENESIS' }));
    expect(() => chainPosition(params, GENESIS_MS, Number.NaN)).toThrow(DevnetError);
    expect(() => positionAtSlot(params, -1n)).toThrow(DevnetError);
  });
});
