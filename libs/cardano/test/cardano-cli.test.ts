/**
 * Parsing `cardano-cli` outputs as recorded from real nodes: the reference implementation's
 * recorded CLI outputs (chain observer tests) and a preprod `kes-period-info`.
 */
import { CardanoError, parseCardanoCliKesPeriodInfo, parseCardanoCliStakeSnapshot, parseCardanoCliStakeSnapshots, parseCardanoCliTip } from '../src/index.js';

const TIP = `
{
    "block": 1270276,
    "epoch": 299,
    "era": "Conway",
    "hash": "7383b17d7b05b0953cf0649abff60173995eb9febe556889333e20e1e5b7ca84",
    "slot": 25886617,
    "slotInEpoch": 53017,
    "slotsToEpochEnd": 33383,
    "syncProgress": "100.00"
}`;

const STAKE_SNAPSHOT = `
{
    "pools": {
        "00000036d515e12e18cd3c88c74f09a67984c2c279a5296aa96efe89": {
            "stakeGo": 300000000000,
            "stakeMark": 300000000001,
            "stakeSet": 300000000002
        },
        "000000f66e28b0f18aef20555f4c4954234e3270dfbbdcc13f54e799": {
            "stakeGo": 600000000000,
            "stakeMark": 600000000001,
            "stakeSet": 600000000002
        },
        "00000ffff93effbf3ce788aebd3e7506b80322bd3995ad432e61fad5": {
            "stakeGo": 0,
            "stakeMark": 0,
            "stakeSet": 1300000000002
        }
    },
    "total": {
        "stakeGo": 2100000000000,
        "stakeMark": 2100000000003,
        "stakeSet": 2100000000006
    }
}`;

const KES_PERIOD_INFO = `✓ Operational certificate's KES period is within the correct KES period interval
✓ The operational certificate counter agrees with the node protocol state counter
{
    "qKesCurrentKesPeriod": 842,
    "qKesEndKesInterval": 897,
    "qKesKesKeyExpiry": "2026-02-24T12:00:00Z",
    "qKesMaxKESEvolutions": 62,
    "qKesNodeStateOperationalCertificateNumber": 0,
    "qKesOnDiskOperationalCertificateNumber": 0,
    "qKesRemainingSlotsInKesPeriod": 7020658,
    "qKesSlotsPerKesPeriod": 129600,
    "qKesStartKesInterval": 835
}`;

describe('cardano-cli outputs', () => {
  it('parses a recorded query tip', () => {
    expect(parseCardanoCliTip(TIP)).toEqual({
      epoch: 299n,
      slot: 25886617n,
      block: 1270276n,
      hash: '7383b17d7b05b0953cf0649abff60173995eb9febe556889333e20e1e5b7ca84',
      era: 'Conway',
      syncProgress: 100,
    });
  });

  it('reads every era name cardano-cli prints, and a tip without one', () => {
    for (const era of ['Byron', 'Shelley', 'Allegra', 'Mary', 'Alonzo', 'Babbage', 'Conway'])
      expect(parseCardanoCliTip(`{"epoch": 3, "slot": 1, "era": "${era}"}`).era).toBe(era);
    expect(parseCardanoCliTip('{"epoch": 3, "slot": 1}').era).toBeUndefined();
  });

  it('parses a recorded stake snapshot of all pools (mark stake)', () => {
    const distribution = parseCardanoCliStakeSnapshot(STAKE_SNAPSHOT);
    expect(distribution.get('00000036d515e12e18cd3c88c74f09a67984c2c279a5296aa96efe89')).toBe(300000000001n);
    expect(distribution.get('00000ffff93effbf3ce788aebd3e7506b80322bd3995ad432e61fad5')).toBe(0n);
    expect(distribution.size).toBe(3);
  });

  it('parses the set and go snapshots (the two past epochs), and only when every pool has them', () => {
    const { mark, set, go } = parseCardanoCliStakeSnapshots(STAKE_SNAPSHOT);
    expect(mark.get('00000ffff93effbf3ce788aebd3e7506b80322bd3995ad432e61fad5')).toBe(0n);
    expect(set?.get('00000ffff93effbf3ce788aebd3e7506b80322bd3995ad432e61fad5')).toBe(1300000000002n);
    expect(go?.get('000000f66e28b0f18aef20555f4c4954234e3270dfbbdcc13f54e799')).toBe(600000000000n);
    expect([set?.size, go?.size]).toEqual([3, 3]);
    const partial = parseCardanoCliStakeSnapshots(
      `{"pools":{"${'ab'.repeat(28)}":{"stakeMark":1,"stakeSet":2},"${'cd'.repeat(28)}":{"stakeMark":3,"stakeSet":4,"stakeGo":5}}}`,
    );
    expect(partial.set?.size).toBe(2);
    expect(partial.go).toBeUndefined();
    expect(() => parseCardanoCliStakeSnapshots(`{"pools":{"${'ab'.repeat(28)}":{"stakeMark":1,"stakeSet":-2}}}`)).toThrow(CardanoError);
  });

  it('parses a recorded kes-period-info after its check lines', () => {
    expect(parseCardanoCliKesPeriodInfo(KES_PERIOD_INFO)).toMatchObject({
      currentKesPeriod: 842n,
      startKesInterval: 835n,
      endKesInterval: 897n,
      maxKesEvolutions: 62n,
      slotsPerKesPeriod: 129600n,
      onDiskOperationalCertificateNumber: 0n,
      kesKeyExpiry: '2026-02-24T12:00:00Z',
    });
  });

  it('keeps lovelace precision beyond 2^53', () => {
    const snapshot = `{"pools":{"${'ab'.repeat(28)}":{"stakeMark":45000000000000001}}}`;
    expect(parseCardanoCliStakeSnapshot(snapshot).get('ab'.repeat(28))).toBe(45000000000000001n);
  });

  it.each([
    ['no JSON', () => parseCardanoCliTip('node is not running')],
    ['truncated JSON', () => parseCardanoCliTip('{"epoch": 3, "slot":')],
    ['a negative slot', () => parseCardanoCliTip('{"epoch": 3, "slot": -1}')],
    ['an era that is not a string', () => parseCardanoCliTip('{"epoch": 3, "slot": 1, "era": 7}')],
    ['an era that is not an era name', () => parseCardanoCliTip('{"epoch": 3, "slot": 1, "era": "conway era"}')],
    ['an empty era', () => parseCardanoCliTip('{"epoch": 3, "slot": 1, "era": ""}')],
    ['a pool id that is not hex', () => parseCardanoCliStakeSnapshot('{"pools":{"pool1xyz":{"stakeMark":1}}}')],
    ['a missing mark stake', () => parseCardanoCliStakeSnapshot(`{"pools":{"${'ab'.repeat(28)}":{"stakeGo":1}}}`)],
    ['no current KES period', () => parseCardanoCliKesPeriodInfo('{"qKesStartKesInterval": 1}')],
  ])('rejects %s with a typed error', (_, parse) => {
    try {
      parse();
    } catch (error) {
      expect(error).toBeInstanceOf(CardanoError);
      expect((error as CardanoError).code).toBe('INVALID_CLI_OUTPUT');
      return;
    }
    throw new Error('expected a CardanoError');
  });
});
