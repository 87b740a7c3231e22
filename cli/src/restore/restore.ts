/**
 * Restoring a certified Cardano database snapshot:
 * 1. the certificate chain is verified back to the genesis key, and the certificate signs this
 *    snapshot's Merkle root at its beacon;
 * 2. the digests list is fetched and its Merkle root must be the certified one;
 * 3. (range restore) local immutable files whose SHA-256 matches the list are reused, per
 *    immutable file number;
 * 4. the missing numbers' archives are downloaded (bounded parallelism, resumable), unpacked
 *    and every file checked against its digest — or the full archive when asked for;
 * 5. the staged directory holds exactly the listed files, and only then replaces the target.
 * Any failure leaves the target as it was. Downloads that failed in transit are kept for the next
 * run; once something failed verification the downloads are dropped (their source is suspect).
 */
import { copyFile, link, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { immutableFileNumberText } from '@mithril-ts/cardano';
import { parseJson } from '@mithril-ts/codec';
import type { AggregatorClient, CardanoDatabaseSnapshot, Compression, FileLocation, ImmutableFileDigest } from '../aggregator/port.js';
import { digestsListFromJson } from '../aggregator/decode.js';
import { CliError, verificationFailed } from '../errors.js';
import { readBounded, requestSignal, transportError, type Fetch } from '../http.js';
import { verifyCertifiedSnapshot, verifyDigestsList } from '../verify.js';
import { extractAncillaryArchive, placeAncillaryFiles } from './ancillary.js';
import { extractImmutableArchive, listDirectory, sha256File } from './archive.js';
import { Limiter, runBounded } from './bounded.js';
import { downloadFromLocations } from './download.js';
import { PROTOCOL_MAGIC_ID_FILE, networkMagicOf } from './protocol-magic.js';
import { Staging, removeWorkDirectory, workDirectoryFor } from './staging.js';

export interface RestoreRequest {
  readonly snapshot: CardanoDatabaseSnapshot;
  /** The database directory; immutable files go to `<target>/immutable`. */
  readonly target: string;
  /** Reuse the target's immutable files that match the certified digests. */
  readonly fromExisting: boolean;
  /** Download the one full archive instead of the per-immutable archives, when there is one. */
  readonly fullArchive: boolean;
  /** Archives downloaded at once. */
  readonly parallelism: number;
  /** Also download the ancillary files (ledger state, last trio) and check their manifest with this key. */
  readonly ancillaryVerificationKey?: Uint8Array;
  /** Restore only the immutable file numbers from `start` to `end` (inclusive; default: all). */
  readonly start?: bigint;
  readonly end?: bigint;
  /** The network magic written to `protocolMagicId` (default: the certified network's, when known). */
  readonly networkMagic?: number;
}

export type RestorePhase = 'verify-certificate' | 'digests' | 'check-local' | 'download' | 'ancillary' | 'commit';

/** What a restore tells as it goes (progress bars, JSON events). */
export interface RestoreEvents {
  step(phase: RestorePhase, message: string): void;
  /** `done` of `total` units (archives, or local files checked), and the bytes downloaded so far. */
  progress(phase: 'check-local' | 'download', done: number, total: number, bytes: number): void;
}

export interface RestoreDependencies {
  readonly client: AggregatorClient;
  readonly genesisVerificationKey: Uint8Array;
  readonly events: RestoreEvents;
  readonly fetch?: Fetch;
  readonly signal?: AbortSignal;
  /** Largest archive accepted (default 64 GiB). */
  readonly maxArchiveBytes?: number;
}

export interface RestoreReport {
  readonly snapshotHash: string;
  readonly merkleRoot: string;
  readonly beacon: { readonly network: string; readonly epoch: bigint; readonly immutableFileNumber: bigint };
  readonly certificateHash: string;
  readonly chainLength: number;
  readonly genesisCertificateHash: string;
  readonly target: string;
  readonly immutableDirectory: string;
  readonly files: number;
  readonly immutableFileNumbers: number;
  /** Numbers fetched from the network, and reused from the existing directory. */
  readonly downloadedNumbers: number;
  readonly reusedNumbers: number;
  readonly downloadedBytes: number;
  readonly resumedDownloads: number;
  readonly usedFullArchive: boolean;
  /** The range of immutable file numbers restored. */
  readonly range: { readonly start: bigint; readonly end: bigint };
  /** The ancillary files placed (relative to the target), when asked for. */
  readonly ancillary: { readonly files: readonly string[]; readonly ledgerSnapshots: readonly string[]; readonly bytes: number } | undefined;
  /** The network magic written to `<target>/protocolMagicId`, when one was. */
  readonly protocolMagicId: number | undefined;
}

const MAX_DIGESTS_LIST_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_ARCHIVE_BYTES = 64 * 1024 ** 3;

function archiveExtension(compression: Compression): string {
  return compression === 'gzip' ? '.tar.gz' : compression === 'zstandard' ? '.tar.zst' : '.tar';
}

/** A location's compression, or the snapshot's when the location does not say. */
function compressionOf(location: FileLocation, snapshot: CardanoDatabaseSnapshot): Compression {
  return location.compression === 'none' ? snapshot.compression : location.compression;
}

/** The digests list: from the aggregator's API when it has a call for it, else from its locations. */
export async function fetchDigests(
  dependencies: Pick<RestoreDependencies, 'client' | 'fetch' | 'signal'>,
  snapshot: CardanoDatabaseSnapshot,
): Promise<ImmutableFileDigest[]> {
  const direct = await dependencies.client.getSnapshotDigests(snapshot);
  if (direct !== undefined) return direct;
  if (snapshot.digests.locations.length === 0)
    throw new CliError('network', `snapshot ${snapshot.hash} has no digests list location`, { reason: 'NO_LOCATION' });
  let lastError: unknown;
  for (const location of snapshot.digests.locations) {
    const signal = requestSignal({ signal: dependencies.signal, timeoutMs: 120_000 });
    try {
      const response = await (dependencies.fetch ?? fetch)(location.uri, { signal, headers: { accept: 'application/json' } });
      if (!response.ok) {
        await response.body?.cancel();
        throw new CliError('network', `${location.uri} answered HTTP ${response.status}`, { reason: `HTTP_${response.status}` });
      }
      const body = await readBounded(response, MAX_DIGESTS_LIST_BYTES, 'the digests list');
      let value: unknown;
      try {
        value = parseJson(Buffer.from(body).toString('utf8'));
      } catch (cause) {
        throw new CliError('network', `the digests list at ${location.uri} is not JSON: ${(cause as Error).message}`, { reason: 'MALFORMED_RESPONSE', cause });
      }
      return digestsListFromJson(value);
    } catch (error) {
      lastError = transportError(location.uri, error, signal);
    }
  }
  throw lastError;
}

/** Links (or copies, across file systems) a verified local file into the staging directory. */
async function reuse(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

export async function restoreSnapshot(dependencies: RestoreDependencies, request: RestoreRequest): Promise<RestoreReport> {
  const { client, events, signal } = dependencies;
  const { snapshot } = request;

  if (request.ancillaryVerificationKey !== undefined && request.fromExisting) {
    // The ledger state must match the immutable files a node opens with it: it belongs to a fresh restore.
    throw new CliError('usage', 'ancillary files are restored into a new directory only: drop --from-existing or --include-ancillary', {
      reason: 'CONFLICTING_OPTIONS',
    });
  }
  if (request.start !== undefined && request.end !== undefined && request.start > request.end) {
    throw new CliError('usage', `--start ${request.start} is past --end ${request.end}`, { reason: 'INVALID_RANGE' });
  }
  if (request.end !== undefined && request.end > snapshot.beacon.immutableFileNumber) {
    throw new CliError('usage', `--end ${request.end} is past the snapshot's last immutable file number ${snapshot.beacon.immutableFileNumber}`, {
      reason: 'INVALID_RANGE',
    });
  }
  if (request.ancillaryVerificationKey !== undefined && snapshot.ancillary === undefined) {
    throw new CliError(
      'not-found',
      `the aggregator offers no ancillary files (ledger state) for snapshot ${snapshot.hash}; restore without --include-ancillary`,
      {
        reason: 'NO_ANCILLARY',
      },
    );
  }

  // The target is checked first: a usage error should not wait for a chain verification.
  const staging = await Staging.prepare(request.target, request.fromExisting);
  const workDirectory = workDirectoryFor(request.target, snapshot.hash);
  let verificationFailedOnce = false;
  try {
    events.step('verify-certificate', `verifying the certificate chain of snapshot ${snapshot.hash.slice(0, 16)}… back to genesis`);
    const { chain, certificate } = await verifyCertifiedSnapshot(client, dependencies.genesisVerificationKey, snapshot);

    events.step('digests', 'fetching the digests list and checking it against the certified Merkle root');
    const allDigests = await fetchDigests(dependencies, snapshot);
    const byNumber = verifyDigestsList(allDigests, snapshot);
    const allNumbers = [...byNumber.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // A range restore: the whole list was checked against the certified root, then only the range is restored.
    const start = request.start ?? allNumbers[0]!;
    const end = request.end ?? allNumbers.at(-1)!;
    const numbers = allNumbers.filter((number) => number >= start && number <= end);
    if (numbers.length === 0) {
      throw new CliError('usage', `the snapshot has no immutable file number from ${start} to ${end} (it has ${allNumbers[0]} to ${allNumbers.at(-1)})`, {
        reason: 'INVALID_RANGE',
      });
    }
    const digests = numbers.flatMap((number) => byNumber.get(number)!);
    const ranged = numbers.length !== allNumbers.length;

    const useFullArchive =
      request.fullArchive && !ranged && staging.mode === 'fresh' && snapshot.fullArchive !== undefined && snapshot.fullArchive.locations.length > 0;
    if (request.fullArchive && !useFullArchive) {
      events.step(
        'download',
        staging.mode === 'from-existing'
          ? 'a range restore uses the per-immutable archives'
          : 'this snapshot has no full archive: using the per-immutable archives',
      );
    }

    // Range restore: a number is reused when every one of its listed files matches locally.
    const needed: bigint[] = [];
    let reusedNumbers = 0;
    if (staging.mode === 'from-existing') {
      const local = new Set(await listDirectory(staging.existingImmutableDirectory));
      let checked = 0;
      events.progress('check-local', 0, numbers.length, 0);
      for (const number of numbers) {
        const files = byNumber.get(number)!;
        let matches = true;
        for (const file of files) {
          if (!local.has(file.name) || (await sha256File(join(staging.existingImmutableDirectory, file.name), signal)) !== file.digest) {
            matches = false;
            break;
          }
        }
        if (matches) {
          for (const file of files) await reuse(join(staging.existingImmutableDirectory, file.name), join(staging.immutableDirectory, file.name));
          reusedNumbers += 1;
        } else {
          needed.push(number);
        }
        events.progress('check-local', ++checked, numbers.length, 0);
      }
      events.step('check-local', `${reusedNumbers} of ${numbers.length} immutable file numbers are already present and match; ${needed.length} to download`);
    } else {
      needed.push(...numbers);
    }

    await mkdir(workDirectory, { recursive: true });
    const maxBytes = dependencies.maxArchiveBytes ?? DEFAULT_MAX_ARCHIVE_BYTES;
    let downloadedBytes = 0;
    let resumedDownloads = 0;
    if (useFullArchive) {
      const full = snapshot.fullArchive!;
      const archive = join(workDirectory, `full${archiveExtension(compressionOf(full.locations[0]!, snapshot))}`);
      events.step('download', `downloading the full archive (${full.size} bytes)`);
      events.progress('download', 0, 1, 0);
      const result = await downloadFromLocations(
        full.locations.map((location) => location.uri),
        archive,
        { fetch: dependencies.fetch, signal, maxBytes, sha256: true, onBytes: (bytes) => events.progress('download', 0, 1, (downloadedBytes += bytes)) },
      );
      if (result.resumedFrom > 0) resumedDownloads += 1;
      const sha256 = result.sha256 ?? (await sha256File(archive, signal));
      if (sha256 !== full.sha256) {
        await rm(archive, { force: true });
        throw verificationFailed('ARCHIVE_SHA256_MISMATCH', `the full archive has SHA-256 ${sha256}, not the announced ${full.sha256}`);
      }
      await extractImmutableArchive(archive, digests, staging.immutableDirectory, staging.root, 'the full archive', signal);
      events.progress('download', 1, 1, downloadedBytes);
    } else if (needed.length > 0) {
      const templates = snapshot.immutables.locations;
      if (templates.length === 0) throw new CliError('network', `snapshot ${snapshot.hash} has no immutable archive location`, { reason: 'NO_LOCATION' });
      events.step('download', `downloading ${needed.length} immutable archive${needed.length === 1 ? '' : 's'}`);
      // Unpacking is CPU-bound: decompression on the thread pool, parsing and hashing on this
      // thread. One unpacking per core but this thread's; more only fight over the CPU (on 2
      // cores, 4 at once took half again as much CPU time, and longer), so they take turns while
      // the downloads keep their own parallelism.
      const unpacking = new Limiter(Math.max(1, Math.min(request.parallelism, availableParallelism() - 1)));
      let done = 0;
      events.progress('download', 0, needed.length, 0);
      await runBounded(
        needed,
        request.parallelism,
        async (number, taskSignal) => {
          const padded = immutableFileNumberText(number);
          const archive = join(workDirectory, `${padded}${archiveExtension(compressionOf(templates[0]!, snapshot))}`);
          const result = await downloadFromLocations(
            templates.map((location) => location.uri.replaceAll('{immutable_file_number}', padded)),
            archive,
            {
              fetch: dependencies.fetch,
              signal: taskSignal,
              maxBytes,
              onBytes: (bytes) => events.progress('download', done, needed.length, (downloadedBytes += bytes)),
            },
          );
          if (result.resumedFrom > 0) resumedDownloads += 1;
          try {
            await unpacking.run(() =>
              extractImmutableArchive(
                archive,
                byNumber.get(number)!,
                staging.immutableDirectory,
                staging.root,
                `the archive of immutable file number ${padded}`,
                taskSignal,
              ),
            );
          } catch (error) {
            await rm(archive, { force: true }); // never resume onto a bad archive
            throw error;
          }
          events.progress('download', ++done, needed.length, downloadedBytes);
        },
        signal,
      );
    }

    // Exactly the certified files, each verified above (reused ones before linking, downloaded ones after unpacking).
    const staged = new Set(await listDirectory(staging.immutableDirectory));
    const unexpected = [...staged].filter((name) => !digests.some((entry) => entry.name === name));
    const absent = digests.filter((entry) => !staged.has(entry.name));
    if (unexpected.length > 0 || absent.length > 0) {
      throw verificationFailed(
        'FILE_SET_MISMATCH',
        `the restored files are not the certified set (unexpected: ${unexpected.slice(0, 5).join(', ') || 'none'}; missing: ${
          absent
            .slice(0, 5)
            .map((e) => e.name)
            .join(', ') || 'none'
        })`,
      );
    }

    let ancillary: RestoreReport['ancillary'];
    if (request.ancillaryVerificationKey !== undefined) {
      const offered = snapshot.ancillary!;
      events.step('ancillary', 'downloading the ancillary files (ledger state, last trio) and checking their signed manifest');
      const extension = archiveExtension(compressionOf(offered.locations[0]!, snapshot));
      const archive = join(workDirectory, `ancillary${extension}`);
      let bytes = 0;
      const result = await downloadFromLocations(
        offered.locations.map((location) => location.uri),
        archive,
        { fetch: dependencies.fetch, signal, maxBytes, sha256: offered.sha256 !== undefined, onBytes: (chunk) => (bytes += chunk) },
      );
      if (result.resumedFrom > 0) resumedDownloads += 1;
      downloadedBytes += bytes;
      try {
        if (offered.sha256 !== undefined) {
          const sha256 = result.sha256 ?? (await sha256File(archive, signal));
          if (sha256 !== offered.sha256)
            throw verificationFailed('ARCHIVE_SHA256_MISMATCH', `the ancillary archive has SHA-256 ${sha256}, not the announced ${offered.sha256}`);
        }
        const files = await extractAncillaryArchive(archive, snapshot.beacon.immutableFileNumber, request.ancillaryVerificationKey, staging.root, signal);
        await placeAncillaryFiles(files, staging.root);
        ancillary = { files: files.files, ledgerSnapshots: files.ledgerSnapshots, bytes: (await stat(archive)).size };
      } catch (error) {
        await rm(archive, { force: true }); // never resume onto a refused archive
        throw error;
      }
    }

    const magic = networkMagicOf(certificate.metadata.network, request.networkMagic);
    const protocolMagicId = typeof magic === 'number' ? magic : undefined;
    if (magic === undefined) {
      events.step('commit', `no ${PROTOCOL_MAGIC_ID_FILE} written: the magic of network ${certificate.metadata.network} is not known (give --network-magic)`);
    } else if (protocolMagicId !== undefined && staging.mode === 'fresh') {
      await writeFile(join(staging.root, PROTOCOL_MAGIC_ID_FILE), String(protocolMagicId));
    }

    events.step('commit', `moving the verified files into ${staging.mode === 'fresh' ? staging.target : staging.existingImmutableDirectory}`);
    await staging.commit();
    if (protocolMagicId !== undefined && staging.mode === 'from-existing')
      await writeFile(join(staging.target, PROTOCOL_MAGIC_ID_FILE), String(protocolMagicId));
    await removeWorkDirectory(workDirectory);
    const genesis = chain.endedAt.hash;
    return {
      snapshotHash: snapshot.hash,
      merkleRoot: snapshot.merkleRoot,
      beacon: { network: snapshot.network, epoch: snapshot.beacon.epoch, immutableFileNumber: snapshot.beacon.immutableFileNumber },
      certificateHash: snapshot.certificateHash,
      chainLength: chain.verified.length,
      genesisCertificateHash: genesis,
      target: staging.target,
      immutableDirectory: join(staging.target, 'immutable'),
      files: digests.length,
      immutableFileNumbers: numbers.length,
      downloadedNumbers: useFullArchive ? numbers.length : needed.length,
      reusedNumbers,
      downloadedBytes,
      resumedDownloads,
      usedFullArchive: useFullArchive,
      range: { start: numbers[0]!, end: numbers.at(-1)! },
      ancillary,
      protocolMagicId,
    };
  } catch (error) {
    if (error instanceof CliError && error.kind === 'verification') verificationFailedOnce = true;
    throw error;
  } finally {
    // After a commit the staging root is gone (renamed or removed): this only cleans up failures.
    await staging.abort().catch(() => undefined);
    if (verificationFailedOnce) await removeWorkDirectory(workDirectory).catch(() => undefined);
  }
}
