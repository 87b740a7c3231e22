import { decodeJsonHex, encodeJsonHex } from '@mithril-ts/codec';
import { aggregateSignatureFromJson, aggregateSignatureToJson, avkFromJson, avkToJson } from '@mithril-ts/stm';
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
