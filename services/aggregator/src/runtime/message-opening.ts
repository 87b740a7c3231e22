/**
 * Opening messages: for each configured signed entity kind, what should be signed now (the epoch's
 * stake distribution; the immutable files up to the latest one), opened unless it is certified or
 * open already. A newer beacon of a kind expires the uncertified older one.
 */
import type { ImmutableDigester } from '@mithril-ts/cardano';
import { cardanoDatabase, mithrilStakeDistribution, signedEntityProtocolMessage, type SignedEntityKind, type SignedEntityType } from '@mithril-ts/protocol';
import type { Logger } from '@mithril-ts/service-kit';
import type { AggregatorStore, OpenMessageRecord } from '../store/index.js';
import type { EpochContext } from './epoch-context.js';
import type { Rounds } from './rounds.js';
import { describeType } from './signed-entities.js';

export interface MessageOpeningOptions {
  readonly store: AggregatorStore;
  readonly immutableDatabase: ImmutableDigester;
  readonly signedEntityKinds: readonly SignedEntityKind[];
  readonly rounds: Rounds;
  readonly logger: Logger;
  /** A message was opened (the `message-opened` event). */
  readonly opened: (message: OpenMessageRecord) => void;
}

/** What should be signed now, per configured kind. */
async function wanted(options: MessageOpeningOptions, context: EpochContext): Promise<SignedEntityType[]> {
  const { epoch } = context;
  const types: SignedEntityType[] = [];
  for (const kind of options.signedEntityKinds) {
    if (kind === 'MithrilStakeDistribution') types.push(mithrilStakeDistribution(epoch));
    else {
      const latest = await options.immutableDatabase.latestImmutableFileNumber();
      if (latest !== undefined) types.push(cardanoDatabase(epoch, latest));
    }
  }
  return types;
}

/** Opens what there is to sign in the context's epoch; answers how many messages are open in it now. */
export async function openMessages(options: MessageOpeningOptions, context: EpochContext): Promise<number> {
  const { store } = options;
  for (const type of await wanted(options, context)) {
    if ((await store.certificates.ofSignedEntity(type)) !== null) continue;
    if ((await store.openMessages.get(type)) !== null) continue;
    // A newer beacon of the same kind makes an uncertified older one pointless (signers move on).
    for (const older of await store.openMessages.list({ epoch: context.epoch, kind: type.kind })) {
      await store.openMessages.markExpired(older.id);
      options.rounds.forget(older);
    }
    const data =
      type.kind === 'CardanoDatabase' ? { cardanoDatabaseMerkleRoot: await options.immutableDatabase.cardanoDatabaseMerkleRoot(type.immutableFileNumber) } : {};
    const message = signedEntityProtocolMessage(context.settings, type, data);
    const opened = await store.openMessages.create({ epoch: context.epoch, signedEntityType: type, protocolMessage: JSON.stringify(message.toRecord()) });
    options.logger.info({ signedEntityType: describeType(type), signedMessage: message.signedMessage() }, 'opened a message');
    options.opened(opened);
  }
  return (await store.openMessages.list({ epoch: context.epoch })).length;
}
