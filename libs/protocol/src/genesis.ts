/**
 * Genesis: the first certificate of a chain, signed by the genesis Ed25519 key instead of a
 * multi-signature. The ceremony can run offline: the aggregator exports the payload (the ASCII
 * signed message), the key holder signs it on another machine, and the aggregator imports the
 * signature, which is verified before the certificate is sealed.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { AggregateVerificationKey } from '@mithril-ts/stm';
import { avkJsonHex, sealCertificate, type Certificate, type CertificateDraft } from './certificate.js';
import type { Epoch } from './epoch.js';
import { ProtocolError } from './errors.js';
import { protocolParametersHash, type ProtocolParameters } from './protocol-parameters.js';
import { ProtocolMessage, signedMessageBytes } from './protocol-message.js';
import { mithrilStakeDistribution } from './signed-entity-type.js';
import type { Timestamp } from './timestamp.js';

export const GENESIS_PROTOCOL_VERSION = '0.1.0';
export const GENESIS_KEY_BYTES = 32;
export const GENESIS_SIGNATURE_BYTES = 64;

export interface GenesisInputs {
  readonly network: string;
  readonly epoch: Epoch;
  /** Parameters of `epoch` (carried in the metadata). */
  readonly parameters: ProtocolParameters;
  /** Parameters of `epoch + 1` (announced in the protocol message). */
  readonly nextParameters: ProtocolParameters;
  /**
   * AVK of the signers recorded for `epoch`, who sign from `epoch + 1` on: it is both the
   * certificate's AVK and the next AVK its protocol message announces (no multi-signature is
   * made in the genesis epoch itself).
   */
  readonly avk: AggregateVerificationKey;
  readonly timestamp: Timestamp;
}

/** Everything of the genesis certificate but its signature. */
export interface GenesisPayload {
  readonly inputs: GenesisInputs;
  readonly protocolMessage: ProtocolMessage;
  /** What the genesis key signs, as text: write it to a file for an offline signer. */
  readonly signedMessage: string;
}

export function createGenesisPayload(inputs: GenesisInputs): GenesisPayload {
  const protocolMessage = new ProtocolMessage({
    next_aggregate_verification_key: avkJsonHex(inputs.avk),
    next_protocol_parameters: protocolParametersHash(inputs.nextParameters),
    current_epoch: inputs.epoch.toString(),
  });
  return { inputs, protocolMessage, signedMessage: protocolMessage.signedMessage() };
}

/** The bytes to sign (ASCII of the signed message), e.g. the content of an exported payload file. */
export function genesisPayloadBytes(payload: GenesisPayload): Uint8Array {
  return signedMessageBytes(payload.signedMessage);
}

export class GenesisSigner {
  private constructor(private readonly secretKey: Uint8Array) {}

  static fromSecretKey(secretKey: Uint8Array): GenesisSigner {
    if (!(secretKey instanceof Uint8Array) || secretKey.length !== GENESIS_KEY_BYTES) {
      throw new ProtocolError('INVALID_GENESIS_KEY', `a genesis secret key is ${GENESIS_KEY_BYTES} bytes`);
    }
    return new GenesisSigner(secretKey.slice());
  }

  static generate(): GenesisSigner {
    return new GenesisSigner(ed25519.utils.randomSecretKey());
  }

  secretKeyBytes(): Uint8Array {
    return this.secretKey.slice();
  }

  verificationKey(): Uint8Array {
    return ed25519.getPublicKey(this.secretKey);
  }

  /** Signs exported payload bytes (the offline step). */
  sign(payloadBytes: Uint8Array): Uint8Array {
    return ed25519.sign(payloadBytes, this.secretKey);
  }
}

export function verifyGenesisSignature(verificationKey: Uint8Array, payloadBytes: Uint8Array, signature: Uint8Array): boolean {
  if (verificationKey.length !== GENESIS_KEY_BYTES || signature.length !== GENESIS_SIGNATURE_BYTES) return false;
  try {
    return ed25519.verify(signature, payloadBytes, verificationKey, { zip215: false });
  } catch {
    return false;
  }
}

/** Seals the genesis certificate once the imported signature verifies under the genesis key. */
export function importGenesisSignature(payload: GenesisPayload, signature: Uint8Array, verificationKey: Uint8Array): Certificate {
  if (!verifyGenesisSignature(verificationKey, genesisPayloadBytes(payload), signature)) {
    throw new ProtocolError('INVALID_GENESIS_SIGNATURE', 'the genesis signature does not verify under the genesis verification key');
  }
  const { inputs } = payload;
  const draft: CertificateDraft = {
    previousHash: '',
    epoch: inputs.epoch,
    signedEntityType: mithrilStakeDistribution(inputs.epoch),
    metadata: {
      network: inputs.network,
      protocolVersion: GENESIS_PROTOCOL_VERSION,
      parameters: inputs.parameters,
      initiatedAt: inputs.timestamp,
      sealedAt: inputs.timestamp,
      signers: [],
    },
    protocolMessage: payload.protocolMessage,
    signedMessage: payload.signedMessage,
    aggregateVerificationKey: inputs.avk,
    signature: { kind: 'genesis', genesisSignature: signature.slice() },
  };
  return sealCertificate(draft);
}
