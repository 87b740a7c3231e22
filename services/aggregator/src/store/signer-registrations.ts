/** Signer registrations, per recording epoch and party. */
import type { Epoch } from '@mithril-ts/protocol';
import { bigintArg, bytes, bytesArg, textArg } from './columns.js';
import { AggregatorStoreError, isUniqueViolation } from './errors.js';
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

export interface SignerRegistrationRepository {
  /** Inserts or replaces the registration of a party for a recording epoch. */
  save(registration: NewSignerRegistration): Promise<SignerRegistrationRecord>;
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

export class PrismaSignerRegistrationRepository extends PrismaRepository implements SignerRegistrationRepository {
  save(registration: NewSignerRegistration): Promise<SignerRegistrationRecord> {
    return this.run('register signer', async () => {
      const epoch = bigintArg(registration.epoch, 'epoch');
      const partyId = textArg(registration.partyId, 'party id');
      if (
        registration.kesEvolutions !== null &&
        (!Number.isSafeInteger(registration.kesEvolutions) || registration.kesEvolutions < 0 || registration.kesEvolutions > 2 ** 31 - 1)
      ) {
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
