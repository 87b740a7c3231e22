/**
 * What the runtime keeps in memory about the open messages of the epoch while their rounds run,
 * shared by the signature intake (which fills it) and the aggregation (which reads it). Everything
 * here can be rebuilt from the store: it is dropped when a message is certified or expires, and
 * cleared when an epoch is entered.
 */
import type { SignedEntityType } from '@mithril-ts/protocol';
import type { SingleSignature } from '@mithril-ts/stm';
import type { AggregatorStore, OpenMessageRecord } from '../store/index.js';
import { AggregatorError } from './errors.js';
import { describeType, protocolMessageOf } from './signed-entities.js';

/**
 * A round's state, so that a signature costs one decode and a share of a batched write, not a
 * re-read of the round: the lottery indexes claimed so far (seeded once from the store, e.g. after
 * a restart, and merged with what arrives) and the signatures decoded on receipt (reused by the
 * aggregation).
 */
export interface RoundState {
  readonly claimed: Set<bigint>;
  readonly decoded: Map<string, SingleSignature>;
  /** The bytes of each signature accepted in this process, by party: a resend of the same bytes is answered without decoding. */
  readonly received: Map<string, Uint8Array>;
  seeded: Promise<void> | undefined;
}

/** An open message as signatures are checked against it: its protocol message parsed once. */
export interface OpenRound {
  readonly message: OpenMessageRecord;
  readonly signedMessage: string;
}

export class Rounds {
  readonly #rounds = new Map<string, RoundState>();
  /** Open messages by signed entity type; an entry is dropped when its message is certified or expires. */
  readonly #openRounds = new Map<string, OpenRound>();

  constructor(private readonly store: AggregatorStore) {}

  /** The open message of `type` (cached while it stays open); NO_OPEN_MESSAGE or SIGNATURE_TOO_LATE otherwise. */
  async open(type: SignedEntityType): Promise<OpenRound> {
    const key = describeType(type);
    const cached = this.#openRounds.get(key);
    if (cached !== undefined) return cached;
    const message = await this.store.openMessages.get(type);
    if (message === null) throw new AggregatorError('NO_OPEN_MESSAGE', `no message is open for ${key}`);
    if (message.isCertified || message.isExpired) {
      throw new AggregatorError('SIGNATURE_TOO_LATE', `the message for ${key} is already ${message.isCertified ? 'certified' : 'expired'}`);
    }
    const round = { message, signedMessage: protocolMessageOf(message).signedMessage() };
    this.#openRounds.set(key, round);
    return round;
  }

  of(openMessageId: string): RoundState {
    let round = this.#rounds.get(openMessageId);
    if (round === undefined) {
      round = { claimed: new Set(), decoded: new Map(), received: new Map(), seeded: undefined };
      this.#rounds.set(openMessageId, round);
    }
    return round;
  }

  /** The round with every signature the store holds merged in (read once per round and process). */
  async seeded(openMessageId: string): Promise<RoundState> {
    const round = this.of(openMessageId);
    round.seeded ??= this.store.openMessages.listSingleSignatures(openMessageId).then(
      (records) => {
        for (const record of records) for (const index of record.wonIndexes) round.claimed.add(index);
      },
      (error: unknown) => {
        round.seeded = undefined;
        throw error;
      },
    );
    await round.seeded;
    return round;
  }

  forget(message: OpenMessageRecord): void {
    this.#openRounds.delete(describeType(message.signedEntityType));
    this.#rounds.delete(message.id);
  }

  /** A new epoch: the rounds of the last one can no longer be certified. */
  clear(): void {
    this.#openRounds.clear();
    this.#rounds.clear();
  }
}
