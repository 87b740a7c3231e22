/** The Cardano database snapshots the snapshotter stored, each for a CardanoDatabase certificate. Not pruned with the epochs. */
import type { Epoch } from '@mithril-ts/protocol';
import { bigintArg, bytesArg, limitArg, textArg } from './columns.js';
import type * as Rows from './generated/sqlite/models.js';
import { PrismaRepository } from './repository.js';
import type { Page } from './types.js';

export interface CardanoDatabaseSnapshotRecord {
  readonly hash: string;
  readonly epoch: Epoch;
  readonly immutableFileNumber: bigint;
  readonly merkleRoot: string;
  readonly certificateHash: string;
  /** mithril.v1.CardanoDatabaseSnapshot bytes, as the snapshotter described the snapshot. */
  readonly content: Uint8Array;
  readonly createdAt: Date;
}

export interface CardanoDatabaseSnapshotRepository {
  /** Stores (or replaces) the description of a Cardano database snapshot. */
  save(snapshot: CardanoDatabaseSnapshotRecord): Promise<CardanoDatabaseSnapshotRecord>;
  /** Newest first, optionally of one epoch. */
  latest(page: Page, filter?: { readonly epoch?: Epoch }): Promise<CardanoDatabaseSnapshotRecord[]>;
  get(hash: string): Promise<CardanoDatabaseSnapshotRecord | null>;
  ofCertificate(certificateHash: string): Promise<CardanoDatabaseSnapshotRecord | null>;
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

export class PrismaCardanoDatabaseSnapshotRepository extends PrismaRepository implements CardanoDatabaseSnapshotRepository {
  save(snapshot: CardanoDatabaseSnapshotRecord): Promise<CardanoDatabaseSnapshotRecord> {
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

  latest(page: Page, filter: { readonly epoch?: Epoch } = {}): Promise<CardanoDatabaseSnapshotRecord[]> {
    return this.run('latest cardano database snapshots', async () => {
      const rows = await this.client.cardanoDatabaseSnapshot.findMany({
        where: filter.epoch === undefined ? {} : { epoch: bigintArg(filter.epoch, 'epoch') },
        orderBy: [{ createdAt: 'desc' }, { immutableFileNumber: 'desc' }, { hash: 'desc' }],
        ...limitArg(page),
      });
      return rows.map(cardanoDatabaseSnapshotOf);
    });
  }

  get(hash: string): Promise<CardanoDatabaseSnapshotRecord | null> {
    return this.run('get cardano database snapshot', async () => {
      const row = await this.client.cardanoDatabaseSnapshot.findUnique({ where: { hash } });
      return row === null ? null : cardanoDatabaseSnapshotOf(row);
    });
  }

  ofCertificate(certificateHash: string): Promise<CardanoDatabaseSnapshotRecord | null> {
    return this.run('cardano database snapshot of certificate', async () => {
      const row = await this.client.cardanoDatabaseSnapshot.findFirst({ where: { certificateHash } });
      return row === null ? null : cardanoDatabaseSnapshotOf(row);
    });
  }
}
