/** `snapshot list | show | download | restore | verify`: Cardano database snapshots. */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseImmutableFileName } from '@mithril-ts/cardano';
import type { CardanoDatabaseSnapshot, FileLocation, SnapshotListItem } from '../aggregator/port.js';
import { CliError, EXIT_CODES } from '../errors.js';
import { formatBytes, table } from '../output.js';
import { listDirectory, sha256File } from '../restore/archive.js';
import { fetchDigests, restoreSnapshot, type RestoreReport } from '../restore/restore.js';
import { verifyCertifiedSnapshot, verifyDigestsList } from '../verify.js';
import type { CommandContext } from './context.js';
import { certificateData, certificateLines, chainData, chainLine } from './describe.js';

export async function resolveSnapshot(context: CommandContext, reference: string): Promise<CardanoDatabaseSnapshot> {
  const client = await context.aggregator();
  let hash = reference;
  if (reference === 'latest') {
    const [latest] = await client.listSnapshots(1);
    if (latest === undefined) throw new CliError('not-found', `the aggregator at ${client.endpoint} has no snapshot yet`, { reason: 'NO_SNAPSHOT' });
    hash = latest.hash;
  }
  const snapshot = await client.getSnapshot(hash);
  if (snapshot === undefined) throw new CliError('not-found', `the aggregator at ${client.endpoint} has no snapshot ${hash}`, { reason: 'SNAPSHOT_NOT_FOUND' });
  if (snapshot.hash !== hash)
    throw new CliError('network', `asked the aggregator for snapshot ${hash}, it answered ${snapshot.hash}`, { reason: 'MALFORMED_RESPONSE' });
  return snapshot;
}

function listItemData(item: SnapshotListItem): Record<string, unknown> {
  return {
    hash: item.hash,
    merkleRoot: item.merkleRoot,
    beacon: { epoch: item.beacon.epoch, immutableFileNumber: item.beacon.immutableFileNumber },
    certificateHash: item.certificateHash,
    totalDbSizeUncompressed: item.totalDbSizeUncompressed,
    createdAt: item.createdAt,
    cardanoNodeVersion: item.cardanoNodeVersion,
  };
}

function locationsData(locations: readonly FileLocation[]): Record<string, unknown>[] {
  return locations.map((location) => ({ type: location.type, uri: location.uri, compression: location.compression }));
}

function snapshotData(snapshot: CardanoDatabaseSnapshot): Record<string, unknown> {
  return {
    ...listItemData(snapshot),
    network: snapshot.network,
    compression: snapshot.compression,
    digests: { sizeUncompressed: snapshot.digests.sizeUncompressed, locations: locationsData(snapshot.digests.locations) },
    immutables: { averageSizeUncompressed: snapshot.immutables.averageSizeUncompressed, locations: locationsData(snapshot.immutables.locations) },
    fullArchive:
      snapshot.fullArchive === undefined
        ? undefined
        : {
            size: snapshot.fullArchive.size,
            sizeUncompressed: snapshot.fullArchive.sizeUncompressed,
            sha256: snapshot.fullArchive.sha256,
            locations: locationsData(snapshot.fullArchive.locations),
          },
    ancillary:
      snapshot.ancillary === undefined
        ? undefined
        : {
            sizeUncompressed: snapshot.ancillary.sizeUncompressed,
            size: snapshot.ancillary.size,
            sha256: snapshot.ancillary.sha256,
            locations: locationsData(snapshot.ancillary.locations),
          },
  };
}

export async function snapshotList(context: CommandContext, limit: number): Promise<void> {
  const items = await (await context.aggregator()).listSnapshots(limit);
  const human =
    items.length === 0
      ? 'No snapshot yet.'
      : table(
          ['Epoch', 'Immutable', 'Hash', 'Certificate', 'Size', 'Created'],
          items.map((item) => [
            item.beacon.epoch.toString(),
            item.beacon.immutableFileNumber.toString(),
            item.hash,
            item.certificateHash.slice(0, 16),
            formatBytes(item.totalDbSizeUncompressed),
            item.createdAt,
          ]),
        );
  context.output.result('snapshot list', items.map(listItemData), human);
}

export async function snapshotShow(context: CommandContext, reference: string): Promise<void> {
  const snapshot = await resolveSnapshot(context, reference);
  const client = await context.aggregator();
  const genesisKey = await context.optionalGenesisKey();
  let verification: Record<string, unknown> = { verified: false, reason: 'no genesis verification key given' };
  let verifiedLine = 'Not verified: no genesis verification key given (--genesis-verification-key)';
  let certificate;
  if (genesisKey !== undefined) {
    context.output.step('verify-certificate', 'verifying the certificate chain back to genesis');
    const verified = await verifyCertifiedSnapshot(client, genesisKey, snapshot);
    certificate = verified.certificate;
    verification = chainData(verified.chain);
    verifiedLine = chainLine(verified.chain);
  } else {
    certificate = await client.getCertificate(snapshot.certificateHash);
    if (certificate === undefined)
      throw new CliError('not-found', `the aggregator has no certificate ${snapshot.certificateHash} for snapshot ${snapshot.hash}`, {
        reason: 'CERTIFICATE_NOT_FOUND',
      });
  }
  const locations = (list: readonly FileLocation[]) =>
    list.length === 0
      ? ['none']
      : list.map((location) => `${location.uri} (${location.type}${location.compression === 'none' ? '' : `, ${location.compression}`})`);
  const lines = [
    `Snapshot           ${snapshot.hash}`,
    `  Merkle root      ${snapshot.merkleRoot}`,
    `  Network          ${snapshot.network}`,
    `  Epoch            ${snapshot.beacon.epoch}`,
    `  Immutable file   ${snapshot.beacon.immutableFileNumber}`,
    `  Database size    ${formatBytes(snapshot.totalDbSizeUncompressed)} (${snapshot.totalDbSizeUncompressed} bytes, uncompressed)`,
    `  Created at       ${snapshot.createdAt}`,
    `  Node version     ${snapshot.cardanoNodeVersion || 'unknown'}`,
    `  Digests list     ${formatBytes(snapshot.digests.sizeUncompressed)} at ${locations(snapshot.digests.locations).join(', ')}`,
    `  Immutables       ~${formatBytes(snapshot.immutables.averageSizeUncompressed)} per number at ${locations(snapshot.immutables.locations).join(', ')}`,
  ];
  if (snapshot.fullArchive !== undefined) {
    lines.push(
      `  Full archive     ${formatBytes(snapshot.fullArchive.size)} (sha256 ${snapshot.fullArchive.sha256}) at ${locations(snapshot.fullArchive.locations).join(', ')}`,
    );
  }
  lines.push(
    snapshot.ancillary === undefined
      ? '  Ancillary files  none offered'
      : `  Ancillary files  ${formatBytes(snapshot.ancillary.sizeUncompressed)} uncompressed (ledger state, last trio; signed by the ancillary key) at ${locations(snapshot.ancillary.locations).join(', ')}`,
  );
  lines.push(...certificateLines(certificate), verifiedLine);
  context.output.result('snapshot show', { snapshot: snapshotData(snapshot), certificate: certificateData(certificate), verification }, lines.join('\n'));
}

export interface RestoreCommandOptions {
  readonly target: string;
  readonly fromExisting: boolean;
  readonly fullArchive: boolean;
  readonly parallel: number;
  readonly includeAncillary?: boolean;
  readonly ancillaryVerificationKey?: string;
  readonly ancillaryVerificationKeyFile?: string;
  readonly start?: bigint;
  readonly end?: bigint;
  readonly networkMagic?: number;
}

export async function snapshotRestore(
  context: CommandContext,
  command: 'snapshot download' | 'snapshot restore',
  reference: string,
  options: RestoreCommandOptions,
): Promise<void> {
  const genesisVerificationKey = await context.genesisKey();
  // Without --include-ancillary no ancillary key is read and nothing ancillary is downloaded.
  const ancillaryVerificationKey = options.includeAncillary === true ? await context.ancillaryKey(options) : undefined;
  const snapshot = await resolveSnapshot(context, reference);
  const client = await context.aggregator();
  const report = await restoreSnapshot(
    { client, genesisVerificationKey, events: context.output.restoreEvents(), fetch: context.downloadFetch(), signal: context.io.signal },
    {
      snapshot,
      target: options.target,
      fromExisting: options.fromExisting,
      fullArchive: options.fullArchive,
      parallelism: options.parallel,
      ...(ancillaryVerificationKey === undefined ? {} : { ancillaryVerificationKey }),
      ...(options.start === undefined ? {} : { start: options.start }),
      ...(options.end === undefined ? {} : { end: options.end }),
      ...(options.networkMagic === undefined ? {} : { networkMagic: options.networkMagic }),
    },
  );
  context.output.result(command, reportData(report), reportLines(report).join('\n'));
}

function reportData(report: RestoreReport): Record<string, unknown> {
  return { ...report, beacon: { ...report.beacon }, range: { ...report.range } };
}

function reportLines(report: RestoreReport): string[] {
  return [
    `Restored snapshot ${report.snapshotHash} (${report.beacon.network}, epoch ${report.beacon.epoch}, immutable file ${report.beacon.immutableFileNumber})`,
    `  into ${join(report.target, 'immutable')}: ${report.files} files of ${report.immutableFileNumbers} immutable file numbers`,
    `  ${report.downloadedNumbers} number${report.downloadedNumbers === 1 ? '' : 's'} downloaded (${formatBytes(report.downloadedBytes)}${report.usedFullArchive ? ', full archive' : ''}${report.resumedDownloads > 0 ? `, ${report.resumedDownloads} resumed` : ''}), ${report.reusedNumbers} reused from the existing directory`,
    `  every file matches the certified digests list (Merkle root ${report.merkleRoot})`,
    `  certificate ${report.certificateHash} verified back to genesis certificate ${report.genesisCertificateHash} (${report.chainLength} certificates)`,
    ...(report.ancillary === undefined
      ? []
      : [
          `  ancillary files: ledger snapshot ${report.ancillary.ledgerSnapshots.join(', ')} and ${report.ancillary.files.filter((f) => f.startsWith('immutable/')).length} newer immutable files (${formatBytes(BigInt(report.ancillary.bytes))}), their manifest signed by the ancillary key`,
        ]),
    ...(report.protocolMagicId === undefined ? [] : [`  protocolMagicId ${report.protocolMagicId} written`]),
  ];
}

export interface VerifyDatabaseReport {
  readonly snapshotHash: string;
  readonly beacon: { readonly network: string; readonly epoch: bigint; readonly immutableFileNumber: bigint };
  readonly immutableDirectory: string;
  readonly checked: number;
  readonly intact: number;
  /** Certified files absent from the directory. */
  readonly missing: readonly string[];
  /** Certified files whose SHA-256 is not the certified digest. */
  readonly tampered: readonly string[];
  /** Files up to the beacon (or not immutable files at all) that the snapshot does not list. */
  readonly extra: readonly string[];
  /** Immutable files past the beacon: the node's newer files, not covered by this snapshot. */
  readonly beyondSnapshot: number;
  readonly status: 'intact' | 'tampered' | 'missing' | 'extra';
}

/**
 * `snapshot verify`: checks an existing database directory against a certified snapshot, file by
 * file, without changing anything. The snapshot's certificate chain and its digests list are
 * verified first, so "tampered" means "not the certified bytes".
 * Exit code: 0 intact, 1 a file modified, 6 files missing (none modified), 7 extra files only.
 */
export async function snapshotVerify(context: CommandContext, reference: string, databaseDirectory: string): Promise<void> {
  const genesisVerificationKey = await context.genesisKey();
  const immutableDirectory = join(resolve(databaseDirectory), 'immutable');
  try {
    if (!(await stat(immutableDirectory)).isDirectory()) throw new Error('not a directory');
  } catch (cause) {
    throw new CliError('usage', `${immutableDirectory} is not a readable directory: give the database directory (the one holding immutable/)`, {
      reason: 'NO_IMMUTABLE_DIRECTORY',
      cause,
    });
  }
  const snapshot = await resolveSnapshot(context, reference);
  const client = await context.aggregator();
  context.output.step('verify-certificate', `verifying the certificate chain of snapshot ${snapshot.hash.slice(0, 16)}… back to genesis`);
  const { chain } = await verifyCertifiedSnapshot(client, genesisVerificationKey, snapshot);
  context.output.step('digests', 'fetching the digests list and checking it against the certified Merkle root');
  const digests = await fetchDigests({ client, fetch: context.downloadFetch(), signal: context.io.signal }, snapshot);
  verifyDigestsList(digests, snapshot);

  context.output.step('check-local', `checking ${digests.length} files in ${immutableDirectory}`);
  const present = new Set(await listDirectory(immutableDirectory));
  const missing: string[] = [];
  const tampered: string[] = [];
  for (const entry of digests) {
    if (!present.has(entry.name)) missing.push(entry.name);
    else if ((await sha256File(join(immutableDirectory, entry.name), context.io.signal)) !== entry.digest) tampered.push(entry.name);
  }
  const listed = new Set(digests.map((entry) => entry.name));
  const extra: string[] = [];
  let beyondSnapshot = 0;
  for (const name of [...present].sort()) {
    if (listed.has(name)) continue;
    const parsed = parseImmutableFileName(name);
    if (parsed !== undefined && parsed.number > snapshot.beacon.immutableFileNumber) beyondSnapshot += 1;
    else extra.push(name);
  }
  const status = tampered.length > 0 ? 'tampered' : missing.length > 0 ? 'missing' : extra.length > 0 ? 'extra' : 'intact';
  context.exitCode = { intact: EXIT_CODES.ok, tampered: EXIT_CODES.verification, missing: EXIT_CODES.dbFilesMissing, extra: EXIT_CODES.dbFilesExtra }[status];
  const report: VerifyDatabaseReport = {
    snapshotHash: snapshot.hash,
    beacon: { network: snapshot.network, epoch: snapshot.beacon.epoch, immutableFileNumber: snapshot.beacon.immutableFileNumber },
    immutableDirectory,
    checked: digests.length,
    intact: digests.length - missing.length - tampered.length,
    missing,
    tampered,
    extra,
    beyondSnapshot,
    status,
  };
  const list = (names: readonly string[]) => (names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`);
  const lines = [
    `Database ${immutableDirectory} against snapshot ${snapshot.hash} (${snapshot.network}, epoch ${snapshot.beacon.epoch}, immutable file ${snapshot.beacon.immutableFileNumber})`,
    `  ${report.intact} of ${digests.length} certified files intact`,
    ...(tampered.length > 0 ? [`  tampered (SHA-256 is not the certified digest): ${list(tampered)}`] : []),
    ...(missing.length > 0 ? [`  missing: ${list(missing)}`] : []),
    ...(extra.length > 0 ? [`  extra (not in the snapshot): ${list(extra)}`] : []),
    ...(beyondSnapshot > 0 ? [`  ${beyondSnapshot} newer immutable files past the snapshot, not checked`] : []),
    `  certificate ${snapshot.certificateHash} verified back to genesis certificate ${chain.endedAt.hash} (${chain.verified.length} certificates)`,
    status === 'intact' ? 'Every certified file is intact.' : `Result: ${status} (exit code ${context.exitCode})`,
  ];
  context.output.result('snapshot verify', { ...report, beacon: { ...report.beacon } }, lines.join('\n'));
}
