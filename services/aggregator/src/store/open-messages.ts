/**
 * Open messages (one per signed entity type, open for signing until certified or expired) and the
 * single signatures received for them: one concern, since a signature is accepted only while its
 * message is open, checked in the same transaction as its insert.
 */
import { randomUUID } from 'node:crypto';
import { parseJson, stringifyJson } from '@mithril-ts/codec';
import type { Epoch, SignedEntityKind, SignedEntityType } from '@mithril-ts/protocol';
import { U64_MAX, beaconText, bigintArg, bytes, bytesArg, parseBeacon, textArg } from './columns.js';
import { AggregatorStoreError, isRecordNotFound, isUniqueViolation } from './errors.js';
import type * as Rows from './generated/sqlite/models.js';
import { PrismaRepository } from './repository.js';

export interface NewOpenMessage {
  /** Defaults to a random UUID. */
  readonly id?: string;
  readonly epoch: Epoch;
  readonly signedEntityType: SignedEntityType;
  /** The protocol message as JSON text. */
  readonly protocolMessage: string;
  readonly createdAt?: Date;
  readonly expiresAt?: Date | null;
}

export interface OpenMessageRecord {
  readonly id: string;
  readonly epoch: Epoch;
  readonly signedEntityType: SignedEntityType;
  readonly protocolMessage: string;
  readonly isCertified: boolean;
  readonly isExpired: boolean;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

export interface OpenMessageFilter {
  readonly epoch?: Epoch;
  readonly kind?: SignedEntityKind;
  /** Certified and expired messages too (default: only those still open). */
  readonly includeClosed?: boolean;
}

export interface NewSingleSignature {
  readonly openMessageId: string;
  readonly partyId: string;
  readonly signature: Uint8Array;
  /** The lottery indexes this signature won. */
  readonly wonIndexes: readonly bigint[];
  readonly createdAt?: Date;
}

export interface SingleSignatureRecord {
  readonly openMessageId: string;
  readonly partyId: string;
  readonly signature: Uint8Array;
  readonly wonIndexes: readonly bigint[];
  readonly createdAt: Date;
}

export type AddSingleSignatureResult =
  | { readonly status: 'added'; readonly signature: SingleSignatureRecord }
  /** This party already has a signature for this open message (the first one is kept). */
  | { readonly status: 'already-registered' }
  /** The open message is certified or expired: too late to sign it. */
  | { readonly status: 'message-closed'; readonly reason: 'certified' | 'expired' };

export interface OpenMessageRepository {
  /** Opens a message; CONFLICT if one exists for the same signed entity type. */
  create(message: NewOpenMessage): Promise<OpenMessageRecord>;
  get(signedEntityType: SignedEntityType): Promise<OpenMessageRecord | null>;
  getById(id: string): Promise<OpenMessageRecord | null>;
  /** Open messages, oldest first; only those neither certified nor expired unless `includeClosed`. */
  list(filter?: OpenMessageFilter): Promise<OpenMessageRecord[]>;
  /** NOT_FOUND if there is no such message. */
  markCertified(id: string): Promise<OpenMessageRecord>;
  /** NOT_FOUND if there is no such message. */
  markExpired(id: string): Promise<OpenMessageRecord>;

  /**
   * Records a single signature in one transaction. Safe under concurrent submissions: distinct
   * parties are all kept, a second signature of the same party is reported, never an exception.
   * NOT_FOUND if the open message does not exist.
   */
  addSingleSignature(signature: NewSingleSignature): Promise<AddSingleSignatureResult>;
  /**
   * Records many single signatures in one transaction (a round brings thousands in a burst, and
   * one transaction each does not keep up): one result per input, in order, with the rules of
   * `addSingleSignature` (a party's second signature of a message, in the store or earlier in the
   * same batch, is "already-registered"). NOT_FOUND if an open message does not exist.
   */
  addSingleSignatures(signatures: readonly NewSingleSignature[]): Promise<AddSingleSignatureResult[]>;
  /** Signatures of an open message, in arrival order. */
  listSingleSignatures(openMessageId: string): Promise<SingleSignatureRecord[]>;
}

function openMessageOf(row: Rows.OpenMessageModel): OpenMessageRecord {
  const signedEntityType = parseBeacon(row.beacon, `open message ${row.id}`);
  if (signedEntityType.kind !== row.signedEntityKind)
    throw new AggregatorStoreError('CORRUPT_ROW', `open message ${row.id}: kind ${row.signedEntityKind} does not match its beacon`);
  return {
    id: row.id,
    epoch: row.epoch,
    signedEntityType,
    protocolMessage: row.protocolMessage,
    isCertified: row.isCertified,
    isExpired: row.isExpired,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

function wonIndexesOf(text: string, where: string): bigint[] {
  const value = (() => {
    try {
      return parseJson(text);
    } catch (cause) {
      throw new AggregatorStoreError('CORRUPT_ROW', `${where}: won indexes are not JSON`, { cause });
    }
  })();
  if (!Array.isArray(value)) throw new AggregatorStoreError('CORRUPT_ROW', `${where}: won indexes are not an array`);
  return value.map((v) => {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    throw new AggregatorStoreError('CORRUPT_ROW', `${where}: won index ${String(v)} is not an integer`);
  });
}

function signatureOf(row: Rows.SingleSignatureModel): SingleSignatureRecord {
  return {
    openMessageId: row.openMessageId,
    partyId: row.partyId,
    signature: bytes(row.signature),
    wonIndexes: wonIndexesOf(row.wonIndexes, `single signature ${row.openMessageId}/${row.partyId}`),
    createdAt: row.createdAt,
  };
}

export class PrismaOpenMessageRepository extends PrismaRepository implements OpenMessageRepository {
  create(message: NewOpenMessage): Promise<OpenMessageRecord> {
    return this.run('create open message', async () => {
      const beacon = beaconText(message.signedEntityType);
      try {
        const row = await this.client.openMessage.create({
          data: {
            id: message.id === undefined ? randomUUID() : textArg(message.id, 'open message id', 128),
            epoch: bigintArg(message.epoch, 'epoch'),
            signedEntityKind: message.signedEntityType.kind,
            beacon,
            protocolMessage: message.protocolMessage,
            createdAt: message.createdAt ?? new Date(),
            expiresAt: message.expiresAt ?? null,
          },
        });
        return openMessageOf(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new AggregatorStoreError('CONFLICT', `an open message already exists for ${beacon}`, { cause: error });
        throw error;
      }
    });
  }

  get(signedEntityType: SignedEntityType): Promise<OpenMessageRecord | null> {
    return this.run('get open message', async () => {
      const row = await this.client.openMessage.findUnique({
        where: { signedEntityKind_beacon: { signedEntityKind: signedEntityType.kind, beacon: beaconText(signedEntityType) } },
      });
      return row === null ? null : openMessageOf(row);
    });
  }

  getById(id: string): Promise<OpenMessageRecord | null> {
    return this.run('get open message', async () => {
      const row = await this.client.openMessage.findUnique({ where: { id } });
      return row === null ? null : openMessageOf(row);
    });
  }

  list(filter: OpenMessageFilter = {}): Promise<OpenMessageRecord[]> {
    return this.run('list open messages', async () => {
      const rows = await this.client.openMessage.findMany({
        where: {
          ...(filter.epoch !== undefined ? { epoch: bigintArg(filter.epoch, 'epoch') } : {}),
          ...(filter.kind !== undefined ? { signedEntityKind: filter.kind } : {}),
          ...(filter.includeClosed ? {} : { isCertified: false, isExpired: false }),
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      return rows.map(openMessageOf);
    });
  }

  private mark(id: string, data: { isCertified: true } | { isExpired: true }, what: string): Promise<OpenMessageRecord> {
    return this.run(what, async () => {
      try {
        return openMessageOf(await this.client.openMessage.update({ where: { id }, data }));
      } catch (error) {
        if (isRecordNotFound(error)) throw new AggregatorStoreError('NOT_FOUND', `${what}: no open message ${id}`, { cause: error });
        throw error;
      }
    });
  }

  markCertified(id: string): Promise<OpenMessageRecord> {
    return this.mark(id, { isCertified: true }, 'mark open message certified');
  }

  markExpired(id: string): Promise<OpenMessageRecord> {
    return this.mark(id, { isExpired: true }, 'mark open message expired');
  }

  addSingleSignature(signature: NewSingleSignature): Promise<AddSingleSignatureResult> {
    return this.run('add single signature', async () => {
      const openMessageId = textArg(signature.openMessageId, 'open message id', 128);
      const partyId = textArg(signature.partyId, 'party id');
      const wonIndexes = signature.wonIndexes.map((index) => bigintArg(index, 'won index', U64_MAX));
      const data = {
        openMessageId,
        partyId,
        signature: bytesArg(signature.signature, 'signature'),
        wonIndexes: stringifyJson(wonIndexes),
        createdAt: signature.createdAt ?? new Date(),
      };
      try {
        // The unique key (open_message_id, party_id) is what makes concurrent submissions safe:
        // the check of the message and the insert commit together, and a second insert for the
        // same party fails on the key (outside the transaction it becomes "already-registered").
        return await this.client.$transaction(async (tx): Promise<AddSingleSignatureResult> => {
          const message = await tx.openMessage.findUnique({ where: { id: openMessageId }, select: { isCertified: true, isExpired: true } });
          if (message === null) throw new AggregatorStoreError('NOT_FOUND', `add single signature: no open message ${openMessageId}`);
          if (message.isCertified) return { status: 'message-closed', reason: 'certified' };
          if (message.isExpired) return { status: 'message-closed', reason: 'expired' };
          const row = await tx.singleSignature.create({ data });
          return { status: 'added', signature: signatureOf(row) };
        });
      } catch (error) {
        if (isUniqueViolation(error)) return { status: 'already-registered' };
        throw error;
      }
    });
  }

  addSingleSignatures(signatures: readonly NewSingleSignature[]): Promise<AddSingleSignatureResult[]> {
    return this.run('add single signatures', async () => {
      if (signatures.length === 0) return [];
      const now = new Date();
      const rows = signatures.map((signature) => ({
        openMessageId: textArg(signature.openMessageId, 'open message id', 128),
        partyId: textArg(signature.partyId, 'party id'),
        signature: bytesArg(signature.signature, 'signature'),
        wonIndexes: signature.wonIndexes.map((index) => bigintArg(index, 'won index', U64_MAX)),
        createdAt: signature.createdAt ?? now,
      }));
      const messageIds = [...new Set(rows.map((row) => row.openMessageId))];
      const partyIds = [...new Set(rows.map((row) => row.partyId))];
      const key = (openMessageId: string, partyId: string) => `${openMessageId}\u0000${partyId}`;
      // One transaction: the messages' state, the parties already recorded and the inserts commit
      // together, as in addSingleSignature (the unique key still guards against any other writer).
      return this.client.$transaction(async (tx): Promise<AddSingleSignatureResult[]> => {
        const messages = new Map(
          (await tx.openMessage.findMany({ where: { id: { in: messageIds } }, select: { id: true, isCertified: true, isExpired: true } })).map((m) => [
            m.id,
            m,
          ]),
        );
        const missing = messageIds.find((id) => !messages.has(id));
        if (missing !== undefined) throw new AggregatorStoreError('NOT_FOUND', `add single signatures: no open message ${missing}`);
        const taken = new Set(
          (
            await tx.singleSignature.findMany({
              where: { openMessageId: { in: messageIds }, partyId: { in: partyIds } },
              select: { openMessageId: true, partyId: true },
            })
          ).map((row) => key(row.openMessageId, row.partyId)),
        );
        const results: AddSingleSignatureResult[] = [];
        const inserts: typeof rows = [];
        for (const row of rows) {
          const message = messages.get(row.openMessageId)!;
          if (message.isCertified) results.push({ status: 'message-closed', reason: 'certified' });
          else if (message.isExpired) results.push({ status: 'message-closed', reason: 'expired' });
          else if (taken.has(key(row.openMessageId, row.partyId))) results.push({ status: 'already-registered' });
          else {
            taken.add(key(row.openMessageId, row.partyId));
            inserts.push(row);
            results.push({
              status: 'added',
              signature: {
                openMessageId: row.openMessageId,
                partyId: row.partyId,
                signature: bytes(row.signature),
                wonIndexes: row.wonIndexes,
                createdAt: row.createdAt,
              },
            });
          }
        }
        if (inserts.length > 0) await tx.singleSignature.createMany({ data: inserts.map((row) => ({ ...row, wonIndexes: stringifyJson(row.wonIndexes) })) });
        return results;
      });
    });
  }

  listSingleSignatures(openMessageId: string): Promise<SingleSignatureRecord[]> {
    return this.run('list single signatures', async () => {
      const rows = await this.client.singleSignature.findMany({ where: { openMessageId }, orderBy: { id: 'asc' } });
      return rows.map(signatureOf);
    });
  }
}
