export { StmError, type StmErrorCode } from './errors.js';
export { validateParameters, MAX_M, type Parameters } from './parameters.js';
export { LotteryThreshold, winProbability } from './eligibility.js';
export { LotteryEvaluator } from './lottery.js';
export {
  hashToG1,
  selectBlsBackend,
  blsBackend,
  selectPairingEngine,
  pairingEngine,
  type BlsBackendChoice,
  type BlsBackendName,
  type PairingEngineChoice,
  type PairingEngineName,
} from './bls.js';
export {
  SigningKey,
  VerificationKey,
  Signature,
  ProofOfPossession,
  VerificationKeyPoP,
  keyGen,
  verifyProofsOfPossession,
  findInvalidProofsOfPossession,
} from './keys.js';
export { MerkleTree, verifyBatchPath, type MerkleCommitment, type MerkleBatchPath } from './merkle.js';
export {
  KeyRegistration,
  ClosedRegistration,
  partyLeaf,
  type RegisteredParty,
  type AggregateVerificationKey,
  type RegistrationCandidate,
} from './registration.js';
export { SingleSignature, signedMessage } from './single-signature.js';
export { Initializer, Signer } from './signer.js';
export { Clerk, AggregateSignature, findInvalidSingleSignatures, type SignatureWithParty } from './aggregate.js';
export { type Randomness } from './batch.js';
export { securityLevel, type SecurityLevel } from './security.js';
/** Byte formats: `xxxToBytes` writes v1 (CBOR, the default), `xxxFromBytes` reads v1 and v0. */
export {
  CBOR_V1_PREFIX,
  parametersToBytes,
  parametersFromBytes,
  singleSignatureToBytes,
  singleSignatureFromBytes,
  registeredPartyToBytes,
  registeredPartyFromBytes,
  avkToBytes,
  avkFromBytes,
  batchPathToBytes,
  batchPathFromBytes,
  signatureWithPartyToBytes,
  signatureWithPartyFromBytes,
  aggregateSignatureToBytes,
  aggregateSignatureFromBytes,
} from './cbor-format.js';
/**
 * The multi-signature with its points still compressed (read and written in every format without
 * decompressing or checking a point; `decodeAggregateSignature` checks them): for relays that
 * only change a certificate's format.
 */
export {
  SIGMA_BYTES,
  VERIFICATION_KEY_BYTES,
  encodeAggregateSignature,
  decodeAggregateSignature,
  type EncodedAggregateSignature,
  type EncodedSignatureWithParty,
  type EncodedSingleSignature,
  type EncodedRegisteredParty,
} from './encoded.js';
export { encodedAggregateSignatureToBytes, encodedAggregateSignatureFromBytes } from './cbor-format.js';
/** v0 (legacy) bytes and the JSON shapes carried by certificates as JSON-hex. */
export * from './encoding.js';
/** Reference JSON from bytes without decoding points (for relays of already validated keys). */
export { verificationKeyPoPBytesToJson } from './json-reshape.js';
