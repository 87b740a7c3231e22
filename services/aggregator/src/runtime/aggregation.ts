/**
 * Aggregation scheduling: when a signature arrives (and once per cycle, for what a restart left),
 * the open message's round is checked for a quorum and, once the claimed lottery indexes reach k,
 * aggregated and sealed into a certificate linked to the epoch's master certificate. One
 * aggregation at a time per open message; a request during one runs once more after it.
 */
import { ownSignedEntityType, timestampFromDate, type Certificate, type Epoch, type Timestamp } from '@mithril-ts/protocol';
import type { Logger } from '@mithril-ts/service-kit';
import { certificateRecordOf, type AggregatorStore } from '../store/index.js';
import { certifyRound, claimedIndexes } from './certification.js';
import type { EpochContext } from './epoch-context.js';
import type { Rounds } from './rounds.js';
import { describeType, protocolMessageOf } from './signed-entities.js';

export interface AggregationOptions {
  readonly store: AggregatorStore;
  readonly rounds: Rounds;
  readonly network: string;
  readonly logger: Logger;
  readonly now: () => Timestamp;
  /** The current epoch's context; undefined before the first epoch is entered. */
  readonly context: () => EpochContext | undefined;
  /** A certificate was sealed (the `certificate` event). */
  readonly sealed: (certificate: Certificate) => void;
  /** After a seal: the messages left open in the epoch (the state machine's certificate-sealed). */
  readonly left: (epoch: Epoch, openMessages: number) => void;
  /** An aggregation failed (it is logged here, and tried again on the next signature or cycle). */
  readonly failed: (error: unknown) => void;
}

export class Aggregations {
  readonly #running = new Map<string, { running: Promise<void>; again: boolean }>();

  constructor(private readonly options: AggregationOptions) {}

  /** Aggregates the open message if its round has reached the quorum; never rejects (failures go to `failed`). */
  request(openMessageId: string): Promise<void> {
    const current = this.#running.get(openMessageId);
    if (current !== undefined) {
      current.again = true;
      return current.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      do {
        entry.again = false;
        try {
          await this.#tryCertify(openMessageId);
        } catch (error) {
          this.options.logger.error({ err: error, openMessageId }, 'aggregation failed');
          this.options.failed(error);
        }
      } while (entry.again);
      this.#running.delete(openMessageId);
    })();
    this.#running.set(openMessageId, entry);
    return entry.running;
  }

  /** Tries every open message of the epoch again, one after the other. */
  async retry(epoch: Epoch): Promise<void> {
    for (const message of await this.options.store.openMessages.list({ epoch })) {
      await this.request(message.id);
    }
  }

  /** Waits for the aggregations in progress. */
  async settled(): Promise<void> {
    await Promise.all([...this.#running.values()].map(({ running }) => running));
  }

  async #tryCertify(openMessageId: string): Promise<void> {
    const { store, rounds } = this.options;
    const message = await store.openMessages.getById(openMessageId);
    const context = this.options.context();
    if (message === null || message.isCertified || message.isExpired || context === undefined || message.epoch !== context.epoch) {
      if (message !== null) rounds.forget(message);
      return;
    }
    const round = await rounds.seeded(openMessageId);
    if (BigInt(round.claimed.size) < context.settings.currentParameters.k) return;
    // Enough indexes are claimed: the stored signatures are the round (decoded ones reused).
    const signatures = await store.openMessages.listSingleSignatures(openMessageId);
    if (BigInt(claimedIndexes(signatures)) < context.settings.currentParameters.k) return;
    const master = (await store.certificates.firstOfEpoch(context.epoch)) ?? (await store.certificates.firstOfEpoch(context.epoch - 1n));
    if (master === null) return;
    const certificate = certifyRound({
      network: this.options.network,
      settings: context.settings,
      signedEntityType: message.signedEntityType,
      protocolMessage: protocolMessageOf(message),
      signatures,
      previousHash: master.hash,
      initiatedAt: timestampFromDate(message.createdAt),
      sealedAt: this.options.now(),
      decoded: (record) => round.decoded.get(record.partyId),
    });
    if (certificate === undefined) return;
    await store.certificates.save(certificateRecordOf(certificate), { certifiesOpenMessage: openMessageId });
    rounds.forget(message);
    this.options.logger.info(
      {
        hash: certificate.hash,
        signedEntityType: describeType(ownSignedEntityType(certificate.signedEntityType)),
        signers: certificate.metadata.signers.length,
        signatures: signatures.length,
      },
      'sealed a certificate',
    );
    this.options.sealed(certificate);
    const open = await store.openMessages.list({ epoch: context.epoch });
    this.options.left(context.epoch, open.length);
  }
}
