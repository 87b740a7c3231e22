/** Certificates as the reference's `CertificateMessage` and `CertificateListItemMessage`. */
import { createHash } from 'node:crypto';
import { WireError, checkedEncodedCertificateFromProto, protocolMessageFromProto, signedEntityTypeFromProto } from '@mithril-ts/proto';
import { encodeJsonHex } from '@mithril-ts/codec';
import type * as proto from '@mithril-ts/proto';
import { checkCertificateJson, encodedCertificateToJson, signedEntityTypeToJson, type Sha256 } from '@mithril-ts/protocol';
import { avkFromBytes, avkToJson } from '@mithril-ts/stm';
import { dateText, protocolParametersMessage, required } from './common.js';

const NODE_SHA256: Sha256 = { create: () => createHash('sha256') };

/**
 * The certificate's reference JSON, after recomputing its hash from its content (node:crypto's
 * SHA-256 over the texts, no point decoded): a gateway must not relay a certificate under a hash
 * that is not its own. The aggregator answers the JSON as it stores it, which is served as it is;
 * from an aggregator that answers only the message, the message is transcoded (no point decoded
 * either). The points themselves are the verifier's to check.
 */
export function certificateMessageJson(
  answer: { readonly certificate?: proto.Certificate | undefined; readonly certificateJson?: string },
  expectedHash?: string,
): string {
  let hash: string;
  let json: string;
  if (answer.certificateJson !== undefined && answer.certificateJson !== '') {
    json = answer.certificateJson;
    hash = checkCertificateJson(json, NODE_SHA256).hash;
  } else {
    const certificate = checkedEncodedCertificateFromProto(answer.certificate, 'certificate', NODE_SHA256);
    hash = certificate.hash;
    json = encodedCertificateToJson(certificate);
  }
  if (expectedHash !== undefined && hash !== expectedHash) throw new WireError(`asked for certificate ${expectedHash}, got ${hash}`);
  return json;
}

export function certificateListItemMessage(item: proto.CertificateListItem): Record<string, unknown> {
  const metadata = required(item.metadata, 'certificate.metadata');
  return {
    hash: item.hash,
    previous_hash: item.previousHash,
    epoch: item.epoch,
    signed_entity_type: signedEntityTypeToJson(signedEntityTypeFromProto(item.signedEntityType, 'certificate.signed_entity_type')),
    metadata: {
      network: metadata.network,
      version: metadata.protocolVersion,
      parameters: protocolParametersMessage(metadata.protocolParameters, 'certificate.metadata.protocol_parameters'),
      initiated_at: dateText(metadata.initiatedAt, 'certificate.metadata.initiated_at'),
      sealed_at: dateText(metadata.sealedAt, 'certificate.metadata.sealed_at'),
      total_signers: metadata.totalSigners,
    },
    protocol_message: { message_parts: protocolMessageFromProto(item.protocolMessage, 'certificate.protocol_message').toRecord() },
    signed_message: item.signedMessage,
    aggregate_verification_key: encodeJsonHex(avkToJson(avkFromBytes(item.aggregateVerificationKey))),
  };
}
