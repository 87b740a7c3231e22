/** `snapshot list | show | download | restore`: Cardano database snapshots. */
import { join } from 'node:path';
import type { CardanoDatabaseSnapshot, FileLocation, SnapshotListItem } from '../aggregator/port.js';
import { CliError } from '../errors.js';
import { formatBytes, table } from '../output.js';
import { restoreSnapshot, type RestoreReport } from '../restore/restore.js';
import { verifyCertifiedSnapshot } from '../verify.js';
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
  lines.push(...certificateLines(certificate), verifiedLine);
  context.output.result('snapshot show', { snapshot: snapshotData(snapshot), certificate: certificateData(certificate), verification }, lines.join('\n'));
}

export interface RestoreCommandOptions {
  readonly target: string;
  readonly fromExisting: boolean;
  readonly fullArchive: boolean;
  readonly parallel: number;
}

export async function snapshotRestore(
  context: CommandContext,
  command: 'snapshot download' | 'snapshot restore',
  reference: string,
  options: RestoreCommandOptions,
): Promise<void> {
  const genesisVerificationKey = await context.genesisKey();
  const snapshot = await resolveSnapshot(context, reference);
  const client = await context.aggregator();
  const report = await restoreSnapshot(
    { client, genesisVerificationKey, events: context.output.restoreEvents(), fetch: context.downloadFetch(), signal: context.io.signal },
    { snapshot, target: options.target, fromExisting: options.fromExisting, fullArchive: options.fullArchive, parallelism: options.parallel },
  );
  context.output.result(command, reportData(report), reportLines(report).join('\n'));
}

function reportData(report: RestoreReport): Record<string, unknown> {
  return { ...report, beacon: { ...report.beacon } };
}

function reportLines(report: RestoreReport): string[] {
  return [
    `Restored snapshot ${report.snapshotHash} (${report.beacon.network}, epoch ${report.beacon.epoch}, immutable file ${report.beacon.immutableFileNumber})`,
    `  into ${join(report.target, 'immutable')}: ${report.files} files of ${report.immutableFileNumbers} immutable file numbers`,
    `  ${report.downloadedNumbers} number${report.downloadedNumbers === 1 ? '' : 's'} downloaded (${formatBytes(report.downloadedBytes)}${report.usedFullArchive ? ', full archive' : ''}${report.resumedDownloads > 0 ? `, ${report.resumedDownloads} resumed` : ''}), ${report.reusedNumbers} reused from the existing directory`,
    `  every file matches the certified digests list (Merkle root ${report.merkleRoot})`,
    `  certificate ${report.certificateHash} verified back to genesis certificate ${report.genesisCertificateHash} (${report.chainLength} certificates)`,
  ];
}
