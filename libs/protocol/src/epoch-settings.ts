/**
 * What an epoch needs, derived the same way by the aggregator and by every signer (signers never
 * take the aggregator's word for it): the signers of the epoch and of the next one, their
 * aggregate verification keys, the parameters of both epochs, and the protocol message seed.
 */
import {
  ClosedRegistration,
  StmError,
  VerificationKeyPoP,
  findInvalidProofsOfPossession,
  type AggregateVerificationKey,
  type RegisteredParty,
} from '@mithril-ts/stm';
import { avkJsonHex } from './certificate.js';
import { nextSignersEpoch, signingSignersEpoch, type Epoch } from './epoch.js';
import { ProtocolError } from './errors.js';
import { protocolParametersHash, type ProtocolParameters, type ProtocolParametersSchedule } from './protocol-parameters.js';
import { seededProtocolMessage, type ProtocolMessage } from './protocol-message.js';
import type { SignedEntityType } from './signed-entity-type.js';

/** A signer as recorded for an epoch: its pool, its Mithril key (vk ‖ PoP bytes) and its stake. */
export interface SignerRecord {
  readonly partyId: string;
  readonly verificationKey: Uint8Array;
  readonly stake: bigint;
}

/** The signers of an epoch closed into a registration: what signs, and what verifies. */
export interface SignerSet {
  readonly signers: readonly SignerRecord[];
  readonly closed: ClosedRegistration;
  readonly avk: AggregateVerificationKey;
  /** The party of each signer index of the closed registration. */
  readonly partyIdOf: (signerIndex: number) => string;
}

/**
 * Keys this process has already decoded from their bytes, so that closing a set does not decode
 * them again (a square root and a subgroup check per point: ~6–10 ms per Mithril key with the
 * pure-JS backend, 10–25 s for a 3000-signer set).
 */
export interface DecodedKeys {
  /**
   * The key decoded from exactly these bytes, or undefined. `popVerified`: this process verified
   * its proof of possession itself (then the close does not check it again).
   */
  lookup(verificationKey: Uint8Array): { readonly key: VerificationKeyPoP; readonly popVerified: boolean } | undefined;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * Closes the signers of an epoch: decodes every key, checks every proof of possession (batched),
 * and commits them. A key that is malformed, repeated or without a valid PoP is a typed error
 * naming the party: a set of signers either closes entirely or not at all.
 *
 * `known` supplies keys this process decoded before (at registration): the same bytes decode to
 * the same points, so reusing them changes nothing but the cost. A key whose proof of possession
 * `known` says was verified is not checked again; the others are, in one batch.
 */
export function closeSignerSet(signers: readonly SignerRecord[], known?: DecodedKeys): SignerSet {
  if (signers.length === 0) throw new ProtocolError('INVALID_SIGNER', 'no signer is recorded for this epoch');
  const partyOfKey = new Map<string, string>();
  const parties: RegisteredParty[] = [];
  const unchecked: { readonly position: number; readonly key: VerificationKeyPoP }[] = [];
  signers.forEach((signer, position) => {
    let entry = known?.lookup(signer.verificationKey);
    if (entry === undefined) {
      try {
        entry = { key: VerificationKeyPoP.fromBytes(signer.verificationKey), popVerified: false };
      } catch (cause) {
        throw new ProtocolError('INVALID_SIGNER', `${signer.partyId}: invalid Mithril key (${(cause as Error).message})`, { cause });
      }
    }
    if (typeof signer.stake !== 'bigint' || signer.stake < 0n || signer.stake > U64_MAX) {
      throw new ProtocolError('INVALID_SIGNER', `${signer.partyId}: stake must be a u64, got ${String(signer.stake)}`);
    }
    const id = Buffer.from(entry.key.vk.toBytes()).toString('hex');
    const owner = partyOfKey.get(id);
    if (owner !== undefined) throw new ProtocolError('INVALID_SIGNER', `${signer.partyId}: the verification key is also registered by ${owner}`);
    partyOfKey.set(id, signer.partyId);
    parties.push({ vk: entry.key.vk, stake: signer.stake });
    if (!entry.popVerified) unchecked.push({ position, key: entry.key });
  });
  const invalid = findInvalidProofsOfPossession(unchecked.map(({ key }) => key));
  if (invalid.length > 0) {
    const first = signers[unchecked[invalid[0]!]!.position]!;
    throw new ProtocolError(
      'INVALID_SIGNER',
      `${first.partyId}: the proof of possession does not verify for this key${invalid.length > 1 ? ` (and ${invalid.length - 1} more)` : ''}`,
    );
  }
  let closed: ClosedRegistration;
  try {
    closed = new ClosedRegistration(parties);
  } catch (cause) {
    if (!(cause instanceof StmError)) throw cause;
    throw new ProtocolError('INVALID_SIGNER', `the signers cannot be closed: ${cause.message}`, { cause });
  }
  const partyIds = closed.parties.map((party) => partyOfKey.get(Buffer.from(party.vk.toBytes()).toString('hex'))!);
  return {
    signers,
    closed,
    avk: closed.aggregateVerificationKey(),
    partyIdOf: (signerIndex) => {
      const partyId = partyIds[signerIndex];
      if (partyId === undefined) throw new ProtocolError('INVALID_SIGNER', `no signer with index ${signerIndex}`);
      return partyId;
    },
  };
}

export interface EpochSettings {
  readonly epoch: Epoch;
  /** Parameters the epoch's certificates are signed with, and those announced for the next epoch. */
  readonly currentParameters: ProtocolParameters;
  readonly nextParameters: ProtocolParameters;
  /** Signers recorded for `epoch - 1`: they sign during `epoch`. */
  readonly currentSigners: SignerSet | undefined;
  /** Signers recorded for `epoch`: their AVK is announced now, they sign during `epoch + 1`. */
  readonly nextSigners: SignerSet | undefined;
}

/**
 * The settings of `epoch` from the parameter schedule and the signers recorded per epoch
 * (`recordedFor(e)` is the list of signers recorded for epoch e, empty when none).
 */
export function epochSettings(
  epoch: Epoch,
  schedule: ProtocolParametersSchedule,
  recordedFor: (recordingEpoch: Epoch) => readonly SignerRecord[],
): EpochSettings {
  const { current, next } = schedule.transition(epoch);
  const signingEpoch = signingSignersEpoch(epoch);
  const currentRecords = signingEpoch === null ? [] : recordedFor(signingEpoch);
  const nextRecords = recordedFor(nextSignersEpoch(epoch));
  return {
    epoch,
    currentParameters: current,
    nextParameters: next,
    currentSigners: currentRecords.length > 0 ? closeSignerSet(currentRecords) : undefined,
    nextSigners: nextRecords.length > 0 ? closeSignerSet(nextRecords) : undefined,
  };
}

/**
 * The protocol message every certificate of the epoch starts from: the next signers' AVK, the
 * next parameters and the epoch. Without next signers nothing can be certified (the chain would
 * have no key to continue with).
 */
export function epochProtocolMessage(settings: EpochSettings): ProtocolMessage {
  if (settings.nextSigners === undefined) {
    throw new ProtocolError('INVALID_SIGNER', `no signer is recorded for epoch ${settings.epoch}: the next AVK cannot be announced`);
  }
  return seededProtocolMessage({
    nextAggregateVerificationKey: avkJsonHex(settings.nextSigners.avk),
    nextProtocolParametersHash: protocolParametersHash(settings.nextParameters),
    currentEpoch: settings.epoch,
  });
}

/** What a signed entity adds to the epoch's message, computed by each node from its own data. */
export interface SignedEntityData {
  /** For CardanoDatabase: the Merkle root of the immutable files up to the beacon's number. */
  readonly cardanoDatabaseMerkleRoot?: string;
}

/**
 * The protocol message of one signed entity: the epoch's seed plus the entity's own part. The
 * aggregator and every signer compute it independently; equal inputs give the same signed message.
 */
export function signedEntityProtocolMessage(settings: EpochSettings, type: SignedEntityType, data: SignedEntityData = {}): ProtocolMessage {
  if (type.epoch !== settings.epoch) {
    throw new ProtocolError(
      'INVALID_SIGNED_ENTITY_TYPE',
      `a signed entity of epoch ${type.epoch} cannot be signed with the settings of epoch ${settings.epoch}`,
    );
  }
  const message = epochProtocolMessage(settings);
  if (type.kind === 'CardanoDatabase') {
    if (data.cardanoDatabaseMerkleRoot === undefined || !/^[0-9a-f]{64}$/.test(data.cardanoDatabaseMerkleRoot)) {
      throw new ProtocolError('INVALID_PROTOCOL_MESSAGE', 'a CardanoDatabase message needs the 64-hex-character Merkle root of the immutable files');
    }
    message.set('cardano_database_merkle_root', data.cardanoDatabaseMerkleRoot);
  }
  return message;
}
