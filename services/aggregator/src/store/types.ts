/**
 * The aggregator's persistent state, as the rest of the aggregator sees it: plain records with
 * epochs and stakes as bigint and bytes as Uint8Array, independent of the database behind them.
 */
import type { Epoch, ProtocolParameters, SignedEntityKind, SignedEntityType } from '@mithril-ts/protocol';

export interface SignerRegistrationRecord {
  /** The recording epoch (a registration made during N is recorded for N+1). */
  readonly epoch: Epoch;
  /** Pool id, bech32 `pool1…`. */
  readonly partyId: string;
  /** 192 bytes: BLS verification key (96) ‖ proof of possession (48 + 48). */
  readonly verificationKey: Uint8Array;
  /** KES signature over the verification key; null for a signer without KES (test networks). */
  readonly kesSignature: Uint8Array | null;
  /** Operational certificate (CBOR); null for a signer without KES (test networks). */
  readonly operationalCertificate: Uint8Array | null;
  /** KES evolutions since the operational certificate's start period. */
  readonly kesEvolutions: number | null;
  readonly stake: bigint;
  readonly registeredAt: Date;
}

export interface StakeEntry {
  readonly partyId: string;
  readonly stake: bigint;
}

export interface EpochSettingsRecord {
  readonly epoch: Epoch;
  readonly protocolParameters: ProtocolParameters;
}

export interface NewOpenMessage {
  /** Defaults to a random UUID. */
  readonly id?: string;
  readonly epoch: Epoch;
  readonly signedEntityType: SignedEntityType;
  /** The protocol message as JSON text. */
  readonly protocolMessage: string;
  readonly createdAt?: Date;
  readonly expiresAt?: Date | null;
}

export interface OpenMessageRecord {
  readonly id: string;
  readonly epoch: Epoch;
  readonly signedEntityType: SignedEntityType;
  readonly protocolMessage: string;
  readonly isCertified: boolean;
  readonly isExpired: boolean;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

export interface NewSingleSignature {
  readonly openMessageId: string;
  readonly partyId: string;
  readonly signature: Uint8Array;
  /** The lottery indexes this signature won. */
  readonly wonIndexes: readonly bigint[];
  readonly createdAt?: Date;
}

export interface SingleSignatureRecord {
  readonly openMessageId: string;
  readonly partyId: string;
  readonly signature: Uint8Array;
  readonly wonIndexes: readonly bigint[];
  readonly createdAt: Date;
}

export type AddSingleSignatureResult =
  | { readonly status: 'added'; readonly signature: SingleSignatureRecord }
  /** This party already has a signature for this open message (the first one is kept). */
  | { readonly status: 'already-registered' }
  /** The open message is certified or expired: too late to sign it. */
  | { readonly status: 'message-closed'; readonly reason: 'certified' | 'expired' };

export interface CertificateRecord {
  readonly hash: string;
  /** Empty for a genesis certificate. */
  readonly previousHash: string;
  readonly epoch: Epoch;
  readonly signedEntityType: SignedEntityType;
  /** The full certificate as JSON text (`certificateToJson` of libs/protocol). */
  readonly json: string;
  readonly sealedAt: Date;
  readonly createdAt: Date;
}

export interface CardanoDatabaseSnapshotRecord {
  readonly hash: string;
  readonly epoch: Epoch;
  readonly immutableFileNumber: bigint;
  readonly merkleRoot: string;
  readonly certificateHash: string;
  /** mithril.v1.CardanoDatabaseSnapshot bytes, as the snapshotter described the snapshot. */
  readonly content: Uint8Array;
  readonly createdAt: Date;
}

export type NewCertificate = Omit<CertificateRecord, 'createdAt'> & { readonly createdAt?: Date };

export type OpcertCheckResult =
  | { readonly status: 'accepted'; readonly highest: bigint }
  /** The issue number is lower than one already seen for this pool (a replayed old opcert). */
  | { readonly status: 'rejected'; readonly highest: bigint };

export interface PruneOptions {
  readonly currentEpoch: Epoch;
  /** How many epochs to keep, counting the current one backwards; rows of older epochs go. */
  readonly epochsToKeep: bigint;
}

export interface PruneResult {
  readonly signerRegistrations: number;
  readonly stakeDistributions: number;
  readonly epochSettings: number;
  readonly openMessages: number;
  readonly singleSignatures: number;
}

export interface AppliedMigration {
  /** e.g. "0001". */
  readonly version: string;
  /** e.g. "0001_init". */
  readonly name: string;
  readonly appliedAt: string;
}

export interface Page {
  readonly limit: number;
  readonly offset?: number;
}

export type StoreDialect = 'sqlite' | 'postgresql';

export interface AggregatorStore {
  readonly dialect: StoreDialect;

  /** Inserts or replaces the registration of a party for a recording epoch. */
  registerSigner(registration: Omit<SignerRegistrationRecord, 'registeredAt'> & { readonly registeredAt?: Date }): Promise<SignerRegistrationRecord>;
  getSignerRegistration(epoch: Epoch, partyId: string): Promise<SignerRegistrationRecord | null>;
  /** Signers recorded for an epoch, ordered by party id. */
  listSigners(epoch: Epoch): Promise<SignerRegistrationRecord[]>;

  /** Replaces the stake distribution of an epoch. */
  saveStakeDistribution(epoch: Epoch, entries: readonly StakeEntry[]): Promise<void>;
  /** The stake distribution of an epoch, ordered by party id (empty when unknown). */
  getStakeDistribution(epoch: Epoch): Promise<StakeEntry[]>;

  saveEpochSettings(settings: EpochSettingsRecord): Promise<void>;
  getEpochSettings(epoch: Epoch): Promise<EpochSettingsRecord | null>;

  /** Opens a message; CONFLICT if one exists for the same signed entity type. */
  createOpenMessage(message: NewOpenMessage): Promise<OpenMessageRecord>;
  getOpenMessage(signedEntityType: SignedEntityType): Promise<OpenMessageRecord | null>;
  getOpenMessageById(id: string): Promise<OpenMessageRecord | null>;
  /** Open messages, oldest first; only those neither certified nor expired unless `includeClosed`. */
  listOpenMessages(filter?: { readonly epoch?: Epoch; readonly kind?: SignedEntityKind; readonly includeClosed?: boolean }): Promise<OpenMessageRecord[]>;
  markOpenMessageCertified(id: string): Promise<OpenMessageRecord>;
  markOpenMessageExpired(id: string): Promise<OpenMessageRecord>;

  /**
   * Records a single signature in one transaction. Safe under concurrent submissions: distinct
   * parties are all kept, a second signature of the same party is reported, never an exception.
   * NOT_FOUND if the open message does not exist.
   */
  addSingleSignature(signature: NewSingleSignature): Promise<AddSingleSignatureResult>;
  /**
   * Records many single signatures in one transaction (a round brings thousands in a burst, and
   * one transaction each does not keep up): one result per input, in order, with the rules of
   * `addSingleSignature` (a party's second signature of a message, in the store or earlier in the
   * same batch, is "already-registered"). NOT_FOUND if an open message does not exist.
   */
  addSingleSignatures(signatures: readonly NewSingleSignature[]): Promise<AddSingleSignatureResult[]>;
  /** Signatures of an open message, in arrival order. */
  listSingleSignatures(openMessageId: string): Promise<SingleSignatureRecord[]>;

  /**
   * Appends a certificate; CONFLICT if its hash is already stored. With `certifiesOpenMessage`,
   * marks that open message certified in the same transaction (CONFLICT if it already is).
   */
  saveCertificate(certificate: NewCertificate, options?: { readonly certifiesOpenMessage?: string }): Promise<CertificateRecord>;
  /** Newest first, of one signed entity kind. */
  latestCertificatesOfKind(kind: SignedEntityKind, page: Page): Promise<CertificateRecord[]>;
  /** The most recent genesis certificate (empty previous hash). */
  latestGenesisCertificate(): Promise<CertificateRecord | null>;
  /** The certificate of a signed entity, if one was sealed. */
  certificateOfSignedEntity(signedEntityType: SignedEntityType): Promise<CertificateRecord | null>;
  getCertificate(hash: string): Promise<CertificateRecord | null>;
  /** Newest first (by sealed time). */
  latestCertificates(page: Page): Promise<CertificateRecord[]>;
  /** The first certificate of an epoch in sealed order (the epoch's "master" certificate). */
  firstCertificateOfEpoch(epoch: Epoch): Promise<CertificateRecord | null>;

  /** Stores (or replaces) the description of a Cardano database snapshot. Snapshots are not pruned with the epochs. */
  saveCardanoDatabaseSnapshot(snapshot: CardanoDatabaseSnapshotRecord): Promise<CardanoDatabaseSnapshotRecord>;
  /** Newest first, optionally of one epoch. */
  latestCardanoDatabaseSnapshots(page: Page, filter?: { readonly epoch?: Epoch }): Promise<CardanoDatabaseSnapshotRecord[]>;
  getCardanoDatabaseSnapshot(hash: string): Promise<CardanoDatabaseSnapshotRecord | null>;
  cardanoDatabaseSnapshotOfCertificate(certificateHash: string): Promise<CardanoDatabaseSnapshotRecord | null>;

  /** Accepts an opcert issue number not lower than the highest seen for the pool, and records it. */
  checkAndRecordOpcertIssueNumber(poolId: string, issueNumber: bigint): Promise<OpcertCheckResult>;
  getOpcertIssueNumber(poolId: string): Promise<bigint | null>;

  /** Deletes the per-epoch state of epochs older than the retention. Certificates are kept. */
  prune(options: PruneOptions): Promise<PruneResult>;

  /** The versions recorded in `schema_migrations`, in order. */
  appliedMigrations(): Promise<AppliedMigration[]>;

  close(): Promise<void>;
}
