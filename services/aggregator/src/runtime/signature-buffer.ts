/**
 * Single signatures that arrive before their message is open. A signer and the aggregator read
 * the chain from different nodes, seconds apart: a signer may compute and send the message of a
 * new immutable file (or of the epoch's stake distribution) before this aggregator opened it.
 * Rather than refuse it (NO_OPEN_MESSAGE, and the signer retries until it is open), the signature
 * is held here, answered BUFFERED, and registered through the normal intake when the message opens:
 * verified then like any other (lottery and BLS against the registered key and the opened
 * message), so nothing held counts before it is verified, and a held signature over another
 * message than the one opened fails that verification and is dropped.
 *
 * What may be held is bounded, since the intake is reachable by its allowed clients and a bug or
 * a compromised gateway must not grow it without limit: only signatures for the current epoch,
 * naming a message (signed_message), that decode and whose signer index is the sender's in the
 * epoch's signer set; at most `maxPerSigner` per party (a newer one for the same signed entity
 * replaces the older) and `maxTotal` in all; each dropped after `ttlMs` or when the epoch changes.
 * A signature that cannot be held is refused as before (NO_OPEN_MESSAGE), so the signer retries.
 */
import type { Epoch, SignedEntityType } from '@mithril-ts/protocol';
import { singleSignatureFromBytes } from '@mithril-ts/stm';
import type { EpochContext } from './epoch-context.js';
import { AggregatorError } from './errors.js';
import type { OpenRound, Rounds } from './rounds.js';
import { describeType } from './signed-entities.js';

/** A single signature as the intake takes it (signature-intake.ts's RegisterSignatureInput, which imports this module). */
export interface RegisterSignatureInput {
  readonly signedEntityType: SignedEntityType;
  readonly partyId: string;
  readonly signature: Uint8Array;
  readonly signedMessage: string;
}

export interface SignatureBufferLimits {
  /** Signatures held per party. */
  readonly maxPerSigner: number;
  /** Signatures held in all. */
  readonly maxTotal: number;
  /** How long a signature is held waiting for its message. */
  readonly ttlMs: number;
}

export const DEFAULT_SIGNATURE_BUFFER_LIMITS: SignatureBufferLimits = { maxPerSigner: 8, maxTotal: 20_000, ttlMs: 120_000 };

const MAX_SIGNATURE_BYTES = 64 * 1024;
const SIGNED_MESSAGE = /^[0-9a-f]{64}$/;

interface Held {
  readonly input: RegisterSignatureInput;
  readonly type: string;
  readonly epoch: Epoch;
  readonly expiresAt: number;
}

export class SignatureBuffer {
  /** Per party, per signed entity type (described). */
  readonly #held = new Map<string, Map<string, Held>>();
  #size = 0;

  constructor(
    private readonly limits: SignatureBufferLimits = DEFAULT_SIGNATURE_BUFFER_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#size;
  }

  /** Holds `input` if it qualifies (see the module comment) and fits; false otherwise. */
  hold(input: RegisterSignatureInput, context: EpochContext): boolean {
    const { signedEntityType: type, partyId } = input;
    if (type.epoch !== context.epoch || !SIGNED_MESSAGE.test(input.signedMessage) || input.signature.length > MAX_SIGNATURE_BYTES) return false;
    const signers = context.settings.currentSigners;
    if (signers === undefined) return false;
    try {
      if (signers.partyIdOf(singleSignatureFromBytes(input.signature).signerIndex) !== partyId) return false;
    } catch {
      return false;
    }
    this.dropExpired();
    const key = describeType(type);
    let party = this.#held.get(partyId);
    const replaced = party?.has(key) === true;
    if (!replaced && ((party?.size ?? 0) >= this.limits.maxPerSigner || this.#size >= this.limits.maxTotal)) return false;
    if (party === undefined) {
      party = new Map();
      this.#held.set(partyId, party);
    }
    party.set(key, { input, type: key, epoch: type.epoch, expiresAt: this.now() + this.limits.ttlMs });
    if (!replaced) this.#size += 1;
    return true;
  }

  /** Removes and returns what is held for `type` and not expired. */
  take(type: SignedEntityType): RegisterSignatureInput[] {
    this.dropExpired();
    const key = describeType(type);
    const taken: RegisterSignatureInput[] = [];
    for (const [partyId, party] of this.#held) {
      const held = party.get(key);
      if (held === undefined) continue;
      taken.push(held.input);
      this.#delete(partyId, party, key);
    }
    return taken;
  }

  /** Removes exactly `input` if it is still held (not taken, replaced or expired); true when it was. */
  release(input: RegisterSignatureInput): boolean {
    const party = this.#held.get(input.partyId);
    const key = describeType(input.signedEntityType);
    if (party?.get(key)?.input !== input) return false;
    this.#delete(input.partyId, party, key);
    return true;
  }

  /** Drops what has waited longer than `ttlMs`. */
  dropExpired(): number {
    const now = this.now();
    return this.#dropWhere((held) => held.expiresAt <= now);
  }

  /** A new epoch: what was held for earlier ones can never be certified. */
  dropBefore(epoch: Epoch): number {
    return this.#dropWhere((held) => held.epoch < epoch);
  }

  #dropWhere(predicate: (held: Held) => boolean): number {
    let dropped = 0;
    for (const [partyId, party] of this.#held) {
      for (const [key, held] of party) {
        if (!predicate(held)) continue;
        this.#delete(partyId, party, key);
        dropped += 1;
      }
    }
    return dropped;
  }

  #delete(partyId: string, party: Map<string, Held>, key: string): void {
    party.delete(key);
    this.#size -= 1;
    if (party.size === 0) this.#held.delete(partyId);
  }
}

/**
 * The open round of the signature's message, or 'buffered' when it is not open yet and the
 * signature was held. Anything else is thrown as `rounds.open` threw it.
 */
export async function openOrHold(
  rounds: Rounds,
  buffer: SignatureBuffer,
  input: RegisterSignatureInput,
  context: () => EpochContext,
): Promise<OpenRound | 'buffered'> {
  try {
    return await rounds.open(input.signedEntityType);
  } catch (error) {
    if (!(error instanceof AggregatorError) || error.code !== 'NO_OPEN_MESSAGE' || !buffer.hold(input, context())) throw error;
  }
  // The message may have opened while the store was read; its opening has taken what was held
  // then, so look once more, or this signature would wait for an opening that already happened.
  let round: OpenRound;
  try {
    round = await rounds.open(input.signedEntityType);
  } catch (error) {
    if (error instanceof AggregatorError && error.code === 'NO_OPEN_MESSAGE') return 'buffered';
    buffer.release(input);
    throw error;
  }
  return buffer.release(input) ? round : 'buffered';
}
