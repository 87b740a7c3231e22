/** What the signer keeps between cycles and across restarts. */
import type { Epoch, ProtocolParameters, SignedEntityType } from '@mithril-ts/protocol';

/** The STM key made during epoch N for the recording epoch N+1 (it signs during N+2). */
export interface StoredInitializer {
  readonly recordingEpoch: Epoch;
  /** Stake pool id (bech32) the key was registered for. */
  readonly partyId: string;
  /** 32 bytes: the STM secret key (libs/stm `SigningKey.toBytes()`). */
  readonly signingKey: Uint8Array;
  /** 192 bytes: libs/stm `VerificationKeyPoP.toBytes()`. */
  readonly verificationKey: Uint8Array;
  readonly stake: bigint;
  /** The parameters the key was made for: those of the epoch it signs in. */
  readonly parameters: ProtocolParameters;
  readonly createdAt: Date;
  /** When the signer gateway accepted the registration; null until then. */
  readonly registeredAt: Date | null;
}

/** What became of a signed entity. */
export type HandledStatus =
  /** Sent, and counted by the aggregator. */
  | 'accepted'
  /** Sent, and kept by the aggregator for a message it had not opened yet. */
  | 'buffered'
  /** No lottery index won: nothing to send. */
  | 'lottery-lost'
  /** The aggregator had already certified (or expired) the message. */
  | 'too-late'
  /** The gateway refused the signature for another reason (logged). */
  | 'rejected';

export const HANDLED_STATUSES: readonly HandledStatus[] = ['accepted', 'buffered', 'lottery-lost', 'too-late', 'rejected'];

export interface HandledSignedEntity {
  readonly signedEntityType: SignedEntityType;
  /** The signed message the signer computed (64 hex characters). */
  readonly signedMessage: string;
  readonly status: HandledStatus;
  /** Lottery indexes won (0 when nothing was sent). */
  readonly wonIndexes: number;
  readonly handledAt: Date;
}

export interface SignerStore {
  /** Saves (or replaces) the initializer of its recording epoch. */
  saveInitializer(initializer: StoredInitializer): Promise<void>;
  getInitializer(recordingEpoch: Epoch): Promise<StoredInitializer | null>;
  /** Records that the gateway accepted the registration of that recording epoch's key. */
  markRegistered(recordingEpoch: Epoch, at?: Date): Promise<void>;
  /** Deletes (with their secret keys) the initializers of recording epochs below `keepFrom`; how many. */
  pruneInitializers(keepFrom: Epoch): Promise<number>;
  getHandled(signedEntityType: SignedEntityType): Promise<HandledSignedEntity | null>;
  /** Records (or replaces) what became of a signed entity. */
  recordHandled(handled: HandledSignedEntity): Promise<void>;
  /** Forgets the signed entities of epochs below `keepFrom`; how many. */
  pruneHandled(keepFrom: Epoch): Promise<number>;
  close(): Promise<void>;
}
