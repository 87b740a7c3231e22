/**
 * One signing round's end: the stored single signatures of an open message aggregated by the
 * clerk of the epoch, sealed into a certificate linked to the epoch's master certificate. The
 * signatures this process verified on receipt (SignatureIntake, against the same signer set and
 * message) are not verified again; those read back from the store are (batched).
 */
import {
  PROTOCOL_VERSION,
  createStandardCertificate,
  signedMessageBytes,
  type Certificate,
  type EpochSettings,
  type ProtocolMessage,
  type SignedEntityType,
  type Timestamp,
} from '@mithril-ts/protocol';
import { Clerk, type SingleSignature, StmError, singleSignatureFromBytes } from '@mithril-ts/stm';
import type { SingleSignatureRecord } from '../store/index.js';

/** Distinct lottery indexes the stored signatures claim: aggregation is pointless below k. */
export function claimedIndexes(signatures: readonly SingleSignatureRecord[]): number {
  const indexes = new Set<bigint>();
  for (const signature of signatures) for (const index of signature.wonIndexes) indexes.add(index);
  return indexes.size;
}

export interface RoundInputs {
  readonly network: string;
  readonly settings: EpochSettings;
  readonly signedEntityType: SignedEntityType;
  readonly protocolMessage: ProtocolMessage;
  readonly signatures: readonly SingleSignatureRecord[];
  readonly previousHash: string;
  readonly initiatedAt: Timestamp;
  readonly sealedAt: Timestamp;
  /**
   * A signature decoded AND verified on receipt by this process, against the epoch's signer set and
   * this message (decoding costs a point decompression and a subgroup check, verifying a share of a
   * pairing product and of two multi-scalar multiplications); undefined: decode and verify the stored bytes.
   */
  readonly decoded?: (record: SingleSignatureRecord) => SingleSignature | undefined;
}

/** The certificate of the round, or undefined while the valid signatures cover fewer than k indexes. */
export function certifyRound(inputs: RoundInputs): Certificate | undefined {
  const { settings } = inputs;
  const signers = settings.currentSigners;
  if (signers === undefined) return undefined;
  const decoded: SingleSignature[] = [];
  const verified = new Set<SingleSignature>();
  for (const record of inputs.signatures) {
    try {
      const onReceipt = inputs.decoded?.(record);
      if (onReceipt !== undefined) verified.add(onReceipt);
      decoded.push(onReceipt ?? singleSignatureFromBytes(record.signature));
    } catch (error) {
      if (!(error instanceof StmError)) throw error;
    }
  }
  const message = signedMessageBytes(inputs.protocolMessage.signedMessage());
  let multiSignature;
  try {
    multiSignature = new Clerk(signers.closed, settings.currentParameters).aggregate(decoded, message, verified);
  } catch (error) {
    if (error instanceof StmError && error.code === 'NOT_ENOUGH_SIGNATURES') return undefined;
    throw error;
  }
  return createStandardCertificate({
    previousHash: inputs.previousHash,
    epoch: settings.epoch,
    signedEntityType: inputs.signedEntityType,
    metadata: {
      network: inputs.network,
      protocolVersion: PROTOCOL_VERSION,
      parameters: settings.currentParameters,
      initiatedAt: inputs.initiatedAt,
      sealedAt: inputs.sealedAt,
      signers: multiSignature.signatures.map(({ signature, party }) => ({ partyId: signers.partyIdOf(signature.signerIndex), stake: party.stake })),
    },
    protocolMessage: inputs.protocolMessage,
    aggregateVerificationKey: signers.avk,
    multiSignature,
  });
}
