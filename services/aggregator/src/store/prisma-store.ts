/**
 * The aggregator store on Prisma 7 (Rust-free client, driver adapters). One implementation for
 * both dialects: the SQLite and PostgreSQL clients are generated from the same model.
 */
import { randomUUID } from 'node:crypto';
import { parseJson, stringifyJson } from '@mithril-ts/codec';
import { signedEntityTypeFromJson, signedEntityTypeToJson, type Certificate, type Epoch, type SignedEntityKind, type SignedEntityType } from '@mithril-ts/protocol';
import { certificateToJson } from '@mithril-ts/protocol';
import { AggregatorStoreError, asStoreError, isRecordNotFound, isUniqueViolation } from './errors.js';
import type { PrismaClient } from './generated/sqlite/client.js';
import type * as Rows from './generated/sqlite/models.js';
import type {
  AddSingleSignatureResult,
  AggregatorStore,
  AppliedMigration,
  CardanoDatabaseSnapshotRecord,
  CertificateRecord,
  EpochSettingsRecord,
  NewCertificate,
  NewOpenMessage,
  NewSingleSignature,
  OpcertCheckResult,
  OpenMessageRecord,
  Page,
  PruneOptions,
  PruneResult,
  SignerRegistrationRecord,
  SingleSignatureRecord,
  StakeEntry,
  StoreDialect,
} from './types.js';

const U64_MAX = (1n << 64n) - 1n;
/** BIGINT columns are signed 64-bit in both dialects. */
const I64_MAX = (1n << 63n) - 1n;

/** The beacon column: the reference JSON of the signed entity type (bigints as bare integers). */
export function beaconText(type: SignedEntityType): string {
  return stringifyJson(signedEntityTypeToJson(type));
}

function parseBeacon(text: string, where: string): SignedEntityType {
  try {
    return signedEntityTypeFromJson(parseJson(text));
  } catch (cause) {
    throw new AggregatorStoreError('CORRUPT_ROW', `${where}: stored signed entity type ${JSON.stringify(text)} does not decode`, { cause });
  }
}

/** The record to store for a sealed certificate of libs/protocol. */
export function certificateRecordOf(certificate: Certificate, createdAt?: Date): NewCertificate {
  const sealedAt = new Date(Number(certificate.metadata.sealedAt / 1_000_000n));
  return {
    hash: certificate.hash,
    previousHash: certificate.previousHash,
    epoch: certificate.epoch,
    signedEntityType: certificate.signedEntityType,
    json: certificateToJson(certificate),
    sealedAt,
    ...(createdAt ? { createdAt } : {}),
  };
}

function bigintArg(value: bigint, what: string, max: bigint = I64_MAX): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > max) {
    throw new AggregatorStoreError('INVALID_ARGUMENT', `${what} must be an integer in [0, ${max}], got ${String(value)}`);
  }
  return value;
}

function textArg(value: string, what: string, maxLength = 256): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new AggregatorStoreError('INVALID_ARGUMENT', `${what} must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

function bytesArg(value: Uint8Array, what: string): Uint8Array<ArrayBuffer> {
  if (!(value instanceof Uint8Array)) throw new AggregatorStoreError('INVALID_ARGUMENT', `${what} must be bytes`);
  return new Uint8Array(value);
}

function limitArg(page: Page): { take: number; skip: number } {
  const { limit, offset = 0 } = page;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new AggregatorStoreError('INVALID_ARGUMENT', 'page limit must be an integer in [1, 10000]');
  if (!Number.isSafeInteger(offset) || offset < 0) throw new AggregatorStoreError('INVALID_ARGUMENT', 'page offset must be a non-negative integer');
  return { take: limit, skip: offset };
}

const bytes = (value: Uint8Array): Uint8Array => new Uint8Array(value);

function signerOf(row: Rows.SignerRegistrationModel): SignerRegistrationRecord {
  return {
    epoch: row.epoch,
    partyId: row.partyId,
    verificationKey: bytes(row.verificationKey),
    kesSignature: row.kesSignature === null ? null : bytes(row.kesSignature),
    operationalCertificate: row.operationalCertificate === null ? null : bytes(row.operationalCertificate),
    kesEvolutions: row.kesEvolutions,
    stake: row.stake,
    registeredAt: row.registeredAt,
  };
}

function openMessageOf(row: Rows.OpenMessageModel): OpenMessageRecord {
  const signedEntityType = parseBeacon(row.beacon, `open message ${row.id}`);
  if (signedEntityType.kind !== row.signedEntityKind) throw new AggregatorStoreError('CORRUPT_ROW', `open message ${row.id}: kind ${row.signedEntityKind} does not match its beacon`);
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

function certificateOf(row: Rows.CertificateModel): CertificateRecord {
  return {
    hash: row.hash,
    previousHash: row.previousHash,
    epoch: row.epoch,
    signedEntityType: parseBeacon(row.beacon, `certificate ${row.hash}`),
    json: row.content,
    sealedAt: row.sealedAt,
    createdAt: row.createdAt,
  };
}

function cardanoDatabaseSnapshotOf(row: Rows.CardanoDatabaseSnapshotModel): CardanoDatabaseSnapshotRecord {
  return {
    hash: row.hash,
    epoch: row.epoch,
    immutableFileNumber: row.immutableFileNumber,
    merkleRoot: row.merkleRoot,
    certificateHash: row.certificateHash,
    content: new Uint8Array(row.content),
    createdAt: row.createdAt,
  };
}

/** Newest first; ties on the sealed time broken by insertion time then hash, so paging is stable. */
const NEWEST_FIRST = [{ sealedAt: 'desc' as const }, { createdAt: 'desc' as const }, { hash: 'desc' as const }];
const OLDEST_FIRST = [{ sealedAt: 'asc' as const }, { createdAt: 'asc' as const }, { hash: 'asc' as const }];

export class PrismaAggregatorStore implements AggregatorStore {
  #closed = false;

  /**
   * @param client a client generated from src/store/prisma/schema.prisma (the PostgreSQL client
   *   has the same model API and is passed here typed as the SQLite one).
   * @param onClose releases what the opener acquired besides the client (pools, files).
   */
  constructor(
    private readonly client: PrismaClient,
    readonly dialect: StoreDialect,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  private async run<T>(what: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new AggregatorStoreError('CLOSED', `${what}: the store is closed`);
    try {
      return await body();
    } catch (error) {
      throw asStoreError(error, what);
    }
  }

  registerSigner(registration: Omit<SignerRegistrationRecord, 'registeredAt'> & { readonly registeredAt?: Date }): Promise<SignerRegistrationRecord> {
    return this.run('register signer', async () => {
      const epoch = bigintArg(registration.epoch, 'epoch');
      const partyId = textArg(registration.partyId, 'party id');
      if (registration.kesEvolutions !== null && (!Number.isSafeInteger(registration.kesEvolutions) || registration.kesEvolutions < 0 || registration.kesEvolutions > 2 ** 31 - 1)) {
        throw new AggregatorStoreError('INVALID_ARGUMENT', 'kes evolutions must be a non-negative 32-bit integer');
      }
      const data = {
        verificationKey: bytesArg(registration.verificationKey, 'verification key'),
        kesSignature: registration.kesSignature === null ? null : bytesArg(registration.kesSignature, 'KES signature'),
        operationalCertificate: registration.operationalCertificate === null ? null : bytesArg(registration.operationalCertificate, 'operational certificate'),
        kesEvolutions: registration.kesEvolutions,
        stake: bigintArg(registration.stake, 'stake'),
        registeredAt: registration.registeredAt ?? new Date(),
      };
      const upsert = () =>
        this.client.signerRegistration.upsert({
          where: { epoch_partyId: { epoch, partyId } },
          create: { epoch, partyId, ...data },
          update: data,
        });
      try {
        return signerOf(await upsert());
      } catch (error) {
        // Two first registrations of a party racing: the loser's insert hits the unique key; its update then wins.
        if (isUniqueViolation(error)) return signerOf(await upsert());
        throw error;
      }
    });
  }

  getSignerRegistration(epoch: Epoch, partyId: string): Promise<SignerRegistrationRecord | null> {
    return this.run('get signer registration', async () => {
      const row = await this.client.signerRegistration.findUnique({ where: { epoch_partyId: { epoch: bigintArg(epoch, 'epoch'), partyId } } });
      return row === null ? null : signerOf(row);
    });
  }

  listSigners(epoch: Epoch): Promise<SignerRegistrationRecord[]> {
    return this.run('list signers', async () => {
      const rows = await this.client.signerRegistration.findMany({ where: { epoch: bigintArg(epoch, 'epoch') }, orderBy: { partyId: 'asc' } });
      return rows.map(signerOf);
    });
  }

  saveStakeDistribution(epoch: Epoch, entries: readonly StakeEntry[]): Promise<void> {
    return this.run('save stake distribution', async () => {
      const e = bigintArg(epoch, 'epoch');
      const seen = new Set<string>();
      const data = entries.map((entry) => {
        const partyId = textArg(entry.partyId, 'party id');
        if (seen.has(partyId)) throw new AggregatorStoreError('INVALID_ARGUMENT', `stake distribution of epoch ${e} lists ${partyId} twice`);
        seen.add(partyId);
        return { epoch: e, partyId, stake: bigintArg(entry.stake, 'stake') };
      });
      await this.client.$transaction([this.client.stakeDistribution.deleteMany({ where: { epoch: e } }), this.client.stakeDistribution.createMany({ data })]);
    });
  }

  getStakeDistribution(epoch: Epoch): Promise<StakeEntry[]> {
    return this.run('get stake distribution', async () => {
      const rows = await this.client.stakeDistribution.findMany({ where: { epoch: bigintArg(epoch, 'epoch') }, orderBy: { partyId: 'asc' } });
      return rows.map((row) => ({ partyId: row.partyId, stake: row.stake }));
    });
  }

  saveEpochSettings(settings: EpochSettingsRecord): Promise<void> {
    return this.run('save epoch settings', async () => {
      const epoch = bigintArg(settings.epoch, 'epoch');
      const { k, m, phiF } = settings.protocolParameters;
      if (typeof phiF !== 'number' || !(phiF > 0 && phiF <= 1)) throw new AggregatorStoreError('INVALID_ARGUMENT', 'phi_f must be in (0, 1]');
      const data = { k: bigintArg(k, 'k'), m: bigintArg(m, 'm'), phiF };
      await this.client.epochSettings.upsert({ where: { epoch }, create: { epoch, ...data }, update: data });
    });
  }

  getEpochSettings(epoch: Epoch): Promise<EpochSettingsRecord | null> {
    return this.run('get epoch settings', async () => {
      const row = await this.client.epochSettings.findUnique({ where: { epoch: bigintArg(epoch, 'epoch') } });
      return row === null ? null : { epoch: row.epoch, protocolParameters: { k: row.k, m: row.m, phiF: row.phiF } };
    });
  }

  createOpenMessage(message: NewOpenMessage): Promise<OpenMessageRecord> {
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

  getOpenMessage(signedEntityType: SignedEntityType): Promise<OpenMessageRecord | null> {
    return this.run('get open message', async () => {
      const row = await this.client.openMessage.findUnique({
        where: { signedEntityKind_beacon: { signedEntityKind: signedEntityType.kind, beacon: beaconText(signedEntityType) } },
      });
      return row === null ? null : openMessageOf(row);
    });
  }

  getOpenMessageById(id: string): Promise<OpenMessageRecord | null> {
    return this.run('get open message', async () => {
      const row = await this.client.openMessage.findUnique({ where: { id } });
      return row === null ? null : openMessageOf(row);
    });
  }

  listOpenMessages(filter: { readonly epoch?: Epoch; readonly kind?: SignedEntityType['kind']; readonly includeClosed?: boolean } = {}): Promise<OpenMessageRecord[]> {
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

  markOpenMessageCertified(id: string): Promise<OpenMessageRecord> {
    return this.mark(id, { isCertified: true }, 'mark open message certified');
  }

  markOpenMessageExpired(id: string): Promise<OpenMessageRecord> {
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
          (await tx.openMessage.findMany({ where: { id: { in: messageIds } }, select: { id: true, isCertified: true, isExpired: true } })).map((m) => [m.id, m]),
        );
        const missing = messageIds.find((id) => !messages.has(id));
        if (missing !== undefined) throw new AggregatorStoreError('NOT_FOUND', `add single signatures: no open message ${missing}`);
        const taken = new Set(
          (await tx.singleSignature.findMany({ where: { openMessageId: { in: messageIds }, partyId: { in: partyIds } }, select: { openMessageId: true, partyId: true } })).map((row) =>
            key(row.openMessageId, row.partyId),
          ),
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
            results.push({ status: 'added', signature: { openMessageId: row.openMessageId, partyId: row.partyId, signature: bytes(row.signature), wonIndexes: row.wonIndexes, createdAt: row.createdAt } });
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

  saveCertificate(certificate: NewCertificate, options: { readonly certifiesOpenMessage?: string } = {}): Promise<CertificateRecord> {
    return this.run('save certificate', async () => {
      try {
        const data = {
            hash: textArg(certificate.hash, 'certificate hash', 128),
            previousHash: certificate.previousHash,
            epoch: bigintArg(certificate.epoch, 'epoch'),
            signedEntityKind: certificate.signedEntityType.kind,
            beacon: beaconText(certificate.signedEntityType),
            content: certificate.json,
            sealedAt: certificate.sealedAt,
            createdAt: certificate.createdAt ?? new Date(),
        };
        const openMessageId = options.certifiesOpenMessage;
        if (openMessageId === undefined) return certificateOf(await this.client.certificate.create({ data }));
        // The certificate and the closing of its message commit together: after a crash either
        // both happened or neither, so a round is never certified twice nor left open forever.
        return await this.client.$transaction(async (tx) => {
          const closed = await tx.openMessage.updateMany({ where: { id: openMessageId, isCertified: false }, data: { isCertified: true } });
          if (closed.count !== 1) throw new AggregatorStoreError('CONFLICT', `open message ${openMessageId} is unknown or already certified`);
          return certificateOf(await tx.certificate.create({ data }));
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new AggregatorStoreError('CONFLICT', `certificate ${certificate.hash} is already stored`, { cause: error });
        throw error;
      }
    });
  }

  getCertificate(hash: string): Promise<CertificateRecord | null> {
    return this.run('get certificate', async () => {
      const row = await this.client.certificate.findUnique({ where: { hash } });
      return row === null ? null : certificateOf(row);
    });
  }

  latestCertificates(page: Page): Promise<CertificateRecord[]> {
    return this.run('latest certificates', async () => {
      const rows = await this.client.certificate.findMany({ orderBy: NEWEST_FIRST, ...limitArg(page) });
      return rows.map(certificateOf);
    });
  }

  latestCertificatesOfKind(kind: SignedEntityKind, page: Page): Promise<CertificateRecord[]> {
    return this.run('latest certificates of kind', async () => {
      const rows = await this.client.certificate.findMany({ where: { signedEntityKind: kind }, orderBy: NEWEST_FIRST, ...limitArg(page) });
      return rows.map(certificateOf);
    });
  }

  latestGenesisCertificate(): Promise<CertificateRecord | null> {
    return this.run('latest genesis certificate', async () => {
      const row = await this.client.certificate.findFirst({ where: { previousHash: '' }, orderBy: NEWEST_FIRST });
      return row === null ? null : certificateOf(row);
    });
  }

  saveCardanoDatabaseSnapshot(snapshot: CardanoDatabaseSnapshotRecord): Promise<CardanoDatabaseSnapshotRecord> {
    return this.run('save cardano database snapshot', async () => {
      const data = {
        hash: textArg(snapshot.hash, 'snapshot hash', 128),
        epoch: bigintArg(snapshot.epoch, 'epoch'),
        immutableFileNumber: bigintArg(snapshot.immutableFileNumber, 'immutable file number'),
        merkleRoot: textArg(snapshot.merkleRoot, 'merkle root', 128),
        certificateHash: textArg(snapshot.certificateHash, 'certificate hash', 128),
        content: bytesArg(snapshot.content, 'snapshot content'),
        createdAt: snapshot.createdAt,
      };
      // The same snapshot stored again (a retried creation) replaces the description.
      const row = await this.client.cardanoDatabaseSnapshot.upsert({ where: { hash: data.hash }, create: data, update: data });
      return cardanoDatabaseSnapshotOf(row);
    });
  }

  latestCardanoDatabaseSnapshots(page: Page, filter: { readonly epoch?: Epoch } = {}): Promise<CardanoDatabaseSnapshotRecord[]> {
    return this.run('latest cardano database snapshots', async () => {
      const rows = await this.client.cardanoDatabaseSnapshot.findMany({
        where: filter.epoch === undefined ? {} : { epoch: bigintArg(filter.epoch, 'epoch') },
        orderBy: [{ createdAt: 'desc' }, { immutableFileNumber: 'desc' }, { hash: 'desc' }],
        ...limitArg(page),
      });
      return rows.map(cardanoDatabaseSnapshotOf);
    });
  }

  getCardanoDatabaseSnapshot(hash: string): Promise<CardanoDatabaseSnapshotRecord | null> {
    return this.run('get cardano database snapshot', async () => {
      const row = await this.client.cardanoDatabaseSnapshot.findUnique({ where: { hash } });
      return row === null ? null : cardanoDatabaseSnapshotOf(row);
    });
  }

  cardanoDatabaseSnapshotOfCertificate(certificateHash: string): Promise<CardanoDatabaseSnapshotRecord | null> {
    return this.run('cardano database snapshot of certificate', async () => {
      const row = await this.client.cardanoDatabaseSnapshot.findFirst({ where: { certificateHash } });
      return row === null ? null : cardanoDatabaseSnapshotOf(row);
    });
  }

  certificateOfSignedEntity(signedEntityType: SignedEntityType): Promise<CertificateRecord | null> {
    return this.run('certificate of signed entity', async () => {
      const row = await this.client.certificate.findFirst({
        where: { signedEntityKind: signedEntityType.kind, beacon: beaconText(signedEntityType) },
        orderBy: OLDEST_FIRST,
      });
      return row === null ? null : certificateOf(row);
    });
  }

  firstCertificateOfEpoch(epoch: Epoch): Promise<CertificateRecord | null> {
    return this.run('first certificate of epoch', async () => {
      const row = await this.client.certificate.findFirst({ where: { epoch: bigintArg(epoch, 'epoch') }, orderBy: OLDEST_FIRST });
      return row === null ? null : certificateOf(row);
    });
  }

  checkAndRecordOpcertIssueNumber(poolId: string, issueNumber: bigint): Promise<OpcertCheckResult> {
    return this.run('check opcert issue number', async () => {
      const id = textArg(poolId, 'pool id', 128);
      const issue = bigintArg(issueNumber, 'issue number');
      const attempt = () =>
        this.client.$transaction(async (tx): Promise<OpcertCheckResult> => {
          const row = await tx.opcertCounter.findUnique({ where: { poolId: id } });
          if (row === null) {
            await tx.opcertCounter.create({ data: { poolId: id, issueNumber: issue } });
            return { status: 'accepted', highest: issue };
          }
          if (issue < row.issueNumber) return { status: 'rejected', highest: row.issueNumber };
          if (issue > row.issueNumber) {
            // Conditional update: a concurrent higher number is never overwritten by a lower one.
            await tx.opcertCounter.updateMany({ where: { poolId: id, issueNumber: { lt: issue } }, data: { issueNumber: issue } });
          }
          return { status: 'accepted', highest: issue };
        });
      try {
        return await attempt();
      } catch (error) {
        if (isUniqueViolation(error)) return await attempt();
        throw error;
      }
    });
  }

  getOpcertIssueNumber(poolId: string): Promise<bigint | null> {
    return this.run('get opcert issue number', async () => {
      const row = await this.client.opcertCounter.findUnique({ where: { poolId } });
      return row?.issueNumber ?? null;
    });
  }

  prune(options: PruneOptions): Promise<PruneResult> {
    return this.run('prune', async () => {
      const current = bigintArg(options.currentEpoch, 'current epoch');
      const keep = bigintArg(options.epochsToKeep, 'epochs to keep');
      if (keep < 1n) throw new AggregatorStoreError('INVALID_ARGUMENT', 'epochs to keep must be at least 1');
      // Keep epochs (current - keep, current]: delete what is at or below current - keep.
      const before = current - keep + 1n;
      if (before <= 0n) return { signerRegistrations: 0, stakeDistributions: 0, epochSettings: 0, openMessages: 0, singleSignatures: 0 };
      const old = { epoch: { lt: before } };
      const [singleSignatures, openMessages, signerRegistrations, stakeDistributions, epochSettings] = await this.client.$transaction([
        this.client.singleSignature.deleteMany({ where: { openMessage: old } }),
        this.client.openMessage.deleteMany({ where: old }),
        this.client.signerRegistration.deleteMany({ where: old }),
        this.client.stakeDistribution.deleteMany({ where: old }),
        this.client.epochSettings.deleteMany({ where: old }),
      ]);
      return {
        signerRegistrations: signerRegistrations.count,
        stakeDistributions: stakeDistributions.count,
        epochSettings: epochSettings.count,
        openMessages: openMessages.count,
        singleSignatures: singleSignatures.count,
      };
    });
  }

  appliedMigrations(): Promise<AppliedMigration[]> {
    return this.run('applied migrations', async () => {
      const rows = await this.client.$queryRawUnsafe<{ version: string; name: string; applied_at: string }[]>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
      return rows.map((row) => ({ version: row.version, name: row.name, appliedAt: row.applied_at }));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.client.$disconnect();
    } finally {
      await this.onClose();
    }
  }
}
