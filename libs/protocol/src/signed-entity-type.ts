/**
 * What a certificate signs: the kinds of data the network certifies, each with the beacon that
 * identifies one instance of it.
 */
import { ProtocolError } from './errors.js';
import { epoch as toEpoch, type Epoch } from './epoch.js';

export type SignedEntityType =
  /** The node's immutable database up to an immutable file number (a snapshot). */
  | { readonly kind: 'CardanoDatabase'; readonly epoch: Epoch; readonly immutableFileNumber: bigint }
  /** The Mithril stake distribution (registered signers and their stake) of an epoch. */
  | { readonly kind: 'MithrilStakeDistribution'; readonly epoch: Epoch };

export const SIGNED_ENTITY_KINDS = ['CardanoDatabase', 'MithrilStakeDistribution'] as const;

/**
 * Kinds the reference certifies that this implementation neither produces nor serves artifacts of.
 * A client still meets their certificates: in lists, and as links of a certificate chain (the walk
 * to genesis goes through each epoch's first certificate, whatever its kind). Such a certificate
 * verifies like any other (its hash, multi-signature, AVK and parameter links do not depend on its
 * artifact), which needs only its beacon's bytes in the hash (the reference's feed_hash).
 */
export type ForeignSignedEntityType =
  /** The Cardano stake distribution of an epoch (reference: `{"CardanoStakeDistribution": epoch}`). */
  | { readonly kind: 'CardanoStakeDistribution'; readonly epoch: Epoch }
  /** Cardano transactions up to a block (reference: `{"CardanoTransactions": [epoch, block_number]}`). */
  | { readonly kind: 'CardanoTransactions'; readonly epoch: Epoch; readonly blockNumber: bigint };

/** What a certificate may certify: this implementation's kinds or the reference's others. */
export type CertifiedEntityType = SignedEntityType | ForeignSignedEntityType;

/**
 * The type as one of this implementation's kinds, for the nodes that certify, store or relay them:
 * a certificate of a foreign kind never comes from them, so meeting one there is an error.
 */
export function ownSignedEntityType(type: CertifiedEntityType): SignedEntityType {
  if (isForeignSignedEntityType(type)) throw new ProtocolError('INVALID_SIGNED_ENTITY_TYPE', `${type.kind} certificates are not handled by this node`);
  return type;
}

export function isForeignSignedEntityType(type: CertifiedEntityType): type is ForeignSignedEntityType {
  return type.kind === 'CardanoStakeDistribution' || type.kind === 'CardanoTransactions';
}
export type SignedEntityKind = (typeof SIGNED_ENTITY_KINDS)[number];

export function cardanoDatabase(epoch: Epoch, immutableFileNumber: bigint): SignedEntityType {
  return { kind: 'CardanoDatabase', epoch: toEpoch(epoch), immutableFileNumber: u64(immutableFileNumber, 'immutable file number') };
}

export function mithrilStakeDistribution(epoch: Epoch): SignedEntityType {
  return { kind: 'MithrilStakeDistribution', epoch: toEpoch(epoch) };
}

function u64(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << 64n) {
    throw new ProtocolError('INVALID_SIGNED_ENTITY_TYPE', `${what} must be a u64`);
  }
  return value;
}

function u64be(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

/** The bytes a certificate hash mixes in for its signed entity (the reference's feed). */
export function signedEntityFeed(type: CertifiedEntityType): Uint8Array {
  switch (type.kind) {
    case 'MithrilStakeDistribution':
    case 'CardanoStakeDistribution':
      return u64be(type.epoch);
    case 'CardanoTransactions': {
      const out = new Uint8Array(16);
      out.set(u64be(type.epoch), 0);
      out.set(u64be(type.blockNumber), 8);
      return out;
    }
    case 'CardanoDatabase': {
      const out = new Uint8Array(16);
      out.set(u64be(type.epoch), 0);
      out.set(u64be(type.immutableFileNumber), 8);
      return out;
    }
  }
}

/** The reference's JSON: externally tagged, e.g. {"CardanoDatabase":{"epoch":10,"immutable_file_number":1728}}. */
export function signedEntityTypeToJson(type: CertifiedEntityType): Record<string, unknown> {
  switch (type.kind) {
    case 'MithrilStakeDistribution':
      return { MithrilStakeDistribution: type.epoch };
    case 'CardanoStakeDistribution':
      return { CardanoStakeDistribution: type.epoch };
    case 'CardanoTransactions':
      return { CardanoTransactions: [type.epoch, type.blockNumber] };
    case 'CardanoDatabase':
      return { CardanoDatabase: { epoch: type.epoch, immutable_file_number: type.immutableFileNumber } };
  }
}

const integer = (v: unknown, what: string): bigint => {
  if (typeof v === 'bigint') return u64(v, what);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return u64(BigInt(v), what);
  throw new ProtocolError('INVALID_SIGNED_ENTITY_TYPE', `signed entity type: ${what} must be an integer`);
};

function variantOf(value: unknown): [string, unknown] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length !== 1) {
    throw new ProtocolError('INVALID_SIGNED_ENTITY_TYPE', 'signed entity type: expected an object with one variant key');
  }
  return Object.entries(value)[0]!;
}

/** The variant name of a reference signed entity type JSON (`{"CardanoTransactions": …}` → "CardanoTransactions"), for messages. */
export function signedEntityVariantName(value: unknown): string {
  return variantOf(value)[0].slice(0, 64);
}

/** A certificate's signed entity type: this implementation's kinds or the reference's others; an unknown kind is refused. */
export function certifiedEntityTypeFromJson(value: unknown): CertifiedEntityType {
  const [kind, body] = variantOf(value);
  switch (kind) {
    case 'CardanoStakeDistribution':
      return { kind, epoch: toEpoch(integer(body, 'epoch')) };
    case 'CardanoTransactions': {
      if (!Array.isArray(body) || body.length !== 2)
        throw new ProtocolError('INVALID_SIGNED_ENTITY_TYPE', 'CardanoTransactions: expected [epoch, block_number]');
      return { kind, epoch: toEpoch(integer(body[0], 'epoch')), blockNumber: integer(body[1], 'block_number') };
    }
    default:
      return signedEntityTypeFromJson(value);
  }
}

export function signedEntityTypeFromJson(value: unknown): SignedEntityType {
  const [kind, body] = variantOf(value);
  switch (kind) {
    case 'MithrilStakeDistribution':
      return mithrilStakeDistribution(integer(body, 'epoch'));
    case 'CardanoDatabase': {
      if (typeof body !== 'object' || body === null) throw new ProtocolError('INVALID_SIGNED_ENTITY_TYPE', 'CardanoDatabase: expected an object');
      const fields = body as Record<string, unknown>;
      return cardanoDatabase(integer(fields.epoch, 'epoch'), integer(fields.immutable_file_number, 'immutable_file_number'));
    }
    default:
      throw new ProtocolError('INVALID_SIGNED_ENTITY_TYPE', `unsupported signed entity type ${JSON.stringify(kind)}`);
  }
}

export function signedEntityEpoch(type: CertifiedEntityType): Epoch {
  return type.epoch;
}

export function sameSignedEntityType(a: CertifiedEntityType, b: CertifiedEntityType): boolean {
  if (a.kind !== b.kind || a.epoch !== b.epoch) return false;
  if (a.kind === 'CardanoDatabase') return a.immutableFileNumber === (b as typeof a).immutableFileNumber;
  if (a.kind === 'CardanoTransactions') return a.blockNumber === (b as typeof a).blockNumber;
  return true;
}
