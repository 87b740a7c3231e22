/**
 * Byte and JSON formats of the STM types, as the reference writes them.
 *
 * Bytes ("legacy" in the reference, its format up to v0.9 and still decoded by every version):
 * big-endian u64 integers and compressed points, concatenated; see FORMATS.md beside this
 * package. JSON: the serde shapes (byte strings as arrays of numbers) that Mithril certificates
 * carry as JSON-hex. Every decoder is strict: exact lengths, valid points, no trailing data.
 * The aggregate signature and its parts are read into and written from their encoded form
 * (encoded.ts: points as bytes); the domain functions decode or encode the points around that.
 */
import { bytesFromJsonArray, bytesToJsonArray, parseJson, stringifyJson } from '@mithril-ts/codec';
import { concatBytes } from '@noble/hashes/utils.js';
import type { AggregateSignature } from './aggregate.js';
import { ByteReader, u64be } from './bytes.js';
import {
  SIGMA_BYTES,
  VERIFICATION_KEY_BYTES,
  decodeAggregateSignature,
  decodeRegisteredParty,
  decodeSingleSignature,
  encodeAggregateSignature,
  encodeRegisteredParty,
  encodeSingleSignature,
  type EncodedAggregateSignature,
  type EncodedRegisteredParty,
  type EncodedSignatureWithParty,
  type EncodedSingleSignature,
} from './encoded.js';
import { StmError } from './errors.js';
import { ProofOfPossession, VerificationKey, VerificationKeyPoP } from './keys.js';
import { MERKLE_HASH_BYTES, type MerkleBatchPath } from './merkle.js';
import { validateParameters, type Parameters } from './parameters.js';
import { partyLeaf, type AggregateVerificationKey, type RegisteredParty } from './registration.js';
import type { SingleSignature } from './single-signature.js';

/** The largest multi-signature accepted by decoders (a mainnet one is well under 1 MiB). */
export const MAX_ENCODED_BYTES = 16 * 1024 * 1024;
/** Bounds on counts read from untrusted bytes, far above any real registration. */
const MAX_INDEXES = 1 << 24;
const MAX_SIGNATURES = 1 << 20;

function limit(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new StmError('INVALID_ENCODING', `${what}: expected bytes`);
  if (bytes.length > MAX_ENCODED_BYTES) throw new StmError('INVALID_ENCODING', `${what}: ${bytes.length} bytes exceeds the limit`);
}

// ---------------------------------------------------------------- parameters

export function parametersToLegacyBytes(params: Parameters): Uint8Array {
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, params.m);
  view.setBigUint64(8, params.k);
  view.setFloat64(16, params.phiF);
  return out;
}

export function parametersFromLegacyBytes(bytes: Uint8Array): Parameters {
  limit(bytes, 'parameters');
  const reader = new ByteReader(bytes, 'parameters');
  const m = reader.u64('m');
  const k = reader.u64('k');
  const phiF = new DataView(reader.take(8, 'phi_f').slice().buffer).getFloat64(0);
  reader.end();
  return validateParameters({ k, m, phiF });
}

export function parametersToJson(params: Parameters): { m: bigint; k: bigint; phi_f: number } {
  return { m: params.m, k: params.k, phi_f: params.phiF };
}

export function parametersFromJson(value: unknown): Parameters {
  const object = expectObject(value, 'parameters');
  return validateParameters({
    m: expectU64(object.m, 'parameters.m'),
    k: expectU64(object.k, 'parameters.k'),
    phiF: expectNumber(object.phi_f, 'parameters.phi_f'),
  });
}

// ---------------------------------------------------------------- single signature

export function encodedSingleSignatureToLegacyBytes(sig: EncodedSingleSignature): Uint8Array {
  return concatBytes(u64be(sig.indexes.length), ...sig.indexes.map((index) => u64be(index)), sig.sigma, u64be(sig.signerIndex));
}

export function singleSignatureToLegacyBytes(sig: SingleSignature): Uint8Array {
  return encodedSingleSignatureToLegacyBytes(encodeSingleSignature(sig));
}

export function encodedSingleSignatureFromLegacyBytes(bytes: Uint8Array): EncodedSingleSignature {
  limit(bytes, 'single signature');
  const reader = new ByteReader(bytes, 'single signature');
  const sig = readSingleSignature(reader);
  reader.end();
  return sig;
}

export function singleSignatureFromLegacyBytes(bytes: Uint8Array): SingleSignature {
  return decodeSingleSignature(encodedSingleSignatureFromLegacyBytes(bytes));
}

function readSingleSignature(reader: ByteReader): EncodedSingleSignature {
  const count = reader.safeU64('number of indexes', MAX_INDEXES);
  if (reader.remaining < count * 8 + 56) throw new StmError('INVALID_ENCODING', 'single signature: truncated indexes');
  const indexes: number[] = [];
  for (let i = 0; i < count; i += 1) indexes.push(reader.safeU64('index'));
  const sigma = reader.take(SIGMA_BYTES, 'sigma').slice();
  const signerIndex = reader.safeU64('signer index');
  return { sigma, indexes, signerIndex };
}

export interface SingleSignatureJson {
  sigma: number[];
  indexes: number[];
  signer_index: number;
}

export function encodedSingleSignatureToJson(sig: EncodedSingleSignature): SingleSignatureJson {
  return { sigma: bytesToJsonArray(sig.sigma), indexes: [...sig.indexes], signer_index: sig.signerIndex };
}

export function singleSignatureToJson(sig: SingleSignature): SingleSignatureJson {
  return encodedSingleSignatureToJson(encodeSingleSignature(sig));
}

export function encodedSingleSignatureFromJson(value: unknown): EncodedSingleSignature {
  const object = expectObject(value, 'single signature');
  const indexes = expectArray(object.indexes, 'single signature.indexes', MAX_INDEXES).map((index) => expectSafeInteger(index, 'single signature index'));
  return {
    sigma: jsonBytes(object.sigma, SIGMA_BYTES, 'single signature.sigma'),
    indexes,
    signerIndex: expectSafeInteger(object.signer_index, 'single signature.signer_index'),
  };
}

export function singleSignatureFromJson(value: unknown): SingleSignature {
  return decodeSingleSignature(encodedSingleSignatureFromJson(value));
}

// ---------------------------------------------------------------- registered party

export function encodedRegisteredPartyFromLegacyBytes(bytes: Uint8Array): EncodedRegisteredParty {
  limit(bytes, 'registered party');
  const reader = new ByteReader(bytes, 'registered party');
  const vk = reader.take(VERIFICATION_KEY_BYTES, 'verification key').slice();
  const stake = reader.u64('stake');
  reader.end();
  return { vk, stake };
}

export function registeredPartyFromLegacyBytes(bytes: Uint8Array): RegisteredParty {
  return decodeRegisteredParty(encodedRegisteredPartyFromLegacyBytes(bytes));
}

export { partyLeaf as registeredPartyToLegacyBytes };

/** `vk (96) ‖ stake`: the legacy bytes of a registered party, which are also its Merkle leaf. */
export function encodedRegisteredPartyToLegacyBytes(party: EncodedRegisteredParty): Uint8Array {
  return concatBytes(party.vk, u64be(party.stake));
}

export function encodedRegisteredPartyToJson(party: EncodedRegisteredParty): [number[], bigint] {
  return [bytesToJsonArray(party.vk), party.stake];
}

export function registeredPartyToJson(party: RegisteredParty): [number[], bigint] {
  return encodedRegisteredPartyToJson(encodeRegisteredParty(party));
}

export function encodedRegisteredPartyFromJson(value: unknown): EncodedRegisteredParty {
  const tuple = expectArray(value, 'registered party', 2);
  if (tuple.length !== 2) throw new StmError('INVALID_ENCODING', 'registered party: expected [vk, stake]');
  return { vk: jsonBytes(tuple[0], VERIFICATION_KEY_BYTES, 'registered party vk'), stake: expectU64(tuple[1], 'registered party stake') };
}

export function registeredPartyFromJson(value: unknown): RegisteredParty {
  return decodeRegisteredParty(encodedRegisteredPartyFromJson(value));
}

// ---------------------------------------------------------------- verification key with PoP

export function verificationKeyPoPToJson(key: VerificationKeyPoP): { vk: number[]; pop: number[] } {
  return { vk: bytesToJsonArray(key.vk.toBytes()), pop: bytesToJsonArray(key.pop.toBytes()) };
}

export function verificationKeyPoPFromJson(value: unknown): VerificationKeyPoP {
  const object = expectObject(value, 'verification key with PoP');
  return new VerificationKeyPoP(VerificationKey.fromBytes(jsonBytes(object.vk, 96, 'vk')), ProofOfPossession.fromBytes(jsonBytes(object.pop, 96, 'pop')));
}

// ---------------------------------------------------------------- aggregate verification key

export function avkToLegacyBytes(avk: AggregateVerificationKey): Uint8Array {
  return concatBytes(u64be(avk.commitment.nrLeaves), avk.commitment.root, u64be(avk.totalStake));
}

export function avkFromLegacyBytes(bytes: Uint8Array): AggregateVerificationKey {
  limit(bytes, 'aggregate verification key');
  // Newer reference versions prefix the 48 bytes with the proof type (0 = concatenation), as
  // aggregate signatures always were.
  const body = bytes.length === 49 && bytes[0] === CONCATENATION_PROOF ? bytes.subarray(1) : bytes;
  const reader = new ByteReader(body, 'aggregate verification key');
  const nrLeaves = reader.safeU64('number of leaves', MAX_SIGNATURES * 64);
  const root = reader.take(MERKLE_HASH_BYTES, 'root').slice();
  const totalStake = reader.u64('total stake');
  reader.end();
  return checkAvk({ commitment: { root, nrLeaves }, totalStake });
}

export function avkToJson(avk: AggregateVerificationKey) {
  return {
    mt_commitment: { root: bytesToJsonArray(avk.commitment.root), nr_leaves: avk.commitment.nrLeaves, hasher: null },
    total_stake: avk.totalStake,
  };
}

export function avkFromJson(value: unknown): AggregateVerificationKey {
  const object = expectObject(value, 'aggregate verification key');
  const commitment = expectObject(object.mt_commitment, 'aggregate verification key.mt_commitment');
  return checkAvk({
    commitment: {
      root: jsonBytes(commitment.root, MERKLE_HASH_BYTES, 'mt_commitment.root'),
      nrLeaves: expectSafeInteger(commitment.nr_leaves, 'mt_commitment.nr_leaves'),
    },
    totalStake: expectU64(object.total_stake, 'total_stake'),
  });
}

function checkAvk(avk: AggregateVerificationKey): AggregateVerificationKey {
  if (avk.commitment.nrLeaves < 1) throw new StmError('INVALID_ENCODING', 'aggregate verification key: no leaves');
  if (avk.totalStake < 1n) throw new StmError('INVALID_ENCODING', 'aggregate verification key: zero total stake');
  return avk;
}

// ---------------------------------------------------------------- Merkle batch path

export function batchPathToLegacyBytes(path: MerkleBatchPath): Uint8Array {
  return concatBytes(u64be(path.values.length), u64be(path.indices.length), ...path.values, ...path.indices.map((i) => u64be(i)));
}

function readBatchPath(reader: ByteReader): MerkleBatchPath {
  const nrValues = reader.safeU64('number of path values', MAX_SIGNATURES * 64);
  const nrIndices = reader.safeU64('number of path indices', MAX_SIGNATURES);
  if (reader.remaining < nrValues * MERKLE_HASH_BYTES + nrIndices * 8) {
    throw new StmError('INVALID_ENCODING', 'batch path: truncated');
  }
  const values: Uint8Array[] = [];
  for (let i = 0; i < nrValues; i += 1) values.push(reader.take(MERKLE_HASH_BYTES, 'path value').slice());
  const indices: number[] = [];
  for (let i = 0; i < nrIndices; i += 1) indices.push(reader.safeU64('path index'));
  return { values, indices };
}

export function batchPathFromLegacyBytes(bytes: Uint8Array): MerkleBatchPath {
  limit(bytes, 'batch path');
  const reader = new ByteReader(bytes, 'batch path');
  const path = readBatchPath(reader);
  reader.end();
  return path;
}

export function batchPathToJson(path: MerkleBatchPath) {
  return { values: path.values.map(bytesToJsonArray), indices: [...path.indices], hasher: null };
}

export function batchPathFromJson(value: unknown): MerkleBatchPath {
  const object = expectObject(value, 'batch path');
  return {
    values: expectArray(object.values, 'batch path.values', MAX_SIGNATURES * 64).map((v) => jsonBytes(v, MERKLE_HASH_BYTES, 'batch path value')),
    indices: expectArray(object.indices, 'batch path.indices', MAX_SIGNATURES).map((i) => expectSafeInteger(i, 'batch path index')),
  };
}

// ---------------------------------------------------------------- aggregate signature

/** Proof-type prefix of an aggregate signature in the byte format: 0 = concatenation proof. */
const CONCATENATION_PROOF = 0;

export function encodedAggregateSignatureToLegacyBytes(aggregate: EncodedAggregateSignature): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(CONCATENATION_PROOF), u64be(aggregate.signatures.length)];
  for (const { signature, party } of aggregate.signatures) {
    const partyBytes = encodedRegisteredPartyToLegacyBytes(party);
    const sigBytes = encodedSingleSignatureToLegacyBytes(signature);
    const entry = concatBytes(u64be(partyBytes.length), partyBytes, u64be(sigBytes.length), sigBytes);
    parts.push(u64be(entry.length), entry);
  }
  parts.push(batchPathToLegacyBytes(aggregate.batchProof));
  return concatBytes(...parts);
}

export function aggregateSignatureToLegacyBytes(aggregate: AggregateSignature): Uint8Array {
  return encodedAggregateSignatureToLegacyBytes(encodeAggregateSignature(aggregate));
}

export function encodedAggregateSignatureFromLegacyBytes(bytes: Uint8Array): EncodedAggregateSignature {
  limit(bytes, 'aggregate signature');
  const reader = new ByteReader(bytes, 'aggregate signature');
  const proofType = reader.take(1, 'proof type')[0];
  if (proofType !== CONCATENATION_PROOF) {
    throw new StmError('INVALID_ENCODING', `aggregate signature: unsupported proof type ${proofType}`);
  }
  const count = reader.safeU64('number of signatures', MAX_SIGNATURES);
  const signatures: EncodedSignatureWithParty[] = [];
  for (let i = 0; i < count; i += 1) {
    const entry = new ByteReader(reader.take(reader.safeU64('signature entry length'), 'signature entry'), 'signature entry');
    const party = encodedRegisteredPartyFromLegacyBytes(entry.take(entry.safeU64('registered party length'), 'registered party'));
    const signature = encodedSingleSignatureFromLegacyBytes(entry.take(entry.safeU64('single signature length'), 'single signature'));
    entry.end();
    signatures.push({ signature, party });
  }
  const batchProof = readBatchPath(reader);
  reader.end();
  return { signatures, batchProof };
}

export function aggregateSignatureFromLegacyBytes(bytes: Uint8Array): AggregateSignature {
  return decodeAggregateSignature(encodedAggregateSignatureFromLegacyBytes(bytes));
}

export function encodedAggregateSignatureToJson(aggregate: EncodedAggregateSignature) {
  return {
    signatures: aggregate.signatures.map(({ signature, party }) => [encodedSingleSignatureToJson(signature), encodedRegisteredPartyToJson(party)]),
    batch_proof: batchPathToJson(aggregate.batchProof),
  };
}

export function aggregateSignatureToJson(aggregate: AggregateSignature) {
  return encodedAggregateSignatureToJson(encodeAggregateSignature(aggregate));
}

export function encodedAggregateSignatureFromJson(value: unknown): EncodedAggregateSignature {
  const object = expectObject(value, 'aggregate signature');
  const signatures = expectArray(object.signatures, 'aggregate signature.signatures', MAX_SIGNATURES).map((entry) => {
    const pair = expectArray(entry, 'aggregate signature entry', 2);
    if (pair.length !== 2) throw new StmError('INVALID_ENCODING', 'aggregate signature entry: expected [signature, party]');
    return { signature: encodedSingleSignatureFromJson(pair[0]), party: encodedRegisteredPartyFromJson(pair[1]) };
  });
  return { signatures, batchProof: batchPathFromJson(object.batch_proof) };
}

export function aggregateSignatureFromJson(value: unknown): AggregateSignature {
  return decodeAggregateSignature(encodedAggregateSignatureFromJson(value));
}

// ---------------------------------------------------------------- JSON text and JSON-hex

/** Compact JSON text, field order as the reference (serde) writes it. */
export function toJsonText(value: unknown): string {
  return stringifyJson(value);
}

export function fromJsonText<T>(text: string, decode: (value: unknown) => T, what: string): T {
  if (text.length > MAX_ENCODED_BYTES * 4) throw new StmError('INVALID_ENCODING', `${what}: JSON text too large`);
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (cause) {
    throw new StmError('INVALID_ENCODING', `${what}: invalid JSON (${(cause as Error).message})`);
  }
  return decode(value);
}

// ---------------------------------------------------------------- validation helpers

function expectObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StmError('INVALID_ENCODING', `${what}: expected an object`);
  }
  return value as Record<string, unknown>;
}

function expectArray(value: unknown, what: string, maxLength: number): unknown[] {
  if (!Array.isArray(value)) throw new StmError('INVALID_ENCODING', `${what}: expected an array`);
  if (value.length > maxLength) throw new StmError('INVALID_ENCODING', `${what}: more than ${maxLength} entries`);
  return value;
}

function expectU64(value: unknown, what: string): bigint {
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < 0n || n >= 1n << 64n) throw new StmError('INVALID_ENCODING', `${what}: expected a u64`);
  return n;
}

function expectSafeInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StmError('INVALID_ENCODING', `${what}: expected a non-negative integer`);
  }
  return value;
}

function expectNumber(value: unknown, what: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new StmError('INVALID_ENCODING', `${what}: expected a number`);
  return n;
}

function jsonBytes(value: unknown, length: number, what: string): Uint8Array {
  try {
    return bytesFromJsonArray(value, { expectedLength: length });
  } catch (cause) {
    throw new StmError('INVALID_ENCODING', `${what}: ${(cause as Error).message}`);
  }
}
