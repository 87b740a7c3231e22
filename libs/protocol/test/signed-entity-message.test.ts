import { cardanoDatabase, epochProtocolMessage, mithrilStakeDistribution, signedEntityProtocolMessage, ProtocolError } from '../src/index.js';
import { buildChain } from '@mithril-ts/testkit';

describe('protocol message of a signed entity', () => {
  const chain = buildChain({ lastEpoch: 4n });
  const settings = chain.settings(4n);
  const root = 'ab'.repeat(32);

  it('is the epoch seed for a stake distribution, plus the Merkle root for a Cardano database', () => {
    expect(signedEntityProtocolMessage(settings, mithrilStakeDistribution(4n)).equals(epochProtocolMessage(settings))).toBe(true);
    const message = signedEntityProtocolMessage(settings, cardanoDatabase(4n, 12n), { cardanoDatabaseMerkleRoot: root });
    expect(message.get('cardano_database_merkle_root')).toBe(root);
    expect(message.get('current_epoch')).toBe('4');
    // the certified chain fixture signs the same shape of message
    expect(
      chain.certificates
        .find((c) => c.signedEntityType.kind === 'CardanoDatabase' && c.epoch === 4n)!
        .protocolMessage.entries()
        .map(([k]) => k),
    ).toEqual(message.entries().map(([k]) => k));
  });

  it('refuses another epoch and a missing or malformed root', () => {
    expect(() => signedEntityProtocolMessage(settings, mithrilStakeDistribution(5n))).toThrow(ProtocolError);
    expect(() => signedEntityProtocolMessage(settings, cardanoDatabase(4n, 12n))).toThrow(/Merkle root/);
    expect(() => signedEntityProtocolMessage(settings, cardanoDatabase(4n, 12n), { cardanoDatabaseMerkleRoot: 'AB'.repeat(32) })).toThrow(/Merkle root/);
  });
});
