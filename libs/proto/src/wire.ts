/**
 * Domain values (libs/protocol, libs/stm) to and from their protobuf messages, in one
 * place so that every service reads and writes the wire the same way. Decoding is strict: a
 * missing or malformed field is a WireError naming it, which handlers turn into MALFORMED_REQUEST.
 */
import type { Timestamp as TimestampMessage } from './gen/google/protobuf/timestamp.js';
import * as proto from './v1.js';
import {
  ProtocolMessage,
  cardanoDatabase,
  checkAggregatorStatus,
  mithrilStakeDistribution,
  checkEncodedCertificate,
  decodeCertificate,
  ownSignedEntityType,
  encodeCertificate,
  validateProtocolParameters,
  type AggregatorStatus,
  type Certificate,
  type EncodedCertificate,
  type Sha256,
  type CertificateHead,
  type ProtocolParameters,
  type SignedEntityKind,
  type SignedEntityType,
  type Timestamp,
} from '@mithril-ts/protocol';
import { avkFromBytes, avkToBytes, encodedAggregateSignatureFromBytes, encodedAggregateSignatureToBytes } from '@mithril-ts/stm';

export class WireError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WireError';
  }
}

function wrap<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (cause instanceof WireError) throw cause;
    throw new WireError(`${what}: ${(cause as Error).message}`, { cause });
  }
}

export function signedEntityTypeToProto(type: SignedEntityType): proto.SignedEntityType {
  return type.kind === 'CardanoDatabase'
    ? { entity: { $case: 'cardanoDatabase', value: { epoch: type.epoch, immutableFileNumber: type.immutableFileNumber } } }
    : { entity: { $case: 'mithrilStakeDistribution', value: { epoch: type.epoch } } };
}

export function signedEntityTypeFromProto(message: proto.SignedEntityType | undefined, what = 'signed_entity_type'): SignedEntityType {
  const entity = message?.entity;
  if (entity === undefined) throw new WireError(`${what} is missing`);
  return wrap(what, () =>
    entity.$case === 'cardanoDatabase' ? cardanoDatabase(entity.value.epoch, entity.value.immutableFileNumber) : mithrilStakeDistribution(entity.value.epoch),
  );
}

export function signedEntityKindToProto(kind: SignedEntityKind): proto.SignedEntityKind {
  return kind === 'CardanoDatabase'
    ? proto.SignedEntityKind.SIGNED_ENTITY_KIND_CARDANO_DATABASE
    : proto.SignedEntityKind.SIGNED_ENTITY_KIND_MITHRIL_STAKE_DISTRIBUTION;
}

/** Undefined for UNSPECIFIED (no filter); a WireError for an unknown value. */
export function signedEntityKindFromProto(kind: proto.SignedEntityKind): SignedEntityKind | undefined {
  switch (kind) {
    case proto.SignedEntityKind.SIGNED_ENTITY_KIND_UNSPECIFIED:
      return undefined;
    case proto.SignedEntityKind.SIGNED_ENTITY_KIND_CARDANO_DATABASE:
      return 'CardanoDatabase';
    case proto.SignedEntityKind.SIGNED_ENTITY_KIND_MITHRIL_STAKE_DISTRIBUTION:
      return 'MithrilStakeDistribution';
    default:
      throw new WireError(`unknown signed entity kind ${String(kind)}`);
  }
}

export function protocolParametersToProto(parameters: ProtocolParameters): proto.ProtocolParameters {
  return { k: parameters.k, m: parameters.m, phiF: parameters.phiF };
}

export function protocolParametersFromProto(message: proto.ProtocolParameters | undefined, what = 'protocol_parameters'): ProtocolParameters {
  if (message === undefined) throw new WireError(`${what} is missing`);
  return wrap(what, () => validateProtocolParameters({ k: message.k, m: message.m, phiF: message.phiF }));
}

export function protocolMessageToProto(message: ProtocolMessage): proto.ProtocolMessage {
  return { parts: message.entries().map(([key, value]) => ({ key, value })) };
}

export function protocolMessageFromProto(message: proto.ProtocolMessage | undefined, what = 'protocol_message'): ProtocolMessage {
  if (message === undefined) throw new WireError(`${what} is missing`);
  return wrap(what, () => {
    const result = new ProtocolMessage();
    const seen = new Set<string>();
    for (const { key, value } of message.parts) {
      if (seen.has(key)) throw new WireError(`part ${key} appears twice`);
      seen.add(key);
      result.set(key, value);
    }
    return result;
  });
}

const NANOS_PER_SECOND = 1_000_000_000n;

export function timestampToProto(timestamp: Timestamp): TimestampMessage {
  return { seconds: timestamp / NANOS_PER_SECOND, nanos: Number(timestamp % NANOS_PER_SECOND) };
}

export function timestampFromProto(message: TimestampMessage | undefined, what: string): Timestamp {
  if (message === undefined) throw new WireError(`${what} is missing`);
  if (message.seconds < 0n || !Number.isInteger(message.nanos) || message.nanos < 0 || message.nanos >= 1e9) {
    throw new WireError(`${what} is not a valid timestamp after 1970`);
  }
  return message.seconds * NANOS_PER_SECOND + BigInt(message.nanos);
}

/** What a certificate and its list entry share: all but the signers list and the signature. */
function certificateHeadToProto(certificate: CertificateHead) {
  const { metadata } = certificate;
  return {
    hash: certificate.hash,
    previousHash: certificate.previousHash,
    epoch: certificate.epoch,
    signedEntityType: signedEntityTypeToProto(ownSignedEntityType(certificate.signedEntityType)),
    metadata: {
      network: metadata.network,
      protocolVersion: metadata.protocolVersion,
      protocolParameters: protocolParametersToProto(metadata.parameters),
      initiatedAt: timestampToProto(metadata.initiatedAt),
      sealedAt: timestampToProto(metadata.sealedAt),
    },
    protocolMessage: protocolMessageToProto(certificate.protocolMessage),
    signedMessage: certificate.signedMessage,
    aggregateVerificationKey: Buffer.from(avkToBytes(certificate.aggregateVerificationKey)),
  };
}

export function certificateToProto(certificate: Certificate): proto.Certificate {
  return encodedCertificateToProto(encodeCertificate(certificate));
}

/** {@link certificateToProto} of an encoded certificate: the same message, no point decoded. */
export function encodedCertificateToProto(certificate: EncodedCertificate): proto.Certificate {
  const head = certificateHeadToProto(certificate);
  return {
    ...head,
    metadata: { ...head.metadata, signers: certificate.metadata.signers.map(({ partyId, stake }) => ({ partyId, stake })) },
    signature:
      certificate.signature.kind === 'genesis'
        ? { $case: 'genesisSignature', value: Buffer.from(certificate.signature.genesisSignature) }
        : { $case: 'multiSignature', value: Buffer.from(encodedAggregateSignatureToBytes(certificate.signature.multiSignature)) },
  };
}

/** A certificate's list entry: the signers counted instead of listed, and no signature. */
export function certificateListItemToProto(certificate: CertificateHead): proto.CertificateListItem {
  const head = certificateHeadToProto(certificate);
  return { ...head, metadata: { ...head.metadata, totalSigners: BigInt(certificate.metadata.signers.length) } };
}

/**
 * The certificate of a message with its multi-signature's points not decoded (see
 * EncodedCertificate) and its hash as given: for relaying it in another format. Every field and
 * the multi-signature's structure are checked (WireError).
 */
export function encodedCertificateFromProto(message: proto.Certificate | undefined, what = 'certificate'): EncodedCertificate {
  if (message === undefined) throw new WireError(`${what} is missing`);
  const metadata = message.metadata;
  if (metadata === undefined) throw new WireError(`${what}.metadata is missing`);
  const signature = message.signature;
  if (signature === undefined) throw new WireError(`${what} has no signature`);
  return wrap(what, () => ({
    hash: message.hash,
    previousHash: message.previousHash,
    epoch: message.epoch,
    signedEntityType: signedEntityTypeFromProto(message.signedEntityType, `${what}.signed_entity_type`),
    metadata: {
      network: metadata.network,
      protocolVersion: metadata.protocolVersion,
      parameters: protocolParametersFromProto(metadata.protocolParameters, `${what}.metadata.protocol_parameters`),
      initiatedAt: timestampFromProto(metadata.initiatedAt, `${what}.metadata.initiated_at`),
      sealedAt: timestampFromProto(metadata.sealedAt, `${what}.metadata.sealed_at`),
      signers: metadata.signers.map(({ partyId, stake }) => ({ partyId, stake })),
    },
    protocolMessage: protocolMessageFromProto(message.protocolMessage, `${what}.protocol_message`),
    signedMessage: message.signedMessage,
    aggregateVerificationKey: avkFromBytes(message.aggregateVerificationKey),
    signature:
      signature.$case === 'genesisSignature'
        ? { kind: 'genesis', genesisSignature: new Uint8Array(signature.value) }
        : { kind: 'multi-signature', multiSignature: encodedAggregateSignatureFromBytes(signature.value) },
  }));
}

/** The certificate with every point decoded and its hash recomputed: a certificate whose hash does not match is a WireError. */
export function certificateFromProto(message: proto.Certificate | undefined, what = 'certificate'): Certificate {
  const encoded = checkedEncodedCertificateFromProto(message, what);
  return wrap(what, () => decodeCertificate(encoded));
}

/**
 * {@link encodedCertificateFromProto} with the hash recomputed from the content (with `hash`,
 * noble's SHA-256 by default), no point decoded: a relay's guard against serving a certificate
 * under a hash that is not its own. A mismatch is a WireError.
 */
export function checkedEncodedCertificateFromProto(message: proto.Certificate | undefined, what = 'certificate', hash?: Sha256): EncodedCertificate {
  const encoded = encodedCertificateFromProto(message, what);
  return wrap(what, () => checkEncodedCertificate(encoded, hash));
}

export function aggregatorStatusToProto(status: AggregatorStatus): proto.AggregatorStatus {
  return {
    epoch: status.epoch,
    // proto3 strings have no absence: an era the node did not report travels as empty.
    cardanoEra: status.cardanoEra ?? '',
    cardanoNetwork: status.cardanoNetwork,
    mithrilEra: status.mithrilEra,
    cardanoNodeVersion: status.cardanoNodeVersion,
    aggregatorNodeVersion: status.aggregatorNodeVersion,
    currentProtocolParameters: protocolParametersToProto(status.currentParameters),
    nextProtocolParameters: protocolParametersToProto(status.nextParameters),
    currentSignerCount: status.currentSigners.count,
    currentSignersStake: status.currentSigners.stake,
    nextSignerCount: status.nextSigners.count,
    nextSignersStake: status.nextSigners.stake,
    cardanoPoolCount: status.cardanoStake.count,
    cardanoTotalStake: status.cardanoStake.stake,
  };
}

/** Strict: every field the reference's /status requires must be there (an empty name or version is missing). */
export function aggregatorStatusFromProto(message: proto.AggregatorStatus | undefined, what = 'status'): AggregatorStatus {
  if (message === undefined) throw new WireError(`${what} is missing`);
  const text = (value: string, field: string) => {
    if (value === '') throw new WireError(`${what}.${field} is missing`);
    return value;
  };
  const status: AggregatorStatus = {
    epoch: message.epoch,
    cardanoEra: message.cardanoEra === '' ? undefined : message.cardanoEra,
    cardanoNetwork: text(message.cardanoNetwork, 'cardano_network'),
    mithrilEra: text(message.mithrilEra, 'mithril_era'),
    cardanoNodeVersion: text(message.cardanoNodeVersion, 'cardano_node_version'),
    aggregatorNodeVersion: text(message.aggregatorNodeVersion, 'aggregator_node_version'),
    currentParameters: protocolParametersFromProto(message.currentProtocolParameters, `${what}.current_protocol_parameters`),
    nextParameters: protocolParametersFromProto(message.nextProtocolParameters, `${what}.next_protocol_parameters`),
    currentSigners: { count: message.currentSignerCount, stake: message.currentSignersStake },
    nextSigners: { count: message.nextSignerCount, stake: message.nextSignersStake },
    cardanoStake: { count: message.cardanoPoolCount, stake: message.cardanoTotalStake },
  };
  return wrap(what, () => checkAggregatorStatus(status));
}
