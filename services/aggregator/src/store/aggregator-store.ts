/**
 * The aggregator store: one Prisma client (Prisma 7, Rust-free, driver adapters; the SQLite and
 * PostgreSQL clients are generated from the same model) and a repository per concern on it.
 * What spans the concerns stays here: pruning by retention, the migrations' record, closing.
 */
import { AggregatorStoreError } from './errors.js';
import { PrismaCardanoDatabaseSnapshotRepository, type CardanoDatabaseSnapshotRepository } from './cardano-database-snapshots.js';
import { PrismaCertificateRepository, type CertificateRepository } from './certificates.js';
import { bigintArg } from './columns.js';
import { PrismaEpochSettingsRepository, type EpochSettingsRepository } from './epoch-settings.js';
import type { PrismaClient } from './generated/sqlite/client.js';
import { PrismaOpcertCounterRepository, type OpcertCounterRepository } from './opcert-counters.js';
import { PrismaOpenMessageRepository, type OpenMessageRepository } from './open-messages.js';
import { StoreSession, type StoreOperationListener } from './repository.js';
import { PrismaSignerRegistrationRepository, type SignerRegistrationRepository } from './signer-registrations.js';
import { PrismaStakeDistributionRepository, type StakeDistributionRepository } from './stake-distributions.js';
import type { AppliedMigration, PruneOptions, PruneResult, StoreDialect } from './types.js';

export interface AggregatorStore {
  readonly dialect: StoreDialect;

  readonly certificates: CertificateRepository;
  readonly signerRegistrations: SignerRegistrationRepository;
  /** Open messages and their single signatures. */
  readonly openMessages: OpenMessageRepository;
  readonly stakeDistributions: StakeDistributionRepository;
  /** The protocol parameters of each epoch. */
  readonly epochSettings: EpochSettingsRepository;
  readonly cardanoDatabaseSnapshots: CardanoDatabaseSnapshotRepository;
  /** The highest operational certificate issue number seen per pool (not per epoch: never pruned). */
  readonly opcertCounters: OpcertCounterRepository;

  /**
   * Deletes the per-epoch state (signer registrations, stake distributions, epoch settings, open
   * messages and their signatures) of epochs older than the retention, in one transaction.
   * Certificates and Cardano database snapshots are kept.
   */
  prune(options: PruneOptions): Promise<PruneResult>;

  /** The versions recorded in `schema_migrations`, in order. */
  appliedMigrations(): Promise<AppliedMigration[]>;

  /** Closes the client; every later call of a repository is AggregatorStoreError 'CLOSED'. */
  close(): Promise<void>;
}

export class PrismaAggregatorStore implements AggregatorStore {
  readonly #session: StoreSession;
  readonly certificates: PrismaCertificateRepository;
  readonly signerRegistrations: PrismaSignerRegistrationRepository;
  readonly openMessages: PrismaOpenMessageRepository;
  readonly stakeDistributions: PrismaStakeDistributionRepository;
  readonly epochSettings: PrismaEpochSettingsRepository;
  readonly cardanoDatabaseSnapshots: PrismaCardanoDatabaseSnapshotRepository;
  readonly opcertCounters: PrismaOpcertCounterRepository;

  /**
   * @param client a client generated from src/store/prisma/schema.prisma (the PostgreSQL client
   *   has the same model API and is passed here typed as the SQLite one).
   * @param onClose releases what the opener acquired besides the client (pools, files).
   */
  constructor(
    private readonly client: PrismaClient,
    readonly dialect: StoreDialect,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.#session = new StoreSession(client);
    this.certificates = new PrismaCertificateRepository(this.#session);
    this.signerRegistrations = new PrismaSignerRegistrationRepository(this.#session);
    this.openMessages = new PrismaOpenMessageRepository(this.#session);
    this.stakeDistributions = new PrismaStakeDistributionRepository(this.#session);
    this.epochSettings = new PrismaEpochSettingsRepository(this.#session);
    this.cardanoDatabaseSnapshots = new PrismaCardanoDatabaseSnapshotRepository(this.#session);
    this.opcertCounters = new PrismaOpcertCounterRepository(this.#session);
  }

  /** `listener` is told of every later repository operation (name, seconds, failed): the store latency metrics. */
  observeOperations(listener: StoreOperationListener): void {
    this.#session.onOperation = listener;
  }

  // One retention for every per-epoch concern, and one transaction: the deletions commit together,
  // so a crash never leaves signatures of a pruned round or the registrations of a pruned epoch.
  prune(options: PruneOptions): Promise<PruneResult> {
    return this.#session.run('prune', async () => {
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
    return this.#session.run('applied migrations', async () => {
      const rows = await this.client.$queryRawUnsafe<{ version: string; name: string; applied_at: string }[]>(
        'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
      );
      return rows.map((row) => ({ version: row.version, name: row.name, appliedAt: row.applied_at }));
    });
  }

  async close(): Promise<void> {
    if (!this.#session.close()) return;
    try {
      await this.client.$disconnect();
    } finally {
      await this.onClose();
    }
  }
}
