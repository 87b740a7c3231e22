/**
 * Signers as the reference's `Signer` / `SignerWithStake` message parts: the Mithril key, KES
 * signature and operational certificate in json-hex. Keys were validated by the aggregator when
 * they were registered; they are re-shaped here, not decoded (see verificationKeyPoPBytesToJson).
 */
import { encodeJsonHex } from '@mithril-ts/codec';
import { kesSignatureToJson, operationalCertificateFromCbor, operationalCertificateToJson } from '@mithril-ts/cardano';
import type * as proto from '@mithril-ts/proto';
import { verificationKeyPoPBytesToJson } from '@mithril-ts/stm';

export function signerMessage(signer: proto.Signer): Record<string, unknown> {
  return {
    party_id: signer.partyId,
    verification_key: encodeJsonHex(verificationKeyPoPBytesToJson(signer.verificationKey)),
    ...(signer.verificationKeySignature !== undefined
      ? { verification_key_signature: encodeJsonHex(kesSignatureToJson(signer.verificationKeySignature)) }
      : {}),
    ...(signer.operationalCertificate !== undefined
      ? { operational_certificate: encodeJsonHex(operationalCertificateToJson(operationalCertificateFromCbor(signer.operationalCertificate))) }
      : {}),
    ...(signer.kesEvolutions !== undefined ? { kes_period: signer.kesEvolutions } : {}),
  };
}

export function signerWithStakeMessage(signer: proto.Signer): Record<string, unknown> {
  return { ...signerMessage(signer), stake: signer.stake };
}
