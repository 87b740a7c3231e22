import { Certificate as CertificateMessage, CertificateListItem as CertificateListItemMessage } from '@mithril-ts/proto';
import {
  cardanoDatabase,
  certificateFromJson,
  encodeCertificate,
  certificateToJson,
  encodedCertificateFromJson,
  encodedCertificateToJson,
  mithrilStakeDistribution,
} from '@mithril-ts/protocol';
import { buildChain } from '@mithril-ts/testkit';
import {
  WireError,
  certificateFromProto,
  certificateListItemToProto,
  certificateToProto,
  encodedCertificateFromProto,
  encodedCertificateToProto,
  signedEntityTypeFromProto,
  signedEntityTypeToProto,
  timestampFromProto,
  timestampToProto,
} from '../src/index.js';

describe('wire mapping', () => {
  const chain = buildChain({ lastEpoch: 4n });

  it('carries certificates (genesis and standard) through protobuf bytes with the same hash', () => {
    for (const certificate of [chain.certificates[0]!, chain.latest]) {
      const bytes = CertificateMessage.encode(certificateToProto(certificate)).finish();
      const back = certificateFromProto(CertificateMessage.decode(bytes));
      expect(back.hash).toBe(certificate.hash);
      expect(back.metadata.sealedAt).toBe(certificate.metadata.sealedAt);
    }
  });

  it('transcodes reference JSON to the message and back without decoding a point, as decoding and re-encoding does', () => {
    for (const certificate of [chain.certificates[0]!, chain.latest]) {
      const json = certificateToJson(certificate);
      const transcoded = CertificateMessage.encode(encodedCertificateToProto(encodedCertificateFromJson(json))).finish();
      const decoded = CertificateMessage.encode(certificateToProto(certificateFromJson(json))).finish();
      expect(Buffer.from(transcoded).equals(Buffer.from(decoded))).toBe(true);
      expect(encodedCertificateToJson(encodedCertificateFromProto(CertificateMessage.decode(transcoded)))).toBe(json);
    }
  });

  it('relays a certificate with an invalid point as it came, which the decoding reader refuses', () => {
    const encoded = encodeCertificate(chain.latest);
    if (encoded.signature.kind !== 'multi-signature') throw new Error('the latest certificate has a multi-signature');
    const [first, ...rest] = encoded.signature.multiSignature.signatures;
    const notAPoint = new Uint8Array(48).fill(0xff);
    const multiSignature = { ...encoded.signature.multiSignature, signatures: [{ ...first!, signature: { ...first!.signature, sigma: notAPoint } }, ...rest] };
    const tampered = encodedCertificateToProto({ ...encoded, signature: { kind: 'multi-signature', multiSignature } });
    const relayed = encodedCertificateToProto(encodedCertificateFromProto(tampered));
    expect(Buffer.from(CertificateMessage.encode(relayed).finish()).equals(Buffer.from(CertificateMessage.encode(tampered).finish()))).toBe(true);
    expect(() => certificateFromProto(tampered)).toThrow(WireError);
  });

  it('lists a certificate with the same head as the full message, its signers counted, without the signature', () => {
    const certificate = chain.latest;
    const full = certificateToProto(certificate);
    const item = CertificateListItemMessage.decode(CertificateListItemMessage.encode(certificateListItemToProto(certificate)).finish());
    const { signature: _signature, metadata: fullMetadata, ...head } = full;
    const { signers, ...metadataHead } = fullMetadata!;
    expect(certificate.metadata.signers.length).toBeGreaterThan(1);
    expect(item).toEqual({
      ...head,
      aggregateVerificationKey: item.aggregateVerificationKey,
      metadata: { ...metadataHead, totalSigners: BigInt(signers.length) },
    });
    expect(Buffer.from(item.aggregateVerificationKey).equals(full.aggregateVerificationKey)).toBe(true);
    expect('signature' in item).toBe(false);
  });

  it('refuses a certificate whose content does not match its hash', () => {
    const message = certificateToProto(chain.latest);
    expect(() => certificateFromProto({ ...message, epoch: message.epoch + 1n })).toThrow(WireError);
    expect(() => certificateFromProto({ ...message, signature: undefined })).toThrow(/no signature/);
  });

  it('maps signed entity types and nanosecond timestamps both ways', () => {
    for (const type of [cardanoDatabase(3n, 99n), mithrilStakeDistribution(7n)]) {
      expect(signedEntityTypeFromProto(signedEntityTypeToProto(type))).toEqual(type);
    }
    expect(() => signedEntityTypeFromProto({ entity: undefined })).toThrow(/missing/);
    expect(timestampFromProto(timestampToProto(1_700_000_000_123_456_789n), 't')).toBe(1_700_000_000_123_456_789n);
    expect(() => timestampFromProto({ seconds: 1n, nanos: 1e9 }, 't')).toThrow(WireError);
  });
});
