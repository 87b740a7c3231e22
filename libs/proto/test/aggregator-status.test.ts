/** The aggregator status through its message: every field kept (stakes beyond 2^53 exact), decoding strict. */
import { stakeTally, type AggregatorStatus } from '@mithril-ts/protocol';
import { AggregatorStatus as AggregatorStatusMessage, WireError, aggregatorStatusFromProto, aggregatorStatusToProto } from '../src/index.js';

const STATUS: AggregatorStatus = {
  epoch: 329n,
  cardanoEra: 'Conway',
  cardanoNetwork: 'mainnet',
  mithrilEra: 'pythagoras',
  cardanoNodeVersion: '10.1.4',
  aggregatorNodeVersion: '0.1.0',
  currentParameters: { k: 857n, m: 6172n, phiF: 0.2 },
  nextParameters: { k: 2422n, m: 20973n, phiF: 0.2 },
  currentSigners: { count: 3n, stake: 123_456_789n },
  nextSigners: { count: 72n, stake: 987_654_321n },
  cardanoStake: { count: 5738n, stake: 22_000_000_000_000_001n },
};

const throughBytes = (message: AggregatorStatusMessage) => AggregatorStatusMessage.decode(AggregatorStatusMessage.encode(message).finish());

describe('aggregator status mapping', () => {
  it('round-trips every field through the wire bytes', () => {
    expect(aggregatorStatusFromProto(throughBytes(aggregatorStatusToProto(STATUS)))).toEqual(STATUS);
  });

  it('carries an era the node did not report as empty, and back as undefined', () => {
    const message = aggregatorStatusToProto({ ...STATUS, cardanoEra: undefined });
    expect(message.cardanoEra).toBe('');
    expect(aggregatorStatusFromProto(throughBytes(message)).cardanoEra).toBeUndefined();
  });

  it('tallies stakes', () => {
    expect(stakeTally([])).toEqual({ count: 0n, stake: 0n });
    expect(
      stakeTally(
        new Map([
          ['a', 2n ** 60n],
          ['b', 2n ** 60n],
        ]).values(),
      ),
    ).toEqual({ count: 2n, stake: 2n ** 61n });
  });

  it.each([
    ['no status', undefined, /status is missing/],
    ['no network', { cardanoNetwork: '' }, /status\.cardano_network is missing/],
    ['no Mithril era', { mithrilEra: '' }, /status\.mithril_era is missing/],
    ['no cardano-node version', { cardanoNodeVersion: '' }, /cardano_node_version is missing/],
    ['no aggregator version', { aggregatorNodeVersion: '' }, /aggregator_node_version is missing/],
    ['no current parameters', { currentProtocolParameters: undefined }, /current_protocol_parameters is missing/],
    ['invalid next parameters', { nextProtocolParameters: { k: 0n, m: 1n, phiF: 0.2 } }, /next_protocol_parameters/],
    ['a control character in a name', { cardanoEra: 'Con\nway' }, /cardano era must be 1 to 128 printable characters/],
    ['an overlong version', { aggregatorNodeVersion: '1'.repeat(129) }, /aggregator node version must be/],
    ['stake without signers', { currentSignerCount: 0n, currentSignersStake: 5n }, /current signers: no party but a stake of 5/],
  ] as const)('refuses %s with a WireError naming the field', (_, change, message) => {
    const wire = change === undefined ? undefined : { ...aggregatorStatusToProto(STATUS), ...change };
    expect(() => aggregatorStatusFromProto(wire)).toThrow(WireError);
    expect(() => aggregatorStatusFromProto(wire)).toThrow(message);
  });
});
