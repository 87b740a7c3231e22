/**
 * The snapshotter's domain: digests of the immutable files up to a beacon, and — once the
 * aggregator has certified a digest — the snapshot: a digests list (every file's SHA-256, which a
 * client checks against the certified root), one archive per immutable file number (shared by
 * every later snapshot, so a client restores only the numbers it lacks, several at a time), and
 * a full archive of every file up to the beacon, all in the artifact storage, with the record in
 * the store. Old snapshots are pruned by the retention.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { immutableFileNumberText, immutableTrioFileNames, parseImmutableFileName, type ImmutableFileDigest } from '@mithril-ts/cardano';
import { cardanoDatabaseSnapshotHash, type AncillarySigner } from '@mithril-ts/protocol';
import { metrics, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { LONG_DURATION_BUCKETS_SECONDS, type Logger } from '@mithril-ts/service-kit';
import { ARCHIVE_EXTENSIONS, SUPPORTED_COMPRESSIONS, storeArchive, type StoredArchive } from './archive/archiver.js';
import { storeAncillaryArchive } from './archive/ancillary.js';
import { checkCertifiedDatabase, type CertificateLookup } from './certificate-check.js';
import type { CachedImmutableDigester, ImmutableFilesDigest } from './digester.js';
import { SnapshotterError, describeError } from './errors.js';
import { digestsListJson } from './digests-list.js';
import { ownKeys, planRetention } from './retention.js';
import type { ArtifactStorage } from './storage/port.js';
import type { AncillaryArchiveRecord, Compression, ImmutableArchiveRecord, SnapshotRecord, SnapshotStore } from './store/types.js';

/** A point of the immutable database on a network. */
export interface Beacon {
  readonly network: string;
  readonly epoch: bigint;
  readonly immutableFileNumber: bigint;
}

export interface CreateSnapshotRequest {
  readonly beacon: Beacon;
  /** The certified Merkle root the files must have. */
  readonly digest: string;
  readonly certificateHash: string;
  /** The snapshotter's default when absent. */
  readonly compression?: Compression | undefined;
}

export interface RetentionReport {
  readonly removedSnapshots: readonly string[];
  readonly removedArchives: readonly bigint[];
  /** Objects that could not be deleted (tried again at the next pruning). */
  readonly failures: number;
}

export interface SnapshotterDependencies {
  readonly network: string;
  readonly digester: CachedImmutableDigester;
  readonly store: SnapshotStore;
  readonly storage: ArtifactStorage;
  /** Where the certificate a CreateSnapshot names is read, to check it certifies the request (the aggregator). */
  readonly certificates: CertificateLookup;
  readonly defaultCompression: Compression;
  readonly cardanoNodeVersion: string;
  /** How many snapshots (with their full archives) the retention keeps. */
  readonly keepSnapshots: number;
  readonly logger: Logger;
  /** Where the snapshot and digest series go (a no-op meter without it). */
  readonly meter?: Meter;
  readonly clock?: () => Date;
  /** Per-immutable archives produced at once (gzip is CPU-bound: about one per core). */
  readonly archiveConcurrency?: number;
  /** With it, every snapshot gets an ancillary archive (ledger state + last trio) whose manifest this key signs. */
  readonly ancillary?: { readonly signer: AncillarySigner; readonly ledgerDirectory: string };
}

const HEX64 = /^[0-9a-f]{64}$/;
const U64_MAX = (1n << 64n) - 1n;
/** Files stat'ed at once when sizing a snapshot. */
const STAT_CONCURRENCY = 16;

export const IMMUTABLE_NUMBER_TEMPLATE = '{immutable_file_number}';

export function immutableArchiveKey(number: bigint | typeof IMMUTABLE_NUMBER_TEMPLATE, compression: Compression): string {
  const name = typeof number === 'bigint' ? immutableFileNumberText(number) : number;
  return `immutables/${name}.${ARCHIVE_EXTENSIONS[compression]}`;
}

function beaconStem(beacon: Beacon): string {
  return `${beacon.network}-e${beacon.epoch}-i${beacon.immutableFileNumber}`;
}

export class Snapshotter {
  readonly #deps: SnapshotterDependencies;
  readonly #clock: () => Date;
  readonly #snapshots: Counter;
  readonly #digestDuration: Histogram;
  /** Snapshot creations and prunings run one at a time: they share per-immutable archives. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: SnapshotterDependencies) {
    if (!SUPPORTED_COMPRESSIONS.includes(deps.defaultCompression)) {
      throw new SnapshotterError(
        'UNSUPPORTED_COMPRESSION',
        `${deps.defaultCompression} archives are not supported by this snapshotter (supported: ${SUPPORTED_COMPRESSIONS.join(', ')})`,
      );
    }
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
    const meter = deps.meter ?? metrics.getMeter('mithril-snapshotter');
    this.#snapshots = meter.createCounter('mithril_snapshotter_snapshots_total', {
      description: 'Snapshot creations asked for: created, or refused/failed with the error code',
    });
    this.#digestDuration = meter.createHistogram('mithril_snapshotter_digest_duration_seconds', {
      description: 'Computing the Merkle root of the immutable files (per-file digest cache included)',
      unit: 's',
      advice: { explicitBucketBoundaries: LONG_DURATION_BUCKETS_SECONDS },
    });
  }

  async #digest(upTo: bigint): Promise<ImmutableFilesDigest> {
    const started = performance.now();
    const digest = await this.#deps.digester.digest(upTo);
    this.#digestDuration.record((performance.now() - started) / 1000);
    return digest;
  }

  /** The Merkle root of the immutable files up to the beacon. */
  async computeDigest(beacon: Beacon): Promise<string> {
    this.checkBeacon(beacon);
    await this.checkWithinTip(beacon);
    return (await this.#digest(beacon.immutableFileNumber)).merkleRoot;
  }

  /** Every immutable file up to the beacon with its SHA-256, by number then name. */
  async listImmutableFileDigests(beacon: Beacon): Promise<readonly ImmutableFileDigest[]> {
    this.checkBeacon(beacon);
    await this.checkWithinTip(beacon);
    return (await this.#digest(beacon.immutableFileNumber)).files;
  }

  async getSnapshot(digest: string): Promise<SnapshotRecord> {
    if (typeof digest !== 'string' || !HEX64.test(digest))
      throw new SnapshotterError('INVALID_ARGUMENT', `digest must be 64 lowercase hex digits, got ${JSON.stringify(String(digest).slice(0, 80))}`);
    const snapshot = await this.#deps.store.getSnapshot(digest);
    if (snapshot === null) throw new SnapshotterError('NOT_FOUND', `no snapshot has digest ${digest}`, { metadata: { digest } });
    return snapshot;
  }

  /**
   * Archives and stores the immutable files up to the beacon once their root is the certified
   * digest (else DIGEST_MISMATCH, and nothing is stored). Calling it again for a stored snapshot
   * reuses what is there and records the latest certificate.
   */
  async createSnapshot(request: CreateSnapshotRequest): Promise<SnapshotRecord> {
    try {
      const snapshot = await this.createSnapshotChecked(request);
      this.#snapshots.add(1, { outcome: 'created' });
      return snapshot;
    } catch (error) {
      this.#snapshots.add(1, { outcome: error instanceof SnapshotterError ? error.code : 'error' });
      throw error;
    }
  }

  private async createSnapshotChecked(request: CreateSnapshotRequest): Promise<SnapshotRecord> {
    this.checkBeacon(request.beacon);
    if (typeof request.digest !== 'string' || !HEX64.test(request.digest))
      throw new SnapshotterError('INVALID_ARGUMENT', `digest must be 64 lowercase hex digits, got ${JSON.stringify(String(request.digest).slice(0, 80))}`);
    if (typeof request.certificateHash !== 'string' || !HEX64.test(request.certificateHash)) {
      throw new SnapshotterError(
        'INVALID_ARGUMENT',
        `certificate hash must be 64 lowercase hex digits, got ${JSON.stringify(String(request.certificateHash).slice(0, 80))}`,
      );
    }
    const compression = request.compression ?? this.#deps.defaultCompression;
    if (!SUPPORTED_COMPRESSIONS.includes(compression)) {
      throw new SnapshotterError(
        'UNSUPPORTED_COMPRESSION',
        `${compression} archives are not supported by this snapshotter (supported: ${SUPPORTED_COMPRESSIONS.join(', ')})`,
        {
          metadata: { supported_compression_algorithms: SUPPORTED_COMPRESSIONS.join(',') },
        },
      );
    }
    await this.checkWithinTip(request.beacon);
    // Before the queue: a refused request neither waits for nor delays the snapshots being made.
    await checkCertifiedDatabase(this.#deps.certificates, {
      certificateHash: request.certificateHash,
      network: request.beacon.network,
      epoch: request.beacon.epoch,
      immutableFileNumber: request.beacon.immutableFileNumber,
      merkleRoot: request.digest,
    });
    return this.exclusively(async () => {
      const snapshot = await this.create(request, compression);
      await this.pruneNow().catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'pruning old snapshots failed'));
      return snapshot;
    });
  }

  /** Applies the retention now. */
  prune(): Promise<RetentionReport> {
    return this.exclusively(() => this.pruneNow());
  }

  private async create(request: CreateSnapshotRequest, compression: Compression): Promise<SnapshotRecord> {
    const { beacon } = request;
    const { storage, store, logger } = this.#deps;
    const upTo = beacon.immutableFileNumber;
    const { merkleRoot, files } = await this.#digest(upTo);
    if (merkleRoot !== request.digest) {
      throw new SnapshotterError('DIGEST_MISMATCH', `the immutable files up to ${upTo} have digest ${merkleRoot}, not the certified ${request.digest}`, {
        metadata: { expected_digest: request.digest, computed_digest: merkleRoot, immutable_file_number: upTo.toString() },
      });
    }
    const started = Date.now();
    const directory = this.#deps.digester.immutableDirectory;
    // What the digest covered, not every name 0..upTo: the trios on disk (a database may start later than 00000).
    const names = files.map((file) => file.immutableFileName);
    const numbers = numbersOf(names);
    const sizes = await fileSizes(directory, names);
    const totalSize = [...sizes.values()].reduce((sum, size) => sum + BigInt(size), 0n);
    const previous = await store.getSnapshot(merkleRoot);

    const archived = await this.archiveImmutables(numbers, compression, sizes);

    const digestsKey = `digests/${beaconStem(beacon)}.digests.json`;
    const digestsList = Buffer.from(digestsListJson(files));
    if (previous?.digestsKey !== digestsKey || (await storage.stat(digestsKey))?.size !== digestsList.length) {
      await storage.put(digestsKey, [digestsList], { contentType: 'application/json' });
    }

    const fullArchiveKey = `full/${beaconStem(beacon)}.${merkleRoot}.${ARCHIVE_EXTENSIONS[compression]}`;
    let full: StoredArchive;
    const stored = previous?.fullArchiveKey === fullArchiveKey ? await storage.stat(fullArchiveKey) : undefined;
    if (previous !== null && stored !== undefined && BigInt(stored.size) === previous.fullArchiveSize) {
      full = { size: stored.size, sha256: previous.fullArchiveSha256 };
    } else {
      full = await storeArchive({ directory, files: names, compression, storage, key: fullArchiveKey });
    }

    const ancillary = await this.ancillaryArchive(beacon, compression, previous);

    const snapshot: SnapshotRecord = {
      merkleRoot,
      hash: cardanoDatabaseSnapshotHash(beacon.epoch, merkleRoot),
      network: beacon.network,
      epoch: beacon.epoch,
      immutableFileNumber: upTo,
      certificateHash: request.certificateHash,
      compression,
      cardanoNodeVersion: this.#deps.cardanoNodeVersion,
      createdAt: previous?.createdAt ?? this.#clock(),
      totalDbSizeUncompressed: totalSize,
      immutablesAverageSizeUncompressed: totalSize / BigInt(numbers.length),
      digestsKey,
      digestsSize: BigInt(digestsList.length),
      fullArchiveKey,
      fullArchiveSize: BigInt(full.size),
      fullArchiveSha256: full.sha256,
      fullArchiveSizeUncompressed: totalSize,
      ...(ancillary === undefined ? {} : { ancillary }),
    };
    await store.saveSnapshot(snapshot);
    // The same files certified again at another beacon: the old beacon's objects are now unused.
    const current = new Set(ownKeys(snapshot));
    for (const key of previous === null ? [] : ownKeys(previous)) {
      if (!current.has(key)) await storage.delete(key).catch((error: unknown) => logger.warn({ err: error, key }, 'deleting a replaced object failed'));
    }
    logger.info(
      { merkleRoot, immutableFileNumber: upTo.toString(), newImmutableArchives: archived, fullArchiveSize: full.size, ms: Date.now() - started },
      'snapshot stored',
    );
    return snapshot;
  }

  /**
   * The snapshot's ancillary archive: the one already stored for it, else a new one. Optional
   * by nature (no ancillary key, no ledger snapshot yet, a node pruning what was being copied):
   * a failure is logged and the certified snapshot is stored without it.
   */
  private async ancillaryArchive(beacon: Beacon, compression: Compression, previous: SnapshotRecord | null): Promise<AncillaryArchiveRecord | undefined> {
    const settings = this.#deps.ancillary;
    if (settings === undefined) return undefined;
    const { storage, logger } = this.#deps;
    const key = `ancillary/${beaconStem(beacon)}.ancillary.${ARCHIVE_EXTENSIONS[compression]}`;
    if (previous?.ancillary?.key === key && BigInt((await storage.stat(key))?.size ?? -1) === previous.ancillary.size) return previous.ancillary;
    try {
      const stored = await storeAncillaryArchive({
        immutableDirectory: this.#deps.digester.immutableDirectory,
        ledgerDirectory: settings.ledgerDirectory,
        immutableFileNumber: beacon.immutableFileNumber,
        signer: settings.signer,
        compression,
        storage,
        key,
      });
      if (stored === undefined) {
        logger.warn(
          { ledgerDirectory: settings.ledgerDirectory, immutableFileNumber: beacon.immutableFileNumber.toString() },
          'no ledger snapshot to put in an ancillary archive',
        );
        return undefined;
      }
      logger.info({ key, ledgerSnapshot: stored.ledgerSnapshot, trios: stored.trios.map(String), size: stored.size.toString() }, 'ancillary archive stored');
      return { key: stored.key, size: stored.size, sha256: stored.sha256, sizeUncompressed: stored.sizeUncompressed };
    } catch (error) {
      logger.warn({ err: error, key }, 'making the ancillary archive failed: the snapshot goes without it');
      return undefined;
    }
  }

  /** Produces the missing per-immutable archives of `numbers`; how many were made. */
  private async archiveImmutables(numbers: readonly bigint[], compression: Compression, sizes: ReadonlyMap<string, number>): Promise<number> {
    const { store, storage } = this.#deps;
    const existing = new Set((await store.listImmutableArchives(compression)).map((archive) => archive.immutableFileNumber));
    const missing = numbers.filter((number) => !existing.has(number));
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < missing.length && !failed; index = next++) {
        const number = missing[index] as bigint;
        const files = immutableTrioFileNames(number);
        const key = immutableArchiveKey(number, compression);
        // Immutable files never change: an archive made once serves every later snapshot.
        const archive = await storeArchive({ directory: this.#deps.digester.immutableDirectory, files, compression, storage, key });
        const record: ImmutableArchiveRecord = {
          immutableFileNumber: number,
          compression,
          key,
          size: BigInt(archive.size),
          sha256: archive.sha256,
          sizeUncompressed: files.reduce((sum, file) => sum + BigInt(sizes.get(file) ?? 0), 0n),
          createdAt: this.#clock(),
        };
        await store.saveImmutableArchive(record);
      }
    };
    const guarded = () =>
      worker().catch((error: unknown) => {
        // The other workers stop after their current archive instead of carrying on.
        failed = true;
        throw error;
      });
    const concurrency = Math.max(1, Math.min(this.#deps.archiveConcurrency ?? 2, missing.length));
    await Promise.all(Array.from({ length: concurrency }, guarded));
    return missing.length;
  }

  private async pruneNow(): Promise<RetentionReport> {
    const { store, storage, logger } = this.#deps;
    const plan = planRetention(await store.listSnapshots(), await store.listImmutableArchives(), this.#deps.keepSnapshots);
    let failures = 0;
    const failedKeys = new Set<string>();
    for (const key of plan.removedKeys) {
      try {
        await storage.delete(key);
      } catch (error) {
        failures += 1;
        failedKeys.add(key);
        logger.warn({ err: error, key }, 'deleting a pruned object failed');
      }
    }
    const removedSnapshots: string[] = [];
    for (const snapshot of plan.removedSnapshots) {
      if (ownKeys(snapshot).some((key) => failedKeys.has(key))) continue;
      await store.deleteSnapshot(snapshot.merkleRoot);
      removedSnapshots.push(snapshot.merkleRoot);
    }
    const removedArchives: bigint[] = [];
    for (const archive of plan.removedArchives) {
      try {
        await storage.delete(archive.key);
      } catch (error) {
        failures += 1;
        logger.warn({ err: error, key: archive.key }, 'deleting a pruned archive failed');
        continue;
      }
      await store.deleteImmutableArchive(archive.immutableFileNumber, archive.compression);
      removedArchives.push(archive.immutableFileNumber);
    }
    if (removedSnapshots.length > 0 || removedArchives.length > 0)
      logger.info({ removedSnapshots, removedArchives: removedArchives.length, failures }, 'pruned old snapshots');
    return { removedSnapshots, removedArchives, failures };
  }

  private checkBeacon(beacon: Beacon): void {
    if (beacon === undefined || beacon === null) throw new SnapshotterError('INVALID_ARGUMENT', 'beacon is missing');
    if (beacon.network !== this.#deps.network) {
      throw new SnapshotterError(
        'INVALID_ARGUMENT',
        `beacon network ${JSON.stringify(String(beacon.network).slice(0, 64))} is not this snapshotter's network ${JSON.stringify(this.#deps.network)}`,
      );
    }
    for (const what of ['epoch', 'immutableFileNumber'] as const) {
      const value = beacon[what];
      if (typeof value !== 'bigint' || value < 0n || value > U64_MAX)
        throw new SnapshotterError('INVALID_ARGUMENT', `beacon ${what} must be a u64, got ${String(value)}`);
    }
  }

  /**
   * BEYOND_TIP unless the beacon's immutable file number is at most the latest final one on disk.
   * Every number from the wire goes through here before it sizes anything: the cost is one listing
   * of the directory (bounded by the chain, whatever the number asked for), and a refused request
   * never reaches the digester or the snapshot queue, so other requests are not held up.
   */
  private async checkWithinTip(beacon: Beacon): Promise<void> {
    const latest = await this.#deps.digester.latestImmutableFileNumber();
    if (latest !== undefined && beacon.immutableFileNumber <= latest) return;
    const tip = latest === undefined ? 'there is no final immutable file yet' : `the latest final one is ${latest}`;
    throw new SnapshotterError('BEYOND_TIP', `immutable file number ${beacon.immutableFileNumber} is past the tip of the immutable database (${tip})`, {
      metadata: { immutable_file_number: beacon.immutableFileNumber.toString(), latest_immutable_file_number: latest === undefined ? '' : latest.toString() },
    });
  }

  private exclusively<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }
}

/** The immutable file numbers of file names in digest order, each once. */
function numbersOf(names: readonly string[]): bigint[] {
  const numbers: bigint[] = [];
  for (const name of names) {
    const number = (parseImmutableFileName(name) as { number: bigint }).number;
    if (numbers.at(-1) !== number) numbers.push(number);
  }
  return numbers;
}

async function fileSizes(directory: string, names: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < names.length; index = next++) {
      const name = names[index] as string;
      try {
        sizes.set(name, (await stat(join(directory, name))).size);
      } catch (error) {
        throw new SnapshotterError('IMMUTABLE_DB_UNREADABLE', `cannot read immutable file ${join(directory, name)}: ${describeError(error)}`, { cause: error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, names.length) }, worker));
  return sizes;
}
