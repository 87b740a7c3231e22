/** Signer registrations, per recording epoch and party. */
import type { Epoch } from '@mithril-ts/protocol';
import { bigintArg, bytes, bytesArg, textArg } from './columns.js';
import { AggregatorStoreError, isUniqueViolation } from './errors.js';
import { Prisma } from './generated/sqlite/client.js';
import type * as Rows from './generated/sqlite/models.js';
import { PrismaRepository } from './repository.js';

export interface SignerRegistrationRecord {
  /** The recording epoch (a registration made during N is recorded for N+1). */
  readonly epoch: Epoch;
  /** Pool id, bech32 `pool1…`. */
  readonly partyId: string;
  /** 192 bytes: BLS verification key (96) ‖ proof of possession (48 + 48). */
  readonly verificationKey: Uint8Array;
  /** KES signature over the verification key; null for a signer without KES (test networks). */
  readonly kesSignature: Uint8Array | null;
  /** Operational certificate (CBOR); null for a signer without KES (test networks). */
  readonly operationalCertificate: Uint8Array | null;
  /** KES evolutions since the operational certificate's start period. */
  readonly kesEvolutions: number | null;
  readonly stake: bigint;
  readonly registeredAt: Date;
}

export type NewSignerRegistration = Omit<SignerRegistrationRecord, 'registeredAt'> & { readonly registeredAt?: Date };

/** A registration the aggregator accepted, with the opcert issue number its pool's counter is raised to. */
export interface AcceptedRegistration {
  readonly registration: NewSignerRegistration;
  readonly opcert: { readonly poolIdHex: string; readonly issueNumber: bigint };
}

export interface SignerRegistrationRepository {
  /** Inserts or replaces the registration of a party for a recording epoch. */
  save(registration: NewSignerRegistration): Promise<SignerRegistrationRecord>;
  /**
   * Inserts or replaces each registration and raises its pool's opcert counter (never lowers it),
   * all in one transaction: registrations come in bursts of thousands, and one commit per batch
   * instead of several statements per registration keeps the database off the intake's critical
   * path. At most one registration per (epoch, party) in a batch.
   */
  saveAccepted(batch: readonly AcceptedRegistration[]): Promise<SignerRegistrationRecord[]>;
  get(epoch: Epoch, partyId: string): Promise<SignerRegistrationRecord | null>;
  /** Signers recorded for an epoch, ordered by party id. */
  list(epoch: Epoch): Promise<SignerRegistrationRecord[]>;
}

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

/** The row of a registration, every field checked. */
function rowOf(registration: NewSignerRegistration) {
  if (
    registration.kesEvolutions !== null &&
    (!Number.isSafeInteger(registration.kesEvolutions) || registration.kesEvolutions < 0 || registration.kesEvolutions > 2 ** 31 - 1)
  ) {
    throw new AggregatorStoreError('INVALID_ARGUMENT', 'kes evolutions must be a non-negative 32-bit integer');
  }
  return {
    epoch: bigintArg(registration.epoch, 'epoch'),
    partyId: textArg(registration.partyId, 'party id'),
    verificationKey: bytesArg(registration.verificationKey, 'verification key'),
    kesSignature: registration.kesSignature === null ? null : bytesArg(registration.kesSignature, 'KES signature'),
    operationalCertificate: registration.operationalCertificate === null ? null : bytesArg(registration.operationalCertificate, 'operational certificate'),
    kesEvolutions: registration.kesEvolutions,
    stake: bigintArg(registration.stake, 'stake'),
    registeredAt: registration.registeredAt ?? new Date(),
  };
}

export class PrismaSignerRegistrationRepository extends PrismaRepository implements SignerRegistrationRepository {
  save(registration: NewSignerRegistration): Promise<SignerRegistrationRecord> {
    return this.run('register signer', async () => {
      const { epoch, partyId, ...data } = rowOf(registration);
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

  saveAccepted(batch: readonly AcceptedRegistration[]): Promise<SignerRegistrationRecord[]> {
    return this.run('register signers', async () => {
      if (batch.length === 0) return [];
      const now = new Date();
      const rows = batch.map(({ registration }) => rowOf({ ...registration, registeredAt: registration.registeredAt ?? now }));
      const parties = new Map<bigint, string[]>();
      for (const row of rows) {
        const ofEpoch = parties.get(row.epoch) ?? [];
        if (ofEpoch.includes(row.partyId)) throw new AggregatorStoreError('INVALID_ARGUMENT', `${row.partyId} twice for epoch ${row.epoch} in one batch`);
        ofEpoch.push(row.partyId);
        parties.set(row.epoch, ofEpoch);
      }
      // One statement raises every pool of the batch (a statement may not update a row twice: the
      // highest number offered per pool), with the never-lower rule of service-kit's raiseOpcertCounter.
      const counters = new Map<string, bigint>();
      for (const { opcert } of batch) {
        const pool = textArg(opcert.poolIdHex, 'pool id');
        const issue = bigintArg(opcert.issueNumber, 'issue number');
        const seen = counters.get(pool);
        if (seen === undefined || issue > seen) counters.set(pool, issue);
      }
      const values = [...counters].map(([pool, issue]) => Prisma.sql`(${pool}, ${issue})`);
      await this.client.$transaction(async (tx) => {
        // Replacing is deleting then inserting, inside the transaction: a few statements per batch instead of an upsert per registration.
        for (const [epoch, partyIds] of parties) await tx.signerRegistration.deleteMany({ where: { epoch, partyId: { in: partyIds } } });
        await tx.signerRegistration.createMany({ data: rows });
        await tx.$executeRaw`INSERT INTO opcert_counter (pool_id, issue_number) VALUES ${Prisma.join(values)}
          ON CONFLICT (pool_id) DO UPDATE SET issue_number = excluded.issue_number
          WHERE excluded.issue_number >= opcert_counter.issue_number`;
      });
      return rows.map((row) => ({
        ...row,
        verificationKey: bytes(row.verificationKey),
        kesSignature: row.kesSignature === null ? null : bytes(row.kesSignature),
        operationalCertificate: row.operationalCertificate === null ? null : bytes(row.operationalCertificate),
      }));
    });
  }

  get(epoch: Epoch, partyId: string): Promise<SignerRegistrationRecord | null> {
    return this.run('get signer registration', async () => {
      const row = await this.client.signerRegistration.findUnique({ where: { epoch_partyId: { epoch: bigintArg(epoch, 'epoch'), partyId } } });
      return row === null ? null : signerOf(row);
    });
  }

  list(epoch: Epoch): Promise<SignerRegistrationRecord[]> {
    return this.run('list signers', async () => {
      const rows = await this.client.signerRegistration.findMany({ where: { epoch: bigintArg(epoch, 'epoch') }, orderBy: { partyId: 'asc' } });
      return rows.map(signerOf);
    });
  }
}
