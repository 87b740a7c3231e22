/** The certificate chain: certificates as sealed, kept by hash, never pruned. */
import { certificateToJson, ownSignedEntityType, type Certificate, type Epoch, type SignedEntityKind, type SignedEntityType } from '@mithril-ts/protocol';
import { beaconText, bigintArg, limitArg, parseBeacon, textArg } from './columns.js';
import { AggregatorStoreError, isUniqueViolation } from './errors.js';
import type * as Rows from './generated/sqlite/models.js';
import { PrismaRepository } from './repository.js';
import type { Page } from './types.js';

export interface CertificateRecord {
  readonly hash: string;
  /** Empty for a genesis certificate. */
  readonly previousHash: string;
  readonly epoch: Epoch;
  readonly signedEntityType: SignedEntityType;
  /** The full certificate as JSON text (`certificateToJson` of libs/protocol). */
  readonly json: string;
  readonly sealedAt: Date;
  readonly createdAt: Date;
}

export type NewCertificate = Omit<CertificateRecord, 'createdAt'> & { readonly createdAt?: Date };

export interface SaveCertificateOptions {
  /** The open message this certificate certifies: marked certified in the same transaction. */
  readonly certifiesOpenMessage?: string;
}

export interface CertificateRepository {
  /**
   * Appends a certificate; CONFLICT if its hash is already stored, or if it is a standard
   * certificate of a signed entity that already has one (migration 0005's index). With
   * `certifiesOpenMessage`, marks that open message certified in the same transaction (CONFLICT if
   * it already is): of two processes sealing the same message, one commits, the other gets CONFLICT.
   */
  save(certificate: NewCertificate, options?: SaveCertificateOptions): Promise<CertificateRecord>;
  get(hash: string): Promise<CertificateRecord | null>;
  /** Newest first (by sealed time). */
  latest(page: Page): Promise<CertificateRecord[]>;
  /** Newest first, of one signed entity kind. */
  latestOfKind(kind: SignedEntityKind, page: Page): Promise<CertificateRecord[]>;
  /** The most recent genesis certificate (empty previous hash). */
  latestGenesis(): Promise<CertificateRecord | null>;
  /** The certificate of a signed entity, if one was sealed. */
  ofSignedEntity(signedEntityType: SignedEntityType): Promise<CertificateRecord | null>;
  /** The first certificate of an epoch in sealed order (the epoch's "master" certificate). */
  firstOfEpoch(epoch: Epoch): Promise<CertificateRecord | null>;
}

/** The record to store for a sealed certificate of libs/protocol. */
export function certificateRecordOf(certificate: Certificate, createdAt?: Date): NewCertificate {
  const sealedAt = new Date(Number(certificate.metadata.sealedAt / 1_000_000n));
  return {
    hash: certificate.hash,
    previousHash: certificate.previousHash,
    epoch: certificate.epoch,
    signedEntityType: ownSignedEntityType(certificate.signedEntityType),
    json: certificateToJson(certificate),
    sealedAt,
    ...(createdAt ? { createdAt } : {}),
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

/** Newest first; ties on the sealed time broken by insertion time then hash, so paging is stable. */
const NEWEST_FIRST = [{ sealedAt: 'desc' as const }, { createdAt: 'desc' as const }, { hash: 'desc' as const }];
const OLDEST_FIRST = [{ sealedAt: 'asc' as const }, { createdAt: 'asc' as const }, { hash: 'asc' as const }];

export class PrismaCertificateRepository extends PrismaRepository implements CertificateRepository {
  save(certificate: NewCertificate, options: SaveCertificateOptions = {}): Promise<CertificateRecord> {
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
        if (isUniqueViolation(error)) {
          throw new AggregatorStoreError(
            'CONFLICT',
            `certificate ${certificate.hash} is already stored, or another certificate of ${certificate.signedEntityType.kind} ${beaconText(certificate.signedEntityType)} is`,
            { cause: error },
          );
        }
        throw error;
      }
    });
  }

  get(hash: string): Promise<CertificateRecord | null> {
    return this.run('get certificate', async () => {
      const row = await this.client.certificate.findUnique({ where: { hash } });
      return row === null ? null : certificateOf(row);
    });
  }

  latest(page: Page): Promise<CertificateRecord[]> {
    return this.run('latest certificates', async () => {
      const rows = await this.client.certificate.findMany({ orderBy: NEWEST_FIRST, ...limitArg(page) });
      return rows.map(certificateOf);
    });
  }

  latestOfKind(kind: SignedEntityKind, page: Page): Promise<CertificateRecord[]> {
    return this.run('latest certificates of kind', async () => {
      const rows = await this.client.certificate.findMany({ where: { signedEntityKind: kind }, orderBy: NEWEST_FIRST, ...limitArg(page) });
      return rows.map(certificateOf);
    });
  }

  latestGenesis(): Promise<CertificateRecord | null> {
    return this.run('latest genesis certificate', async () => {
      const row = await this.client.certificate.findFirst({ where: { previousHash: '' }, orderBy: NEWEST_FIRST });
      return row === null ? null : certificateOf(row);
    });
  }

  ofSignedEntity(signedEntityType: SignedEntityType): Promise<CertificateRecord | null> {
    return this.run('certificate of signed entity', async () => {
      const row = await this.client.certificate.findFirst({
        where: { signedEntityKind: signedEntityType.kind, beacon: beaconText(signedEntityType) },
        orderBy: OLDEST_FIRST,
      });
      return row === null ? null : certificateOf(row);
    });
  }

  firstOfEpoch(epoch: Epoch): Promise<CertificateRecord | null> {
    return this.run('first certificate of epoch', async () => {
      const row = await this.client.certificate.findFirst({ where: { epoch: bigintArg(epoch, 'epoch') }, orderBy: OLDEST_FIRST });
      return row === null ? null : certificateOf(row);
    });
  }
}
