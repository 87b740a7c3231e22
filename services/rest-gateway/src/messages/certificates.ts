/** Certificates as the reference's `CertificateMessage` and `CertificateListItemMessage`. */
import { WireError, certificateFromProto, protocolMessageFromProto, signedEntityTypeFromProto } from '@mithril-ts/proto';
import { encodeJsonHex } from '@mithril-ts/codec';
import type * as proto from '@mithril-ts/proto';
import { certificateToJson, signedEntityTypeToJson } from '@mithril-ts/protocol';
import { avkFromBytes, avkToJson } from '@mithril-ts/stm';
import { dateText, protocolParametersMessage, required } from './common.js';

/**
 * The certificate's JSON, after recomputing its hash from its content (certificateFromProto):
 * a gateway must not relay a certificate under a hash that is not its own.
 */
export function certificateMessageJson(message: proto.Certificate | undefined, expectedHash?: string): string {
  const certificate = certificateFromProto(message);
  if (expectedHash !== undefined && certificate.hash !== expectedHash) {
    throw new WireError(`asked for certificate ${expectedHash}, got ${certificate.hash}`);
  }
  return certificateToJson(certificate);
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
