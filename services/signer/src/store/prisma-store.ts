/**
 * The signer store on Prisma 7 (Rust-free client, @prisma/adapter-better-sqlite3).
 *
 * The secret STM keys live in `protocol_initializer`. The connection runs with SQLite's
 * `secure_delete`, so pruned rows are overwritten with zeros in the database file, and pruning
 * checkpoints the write-ahead log so old page images holding a key do not linger in it. (Best
 * effort, as anywhere: the file system and backups may keep copies.)
 */
import { parseJson, stringifyJson } from '@mithril-ts/codec';
import { signedEntityTypeFromJson, signedEntityTypeToJson, validateProtocolParameters, type Epoch, type SignedEntityType } from '@mithril-ts/protocol';
import { SignerStoreError, signerStoreErrors } from './errors.js';
import type { PrismaClient } from './generated/client.js';
import type * as Rows from './generated/models.js';
import { HANDLED_STATUSES, type HandledSignedEntity, type HandledStatus, type SignerStore, type StoredInitializer } from './types.js';

/** BIGINT columns are signed 64-bit. */
const I64_MAX = (1n << 63n) - 1n;
const SIGNING_KEY_BYTES = 32;
const VERIFICATION_KEY_BYTES = 192;

function bigintArg(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > I64_MAX) {
    throw new SignerStoreError('INVALID_ARGUMENT', `${what} must be an integer in [0, ${I64_MAX}], got ${String(value)}`);
  }
  return value;
}

function bytesArg(value: Uint8Array, length: number, what: string): Uint8Array<ArrayBuffer> {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new SignerStoreError('INVALID_ARGUMENT', `${what} must be ${length} bytes`);
  }
  return new Uint8Array(value);
}

/** The beacon column: the reference JSON of the signed entity type (bigints as bare integers). */
export function beaconText(type: SignedEntityType): string {
  return stringifyJson(signedEntityTypeToJson(type));
}

function initializerOf(row: Rows.ProtocolInitializerModel): StoredInitializer {
  const where = `initializer of recording epoch ${row.recordingEpoch}`;
  if (row.signingKey.length !== SIGNING_KEY_BYTES || row.verificationKey.length !== VERIFICATION_KEY_BYTES) {
    throw new SignerStoreError('CORRUPT_ROW', `${where}: key columns have the wrong length`);
  }
  let parameters;
  try {
    parameters = validateProtocolParameters({ k: row.k, m: row.m, phiF: row.phiF });
  } catch (cause) {
    throw new SignerStoreError('CORRUPT_ROW', `${where}: stored parameters are invalid`, { cause });
  }
  return {
    recordingEpoch: row.recordingEpoch,
    partyId: row.partyId,
    signingKey: new Uint8Array(row.signingKey),
    verificationKey: new Uint8Array(row.verificationKey),
    stake: row.stake,
    parameters,
    createdAt: row.createdAt,
    registeredAt: row.registeredAt,
  };
}

function handledOf(row: Rows.HandledSignedEntityModel): HandledSignedEntity {
  let signedEntityType: SignedEntityType;
  try {
    signedEntityType = signedEntityTypeFromJson(parseJson(row.beacon));
  } catch (cause) {
    throw new SignerStoreError('CORRUPT_ROW', `handled signed entity ${JSON.stringify(row.beacon)} does not decode`, { cause });
  }
  if (signedEntityType.kind !== row.signedEntityKind || !HANDLED_STATUSES.includes(row.status as HandledStatus)) {
    throw new SignerStoreError('CORRUPT_ROW', `handled signed entity ${row.beacon}: kind ${row.signedEntityKind} or status ${row.status} is inconsistent`);
  }
  return { signedEntityType, signedMessage: row.signedMessage, status: row.status as HandledStatus, wonIndexes: row.wonIndexes, handledAt: row.handledAt };
}

export class PrismaSignerStore implements SignerStore {
  #closed = false;

  constructor(private readonly client: PrismaClient) {}

  private async run<T>(what: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new SignerStoreError('CLOSED', `${what}: the store is closed`);
    try {
      return await body();
    } catch (error) {
      throw signerStoreErrors.wrap(error, what);
    }
  }

  saveInitializer(initializer: StoredInitializer): Promise<void> {
    return this.run('save initializer', async () => {
      const recordingEpoch = bigintArg(initializer.recordingEpoch, 'recording epoch');
      const { k, m, phiF } = initializer.parameters;
      if (typeof initializer.partyId !== 'string' || initializer.partyId.length === 0 || initializer.partyId.length > 128) {
        throw new SignerStoreError('INVALID_ARGUMENT', 'party id must be a non-empty string of at most 128 characters');
      }
      if (typeof phiF !== 'number' || !(phiF > 0 && phiF <= 1)) throw new SignerStoreError('INVALID_ARGUMENT', 'phi_f must be in (0, 1]');
      const data = {
        partyId: initializer.partyId,
        signingKey: bytesArg(initializer.signingKey, SIGNING_KEY_BYTES, 'signing key'),
        verificationKey: bytesArg(initializer.verificationKey, VERIFICATION_KEY_BYTES, 'verification key'),
        stake: bigintArg(initializer.stake, 'stake'),
        k: bigintArg(k, 'k'),
        m: bigintArg(m, 'm'),
        phiF,
        createdAt: initializer.createdAt,
        registeredAt: initializer.registeredAt,
      };
      await this.client.protocolInitializer.upsert({ where: { recordingEpoch }, create: { recordingEpoch, ...data }, update: data });
    });
  }

  getInitializer(recordingEpoch: Epoch): Promise<StoredInitializer | null> {
    return this.run('get initializer', async () => {
      const row = await this.client.protocolInitializer.findUnique({ where: { recordingEpoch: bigintArg(recordingEpoch, 'recording epoch') } });
      return row === null ? null : initializerOf(row);
    });
  }

  markRegistered(recordingEpoch: Epoch, at: Date = new Date()): Promise<void> {
    return this.run('mark initializer registered', async () => {
      const updated = await this.client.protocolInitializer.updateMany({
        where: { recordingEpoch: bigintArg(recordingEpoch, 'recording epoch') },
        data: { registeredAt: at },
      });
      if (updated.count !== 1) throw new SignerStoreError('INVALID_ARGUMENT', `no initializer is stored for recording epoch ${recordingEpoch}`);
    });
  }

  pruneInitializers(keepFrom: Epoch): Promise<number> {
    return this.run('prune initializers', async () => {
      const { count } = await this.client.protocolInitializer.deleteMany({ where: { recordingEpoch: { lt: bigintArg(keepFrom, 'epoch') } } });
      // Old page images of the deleted keys sit in the write-ahead log until a checkpoint.
      if (count > 0) await this.client.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
      return count;
    });
  }

  getHandled(signedEntityType: SignedEntityType): Promise<HandledSignedEntity | null> {
    return this.run('get handled signed entity', async () => {
      const row = await this.client.handledSignedEntity.findUnique({
        where: { signedEntityKind_beacon: { signedEntityKind: signedEntityType.kind, beacon: beaconText(signedEntityType) } },
      });
      return row === null ? null : handledOf(row);
    });
  }

  recordHandled(handled: HandledSignedEntity): Promise<void> {
    return this.run('record handled signed entity', async () => {
      const type = handled.signedEntityType;
      if (!HANDLED_STATUSES.includes(handled.status)) throw new SignerStoreError('INVALID_ARGUMENT', `unknown status ${String(handled.status)}`);
      if (!/^[0-9a-f]{64}$/.test(handled.signedMessage)) throw new SignerStoreError('INVALID_ARGUMENT', 'signed message must be 64 lowercase hex characters');
      if (!Number.isSafeInteger(handled.wonIndexes) || handled.wonIndexes < 0 || handled.wonIndexes > 2 ** 31 - 1) {
        throw new SignerStoreError('INVALID_ARGUMENT', 'won indexes must be a non-negative 32-bit integer');
      }
      const key = { signedEntityKind: type.kind, beacon: beaconText(type) };
      const data = {
        epoch: bigintArg(type.epoch, 'epoch'),
        signedMessage: handled.signedMessage,
        status: handled.status,
        wonIndexes: handled.wonIndexes,
        handledAt: handled.handledAt,
      };
      await this.client.handledSignedEntity.upsert({ where: { signedEntityKind_beacon: key }, create: { ...key, ...data }, update: data });
    });
  }

  pruneHandled(keepFrom: Epoch): Promise<number> {
    return this.run('prune handled signed entities', async () => {
      const { count } = await this.client.handledSignedEntity.deleteMany({ where: { epoch: { lt: bigintArg(keepFrom, 'epoch') } } });
      return count;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.$disconnect();
  }
}
