/**
 * Single signatures in: each is decoded once, routed to its open message, checked to belong to the
 * signer that sent it, VERIFIED (lottery indexes and BLS, against the registered key of that
 * signer and the open message) and written in batches (signatures come in bursts of thousands: one
 * transaction per batch).
 *
 * The signer gateway verifies too, but the aggregator's port can be reached without it, and the
 * store keeps the first signature per party and message: an unverified one would shadow the
 * honest one and the round might never be sealed. Verification is batched (one pairing product
 * per signer set and message, a failing batch bisected to name every bad signature), so the cost
 * per signature stays a fraction of a pairing.
 */
import { signedMessageBytes, type SignedEntityType, type SignerSet } from '@mithril-ts/protocol';
import { Clerk, StmError, singleSignatureFromBytes, type SingleSignature } from '@mithril-ts/stm';
import { GroupedMicroBatcher, MicroBatcher } from '@mithril-ts/service-kit';
import type { AddSingleSignatureResult, AggregatorStore, NewSingleSignature } from '../store/index.js';
import type { EpochContext } from './epoch-context.js';
import { AggregatorError } from './errors.js';
import type { Rounds } from './rounds.js';
import { describeType } from './signed-entities.js';
import { openOrHold, type SignatureBuffer } from './signature-buffer.js';

export interface RegisterSignatureInput {
  readonly signedEntityType: SignedEntityType;
  readonly partyId: string;
  readonly signature: Uint8Array;
  /** The message the signer says it signed (64 hex); empty when not given. */
  readonly signedMessage: string;
}

/** `buffered`: its message is not open yet; it is held and registered when the message opens (signature-buffer.ts). */
export type RegisterSignatureOutcome = 'accepted' | 'already-registered' | 'buffered';

/** The `signature` event. */
export interface SignatureAccepted {
  readonly signedEntityType: SignedEntityType;
  readonly partyId: string;
  readonly indexes: number;
}

export interface SignatureIntakeOptions {
  readonly store: AggregatorStore;
  readonly rounds: Rounds;
  /** The current epoch's context; NOT_READY before the first epoch is entered. */
  readonly context: () => EpochContext;
  /** Where signatures for a message not open yet are held; without it they are refused NO_OPEN_MESSAGE. */
  readonly buffer?: SignatureBuffer;
  /** A new signature was stored for the open message (the runtime tells and tries to aggregate). */
  readonly accepted: (signature: SignatureAccepted, openMessageId: string) => void;
}

const MAX_SIGNATURE_BYTES = 64 * 1024;

interface VerificationGroup {
  readonly clerk: Clerk;
  readonly message: Uint8Array;
}

export class SignatureIntake {
  readonly #writes: MicroBatcher<NewSingleSignature, AddSingleSignatureResult>;
  readonly #verifications = new GroupedMicroBatcher<VerificationGroup, SingleSignature, StmError | undefined>({
    windowMs: 5,
    maxBatch: 512,
    process: ({ clerk, message }, signatures) => clerk.verifySingleSignatures(signatures, message),
  });
  /** One clerk per closed signer set (and an id naming it in batch keys). */
  readonly #clerks = new WeakMap<SignerSet, { readonly id: number; readonly clerk: Clerk }>();
  #nextClerkId = 0;

  constructor(private readonly options: SignatureIntakeOptions) {
    this.#writes = new MicroBatcher({ windowMs: 5, maxBatch: 512, process: (signatures) => options.store.openMessages.addSingleSignatures(signatures) });
  }

  async register(input: RegisterSignatureInput): Promise<RegisterSignatureOutcome> {
    const { rounds, buffer } = this.options;
    const open = buffer === undefined ? await rounds.open(input.signedEntityType) : await openOrHold(rounds, buffer, input, this.options.context);
    if (open === 'buffered') return 'buffered';
    const { message, signedMessage } = open;
    if (input.signedMessage !== '' && input.signedMessage !== signedMessage) {
      throw new AggregatorError('SIGNATURE_INVALID', `the signature is over ${input.signedMessage}, the open message is ${signedMessage}`);
    }
    if (input.signature.length > MAX_SIGNATURE_BYTES) throw new AggregatorError('MALFORMED_REQUEST', 'the single signature is too large');
    // A resend of bytes this process accepted for this party and message (the first answer was lost,
    // or came after the gateway's deadline) gets the store's answer without a second decode and
    // verification: the same bytes, the same signer set and message verify the same way.
    const received = rounds.of(message.id).received.get(input.partyId);
    if (received !== undefined && Buffer.compare(received, input.signature) === 0) return 'already-registered';
    let signature: SingleSignature;
    try {
      signature = singleSignatureFromBytes(input.signature);
    } catch (cause) {
      if (!(cause instanceof StmError)) throw cause;
      throw new AggregatorError('MALFORMED_REQUEST', `the single signature does not decode: ${cause.message}`, { cause });
    }
    const context = this.options.context();
    const signers = context.epoch === message.epoch ? context.settings.currentSigners : undefined;
    if (signers === undefined) throw new AggregatorError('SIGNATURE_TOO_LATE', `the message of epoch ${message.epoch} is not of the current epoch`);
    let owner: string;
    try {
      owner = signers.partyIdOf(signature.signerIndex);
    } catch {
      throw new AggregatorError('UNKNOWN_SIGNER', `no signer has index ${signature.signerIndex} in epoch ${message.epoch}`);
    }
    if (owner !== input.partyId) throw new AggregatorError('SIGNATURE_INVALID', `signer index ${signature.signerIndex} is ${owner}'s, not ${input.partyId}'s`);
    let clerk = this.#clerks.get(signers);
    if (clerk === undefined) {
      clerk = { id: (this.#nextClerkId += 1), clerk: new Clerk(signers.closed, context.settings.currentParameters) };
      this.#clerks.set(signers, clerk);
    }
    const failure = await this.#verifications.submit(
      `${clerk.id}:${message.id}`,
      { clerk: clerk.clerk, message: signedMessageBytes(signedMessage) },
      signature,
    );
    if (failure !== undefined) throw new AggregatorError('SIGNATURE_INVALID', `the signature does not verify: ${failure.message}`, { cause: failure });
    const result = await this.#writes.submit({
      openMessageId: message.id,
      partyId: input.partyId,
      signature: input.signature,
      wonIndexes: signature.indexes.map(BigInt),
    });
    if (result.status === 'message-closed') {
      rounds.forget(message);
      throw new AggregatorError('SIGNATURE_TOO_LATE', `the message for ${describeType(input.signedEntityType)} is already ${result.reason}`);
    }
    if (result.status === 'already-registered') return 'already-registered';
    const round = rounds.of(message.id);
    for (const index of result.signature.wonIndexes) round.claimed.add(index);
    round.decoded.set(input.partyId, signature);
    round.received.set(input.partyId, Uint8Array.from(input.signature));
    this.options.accepted({ signedEntityType: input.signedEntityType, partyId: input.partyId, indexes: signature.indexes.length }, message.id);
    return 'accepted';
  }

  /** Writes what is pending and waits for the batches in flight. */
  async drain(): Promise<void> {
    await this.#verifications.drain();
    await this.#writes.drain();
  }
}
