/**
 * The protocol message: named parts whose hash is the signed message of a certificate. Signers
 * recompute it on their own and sign the ASCII bytes of its hex hash; the genesis key signs the
 * same bytes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ProtocolError } from './errors.js';

/** Part keys in the reference's declaration order, which is the order the hash consumes them in. */
export const PROTOCOL_MESSAGE_PART_KEYS = [
  'snapshot_digest',
  'cardano_transactions_merkle_root',
  'cardano_blocks_transactions_merkle_root',
  'next_aggregate_verification_key',
  'next_protocol_parameters',
  'current_epoch',
  'latest_block_number',
  'cardano_blocks_transactions_block_number_offset',
  'cardano_stake_distribution_epoch',
  'cardano_stake_distribution_merkle_root',
  'cardano_database_merkle_root',
  'next_aggregate_verification_key_snark',
] as const;

export type ProtocolMessagePartKey = (typeof PROTOCOL_MESSAGE_PART_KEYS)[number];

const KNOWN_KEYS = new Set<string>(PROTOCOL_MESSAGE_PART_KEYS);
/** Generous bound on one part's value (a json-hex AVK is a few hundred characters). */
const MAX_PART_LENGTH = 64 * 1024;

export function isProtocolMessagePartKey(key: string): key is ProtocolMessagePartKey {
  return KNOWN_KEYS.has(key);
}

export class ProtocolMessage {
  private readonly parts = new Map<ProtocolMessagePartKey, string>();

  constructor(parts: Partial<Record<ProtocolMessagePartKey, string>> = {}) {
    for (const [key, value] of Object.entries(parts)) {
      if (value !== undefined) this.set(key, value);
    }
  }

  set(key: string, value: string): this {
    if (!isProtocolMessagePartKey(key)) throw new ProtocolError('INVALID_PROTOCOL_MESSAGE', `unknown protocol message part ${JSON.stringify(key)}`);
    if (typeof value !== 'string' || value.length > MAX_PART_LENGTH || !isPrintableAscii(value)) {
      throw new ProtocolError('INVALID_PROTOCOL_MESSAGE', `protocol message part ${key} must be printable ASCII up to ${MAX_PART_LENGTH} characters`);
    }
    this.parts.set(key, value);
    return this;
  }

  get(key: ProtocolMessagePartKey): string | undefined {
    return this.parts.get(key);
  }

  /** Parts in hashing order. */
  entries(): [ProtocolMessagePartKey, string][] {
    return PROTOCOL_MESSAGE_PART_KEYS.filter((key) => this.parts.has(key)).map((key) => [key, this.parts.get(key)!]);
  }

  toRecord(): Partial<Record<ProtocolMessagePartKey, string>> {
    return Object.fromEntries(this.entries());
  }

  /** SHA-256 over `key ‖ value` (ASCII) of each present part, in declaration order; lowercase hex. */
  hash(): string {
    const hasher = sha256.create();
    const encoder = new TextEncoder();
    for (const [key, value] of this.entries()) {
      hasher.update(encoder.encode(key));
      hasher.update(encoder.encode(value));
    }
    return bytesToHex(hasher.digest());
  }

  /** The certificate's `signed_message`: the hex hash. */
  signedMessage(): string {
    return this.hash();
  }

  equals(other: ProtocolMessage): boolean {
    const a = this.entries();
    const b = other.entries();
    return a.length === b.length && a.every(([key, value], i) => b[i]![0] === key && b[i]![1] === value);
  }
}

/** The bytes STM signers and the genesis key sign: the ASCII of the 64-character hex signed message. */
export function signedMessageBytes(signedMessage: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(signedMessage)) {
    throw new ProtocolError('INVALID_PROTOCOL_MESSAGE', 'a signed message is 64 lowercase hex characters');
  }
  return new TextEncoder().encode(signedMessage);
}

function isPrintableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** What every protocol message is seeded with, whatever it certifies. */
export interface ProtocolMessageSeed {
  /** json-hex of the AVK of the signers recorded for the current epoch (they sign at the next). */
  readonly nextAggregateVerificationKey: string;
  /** Hash of the protocol parameters of the next epoch. */
  readonly nextProtocolParametersHash: string;
  readonly currentEpoch: bigint;
}

export function seededProtocolMessage(seed: ProtocolMessageSeed): ProtocolMessage {
  return new ProtocolMessage({
    next_aggregate_verification_key: seed.nextAggregateVerificationKey,
    next_protocol_parameters: seed.nextProtocolParametersHash,
    current_epoch: seed.currentEpoch.toString(),
  });
}
