import { decodeJsonHex, encodeJsonHex } from '@mithril-ts/codec';
import { aggregateSignatureFromJson, aggregateSignatureToJson, avkFromBytes, avkFromJson, avkToJson } from '@mithril-ts/stm';
import {
  GenesisSigner,
  ProtocolMessage,
  certificateMetadataHash,
  computeCertificateHash,
  decodeGenesisVerificationKey,
  mithrilStakeDistribution,
  parseTimestamp,
  protocolParametersHash,
  type CertificateDraft,
  type CertificateMetadata,
} from '../src/index.js';
import { FAKE_KEYS } from './reference-vectors.js';

const avk = (jsonHex: string) => avkFromJson(decodeJsonHex(jsonHex));
const initiatedAt = parseTimestamp('2024-02-12T13:11:47.0123043Z');
const metadata: CertificateMetadata = {
  network: 'testnet',
  protocolVersion: '0.1.0',
  parameters: { k: 1000n, m: 100n, phiF: 0.123 },
  initiatedAt,
  sealedAt: initiatedAt + 100_000_000_000n,
  signers: [
    { partyId: '1', stake: 10n },
    { partyId: '2', stake: 20n },
  ],
};
const protocolMessage = new ProtocolMessage({ snapshot_digest: 'snapshot-digest-123', next_aggregate_verification_key: FAKE_KEYS.avk1 });

describe('certificate hash known answers (reference certificate.rs tests)', () => {
  it('reproduces the protocol parameters, metadata and protocol message hashes', () => {
    expect(protocolParametersHash(metadata.parameters)).toBe('ace019657cd995b0dfbb1ce8721a1092715972c4ae0171cc636ab4a44e6e4279');
    expect(initiatedAt).toBe(1707743507012304300n);
    expect(certificateMetadataHash(metadata)).toBe('053571e34d17caf9ed8e42858593cf5a323395439251578db497a4e1b6521f80');
    expect(protocolMessage.hash()).toBe('82c7e6a3a8668ffee721af0ad4ea159ed6ac3792a2c58d890f740a349134db4a');
  });

  it('decodes the reference fixtures and re-serialises them byte for byte', () => {
    for (const fixture of [FAKE_KEYS.avk0, FAKE_KEYS.avk1, FAKE_KEYS.avk2]) expect(encodeJsonHex(avkToJson(avk(fixture)))).toBe(fixture);
    for (const fixture of [FAKE_KEYS.multiSignature0, FAKE_KEYS.multiSignature1]) {
      expect(encodeJsonHex(aggregateSignatureToJson(aggregateSignatureFromJson(decodeJsonHex(fixture))))).toBe(fixture);
    }
  });

  const base: Omit<CertificateDraft, 'aggregateVerificationKey' | 'signature'> = {
    previousHash: 'previous_hash',
    epoch: 10n,
    signedEntityType: mithrilStakeDistribution(10n),
    metadata,
    protocolMessage,
    signedMessage: protocolMessage.signedMessage(),
  };

  it('reproduces the multi-signature certificate hash 5e341cee…', () => {
    const draft: CertificateDraft = {
      ...base,
      aggregateVerificationKey: avk(FAKE_KEYS.avk0),
      signature: { kind: 'multi-signature', multiSignature: aggregateSignatureFromJson(decodeJsonHex(FAKE_KEYS.multiSignature0)) },
    };
    expect(computeCertificateHash(draft)).toBe('5e341ceeb91cc9957fca96d586e0ff2c66a8d6ec6b90bf84929c060c717094da');
    // Every hashed field matters.
    expect(computeCertificateHash({ ...draft, previousHash: 'other' })).not.toBe(computeCertificateHash(draft));
    expect(computeCertificateHash({ ...draft, epoch: 20n })).not.toBe(computeCertificateHash(draft));
    expect(computeCertificateHash({ ...draft, metadata: { ...metadata, protocolVersion: '0.1.0-modified' } })).not.toBe(computeCertificateHash(draft));
    expect(computeCertificateHash({ ...draft, aggregateVerificationKey: avk(FAKE_KEYS.avk2) })).not.toBe(computeCertificateHash(draft));
    expect(computeCertificateHash({ ...draft, signedEntityType: mithrilStakeDistribution(100n) })).not.toBe(computeCertificateHash(draft));
  });

  it('reproduces the genesis certificate hash 6160fca8…', () => {
    const draft: CertificateDraft = {
      ...base,
      aggregateVerificationKey: avk(FAKE_KEYS.avk1),
      signature: { kind: 'genesis', genesisSignature: Uint8Array.from(Buffer.from(FAKE_KEYS.genesisSignature0, 'hex')) },
    };
    expect(computeCertificateHash(draft)).toBe('6160fca853402c0ea89a0a9ceb5d97462ffd81c558c53feef01dcc0827f5bd19');
    const other = { ...draft, signature: { kind: 'genesis' as const, genesisSignature: Uint8Array.from(Buffer.from(FAKE_KEYS.genesisSignature1, 'hex')) } };
    expect(computeCertificateHash(other)).not.toBe(computeCertificateHash(draft));
  });

  it('derives the reference genesis verification key from its deterministic seed', () => {
    // The reference's test genesis signer uses the first 32 bytes of the zero-seeded ChaCha20 stream as Ed25519 seed.
    const seed = Uint8Array.from(Buffer.from('76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7', 'hex'));
    expect(GenesisSigner.fromSecretKey(seed).verificationKey()).toEqual(decodeGenesisVerificationKey(FAKE_KEYS.genesisVerificationKey0));
  });
});

describe('protocol message known answers (reference protocol_message.rs and devnet output)', () => {
  it('reproduces the golden legacy hash', () => {
    const message = new ProtocolMessage({ snapshot_digest: 'snapshot-digest-123', next_aggregate_verification_key: 'next-avk-123' });
    expect(message.hash()).toBe('71dee1e558cd647cdbc219a24b766940f568e7e8287c30a8292209ef11666e03');
  });

  it('reproduces two signed messages of a reference devnet (declaration order, not alphabetical)', () => {
    const parts = {
      cardano_transactions_merkle_root: 'ecfeb3584f505906de1fadcc6f4acaa9fda55da82c771073a83bbb288bb62b6e',
      next_aggregate_verification_key:
        '7b226d745f636f6d6d69746d656e74223a7b22726f6f74223a5b3137382c39342c33322c3132392c3132302c3132382c31372c3232352c37332c3135372c3136362c3132342c3234362c3130362c35352c33362c3135372c332c3137372c3231392c35332c3139342c3139322c39342c3133382c36332c3134332c3233312c3230332c3138362c36342c3134335d2c226e725f6c6561766573223a322c22686173686572223a6e756c6c7d2c22746f74616c5f7374616b65223a3230323830313337303631347d',
    };
    expect(new ProtocolMessage({ ...parts, latest_block_number: '1589' }).signedMessage()).toBe(
      '3b2242e276f1d1e8f28e5ffeb0f0c666ef3d5a5b2c8bf827576d4a513ab2de29',
    );
    expect(new ProtocolMessage({ ...parts, latest_block_number: '1574' }).signedMessage()).toBe(
      'ed76b5a8b41e4800fd4babc5bcffe483fe9daf43342aaddefe1f197907f0af06',
    );
  });

  it('decodes the reference bytes-hex AVK and multi-signature encodings', () => {
    const avkBytes = avkFromBytes(
      Uint8Array.from(Buffer.from('00000000000000000404036cb79141a645faca33405ae82d67388a663fd1f55116781006608cccd2370000000000000006', 'hex')),
    );
    expect(avkBytes.commitment.nrLeaves).toBe(4);
    expect(avkBytes.totalStake).toBe(6n);
    expect([...avkBytes.commitment.root.subarray(0, 4)]).toEqual([4, 3, 108, 183]);
  });
});
