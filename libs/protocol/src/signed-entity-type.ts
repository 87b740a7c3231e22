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
export function signedEntityFeed(type: SignedEntityType): Uint8Array {
  switch (type.kind) {
    case 'MithrilStakeDistribution':
      return u64be(type.epoch);
    case 'CardanoDatabase': {
      const out = new Uint8Array(16);
      out.set(u64be(type.epoch), 0);
      out.set(u64be(type.immutableFileNumber), 8);
      return out;
    }
  }
}

/** The reference's JSON: externally tagged, e.g. {"CardanoDatabase":{"epoch":10,"immutable_file_number":1728}}. */
export function signedEntityTypeToJson(type: SignedEntityType): Record<string, unknown> {
  switch (type.kind) {
    case 'MithrilStakeDistribution':
      return { MithrilStakeDistribution: type.epoch };
    case 'CardanoDatabase':
      return { CardanoDatabase: { epoch: type.epoch, immutable_file_number: type.immutableFileNumber } };
  }
}

export function signedEntityTypeFromJson(value: unknown): SignedEntityType {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length !== 1) {
    throw new ProtocolError('INVALID_SIGNED_ENTITY_TYPE', 'signed entity type: expected an object with one variant key');
  }
  const [kind, body] = Object.entries(value)[0]!;
  const integer = (v: unknown, what: string): bigint => {
    if (typeof v === 'bigint') return u64(v, what);
    if (typeof v === 'number' && Number.isSafeInteger(v)) return u64(BigInt(v), what);
    throw new ProtocolError('INVALID_SIGNED_ENTITY_TYPE', `signed entity type: ${what} must be an integer`);
  };
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

export function signedEntityEpoch(type: SignedEntityType): Epoch {
  return type.epoch;
}

export function sameSignedEntityType(a: SignedEntityType, b: SignedEntityType): boolean {
  if (a.kind !== b.kind || a.epoch !== b.epoch) return false;
  return a.kind !== 'CardanoDatabase' || a.immutableFileNumber === (b as typeof a).immutableFileNumber;
}
