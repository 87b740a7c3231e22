/**
 * What the signer talks to, as interfaces: the runtime depends on these only. Real adapters:
 * service-kit's CardanoCliFilesChainObserver and ImmutableDbDigester, ./adapters/grpc-* for the
 * aggregator and the signer gateway, ./adapters/pool-key-files for the pool's keys.
 */
import type { ChainObserver, ImmutableDigester, KesSigningKey, OperationalCertificate } from '@mithril-ts/cardano';
import type { Epoch, EraState, ProtocolParameters, SignedEntityType, SignerRecord } from '@mithril-ts/protocol';

/** The chain and the node's immutable database: ports shared with the aggregator, defined once in @mithril-ts/cardano. */
export type { ChainObserver, ImmutableDigester };

/** Which Mithril era is active at an epoch (service-kit's EraChecker); throws UNSUPPORTED_ERA, or why the markers cannot be read. */
export interface EraCheck {
  check(epoch: Epoch): Promise<EraState>;
  /** Where the markers come from, for messages. */
  readonly source: string;
}

/** The aggregator's epoch settings, decoded from the wire but not trusted (keys not yet checked). */
export interface AnnouncedEpochSettings {
  /** The aggregator's current epoch E. */
  readonly epoch: Epoch;
  /** Parameters of E (signing and aggregation during E). */
  readonly currentParameters: ProtocolParameters;
  /** Parameters of E+1 (their hash goes into every message of E). */
  readonly nextParameters: ProtocolParameters;
  /** Parameters of E+2: a key registered during E signs with them. */
  readonly registrationParameters: ProtocolParameters;
  /** Signers recorded for E−1: they sign during E. */
  readonly currentSigners: readonly SignerRecord[];
  /** Signers recorded for E: their AVK is announced during E. */
  readonly nextSigners: readonly SignerRecord[];
}

/** Every answer says which protocol version the server speaks (undefined when it did not say). */
export interface Answer<T> {
  readonly value: T;
  readonly serverProtocolVersion: string | undefined;
}

export interface AggregatorPort {
  /** Throws RemoteCallError. */
  epochSettings(): Promise<Answer<AnnouncedEpochSettings>>;
}

/** A registration of a fresh Mithril key, certified by the pool's KES key. */
export interface SignerRegistrationRequest {
  /** The registration epoch E (recorded for E+1, signs at E+2). */
  readonly epoch: Epoch;
  /** Stake pool id, bech32 "pool1…". */
  readonly partyId: string;
  /** 192 bytes: libs/stm VerificationKeyPoP.toBytes(). */
  readonly verificationKey: Uint8Array;
  /** Sum6 KES signature of the verification key bytes. */
  readonly verificationKeySignature: Uint8Array;
  /** The operational certificate, cardano-cli node.cert CBOR. */
  readonly operationalCertificate: Uint8Array;
  /** KES evolutions since the certificate's start period. */
  readonly kesEvolutions: number;
}

/** What the gateway recorded. */
export interface RegisteredSigner {
  readonly partyId: string;
  readonly stake: bigint;
  readonly epoch: Epoch;
}

export interface SingleSignatureSubmission {
  readonly signedEntityType: SignedEntityType;
  readonly partyId: string;
  /** libs/stm singleSignatureToBytes. */
  readonly signature: Uint8Array;
  readonly wonIndexes: readonly number[];
  /** The 64-hex-character message the signer computed and signed. */
  readonly signedMessage: string;
}

export type SignatureRegistrationStatus = 'accepted' | 'buffered';

export interface SignerGatewayPort {
  /** Throws RemoteCallError (e.g. CERTIFICATION_DENIED, REGISTRATION_ROUND_NOT_OPEN). */
  registerSigner(registration: SignerRegistrationRequest): Promise<Answer<RegisteredSigner>>;
  /** Throws RemoteCallError (e.g. NO_OPEN_MESSAGE, SIGNATURE_TOO_LATE). */
  registerSignature(signature: SingleSignatureSubmission): Promise<Answer<SignatureRegistrationStatus>>;
}

/** The pool's KES key and operational certificate, as they are on disk now. */
export interface PoolKeys {
  /** Caller owns it: it evolves it and destroys it after use. */
  readonly kesKey: KesSigningKey;
  readonly opcert: OperationalCertificate;
}

export interface PoolKeySource {
  /** Re-read at each registration: an SPO rotates keys by replacing the files. */
  read(): Promise<PoolKeys>;
}
