/**
 * A certified situation built for the client's tests, the way the network builds it: a node's
 * immutable files with their digests and Merkle root; signers with real STM keys recorded per
 * epoch; a genesis certificate signed by a genesis key; in the next epoch a Mithril stake
 * distribution certificate and a Cardano database certificate whose multi-signatures certify
 * the next signers and the Merkle root (the testkit's `certifiedChain`); and the archives a
 * snapshotter would publish.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { compress } from 'zstd-napi';
import { cardanoDatabaseMerkleRoot } from '@mithril-ts/cardano';
import {
  ANCILLARY_MANIFEST_FILE,
  AncillarySigner,
  ProtocolParametersSchedule,
  encodeAncillaryKey,
  encodeAncillaryManifest,
  cardanoDatabase,
  cardanoDatabaseSnapshotHash,
  encodeGenesisVerificationKey,
  mithrilStakeDistribution,
  mithrilStakeDistributionHash,
  stakeDistributionSignerPart,
  type Certificate,
  type Epoch,
  type EpochSettings,
  type GenesisSigner,
  type ProtocolMessage,
  type ProtocolParameters,
  type SignerRecord,
} from '@mithril-ts/protocol';
import type { AggregateSignature } from '@mithril-ts/stm';
import { certifiedChain } from '@mithril-ts/testkit';

export const NETWORK = 'devnet';
const POOLS = ['pool-a', 'pool-b', 'pool-c', 'pool-d'];
const schedule = new ProtocolParametersSchedule([{ fromEpoch: 0n, parameters: { k: 5n, m: 30n, phiF: 0.65 } }]);
export const GENESIS_EPOCH = 2n;
export const EPOCH = 3n;
/** Immutable file numbers 0..LAST_NUMBER; LARGE_NUMBER's chunk is big enough to interrupt mid-transfer. */
export const LAST_NUMBER = 5;
export const LARGE_NUMBER = 3;
const EXTENSIONS = ['chunk', 'primary', 'secondary'] as const;

export function padded(number: number | bigint): string {
  return number.toString().padStart(5, '0');
}

function stakeAt(epoch: Epoch, pool: number): bigint {
  return BigInt(2_000_000 + pool * 700_000) + BigInt(((Number(epoch) * 5 + pool * 3) % 7) * 100_000);
}

export interface ImmutableFile {
  readonly name: string;
  readonly number: number;
  readonly digest: string;
}

export interface Fixture {
  readonly root: string;
  /** The node's immutable directory: what a restore must reproduce byte for byte. */
  readonly nodeImmutable: string;
  /** Archives and the digests list as published (served by the file server). */
  readonly published: string;
  readonly files: readonly ImmutableFile[];
  readonly merkleRoot: string;
  readonly snapshotHash: string;
  readonly genesisSigner: GenesisSigner;
  readonly genesisKey: string;
  readonly certificates: readonly Certificate[];
  readonly genesis: Certificate;
  readonly stakeDistributionCertificate: Certificate;
  readonly snapshotCertificate: Certificate;
  readonly stakeDistribution: {
    readonly epoch: Epoch;
    readonly hash: string;
    readonly signers: readonly SignerRecord[];
    readonly parameters: ProtocolParameters;
  };
  readonly fullArchive: { readonly name: string; readonly size: number; readonly sha256: string; readonly sizeUncompressed: number };
  /** The ancillary archive (ledger snapshot `ledger/119`, trio 00006 past the beacon, signed manifest) and its key. */
  readonly ancillary: { readonly name: string; readonly size: number; readonly sha256: string; readonly sizeUncompressed: number };
  readonly ancillarySigner: AncillarySigner;
  /** The ancillary verification key, json-hex. */
  readonly ancillaryKey: string;
  /** Where the ancillary files were made (relative paths as in the archive). */
  readonly ancillarySource: string;
  readonly totalSize: number;
  readonly averageSize: number;
  readonly createdAt: bigint;
  /** Signs a protocol message with the signers of `epoch` (to forge convincing-looking certificates). */
  readonly multiSign: (epoch: Epoch, message: ProtocolMessage) => AggregateSignature;
  /** Immutable files with a certificate chain of their own, for attack scenarios. */
  readonly settings: (epoch: Epoch) => EpochSettings;
}

/** Packs `names` of `directory` as the snapshotter does (entries `immutable/NAME`, gzip). */
export async function packArchive(directory: string, names: readonly string[], file: string): Promise<void> {
  await tar.c({ gzip: true, file, cwd: directory, prefix: 'immutable', portable: true }, [...names]);
}

/** The uncompressed tar of `names` under `immutable/`, as `packArchive` lays it out. */
export async function tarOf(directory: string, names: readonly string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tar.c({ cwd: directory, prefix: 'immutable', portable: true }, [...names])) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The per-immutable archives of the fixture as zstd-compressed tars, by file name (`NNNNN.tar.zst`). */
export async function zstdImmutableArchives(fixture: Fixture): Promise<Map<string, Buffer>> {
  const archives = new Map<string, Buffer>();
  for (let number = 0; number <= LAST_NUMBER; number += 1) {
    archives.set(
      `${padded(number)}.tar.zst`,
      compress(
        await tarOf(
          fixture.nodeImmutable,
          EXTENSIONS.map((extension) => `${padded(number)}.${extension}`),
        ),
      ),
    );
  }
  return archives;
}

/** The ancillary files a node would have beside the certified ones: trio 00006 (past the beacon) and ledger snapshot 119. */
export const ANCILLARY_FILES = ['immutable/00006.chunk', 'immutable/00006.primary', 'immutable/00006.secondary', 'ledger/119/state', 'ledger/119/meta'];

/**
 * Packs an ancillary archive of `files` (paths relative to `source`) with a manifest signed by
 * `signer`; `manifestData` replaces the manifest's entries (to forge one).
 */
export async function packAncillary(
  source: string,
  files: readonly string[],
  signer: AncillarySigner,
  out: string,
  manifestData?: Map<string, string>,
): Promise<void> {
  const data = manifestData ?? new Map(files.map((file) => [file, sha256Hex(readFileSync(join(source, file)))]));
  writeFileSync(join(source, ANCILLARY_MANIFEST_FILE), encodeAncillaryManifest(signer.sign(data)));
  await tar.c({ gzip: true, file: out, cwd: source, portable: true }, [...files, ANCILLARY_MANIFEST_FILE]);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function buildFixture(): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'mithril-cli-'));
  const nodeImmutable = join(root, 'node', 'immutable');
  const published = join(root, 'published');
  mkdirSync(nodeImmutable, { recursive: true });
  mkdirSync(published, { recursive: true });

  const files: ImmutableFile[] = [];
  for (let number = 0; number <= LAST_NUMBER; number += 1) {
    for (const extension of EXTENSIONS) {
      const size = extension === 'chunk' ? (number === LARGE_NUMBER ? 768 * 1024 : 4096 + number * 100) : 200 + number * 10;
      const bytes = randomBytes(size); // incompressible: archives are about as large as their files
      const name = `${padded(number)}.${extension}`;
      writeFileSync(join(nodeImmutable, name), bytes);
      files.push({ name, number, digest: sha256Hex(bytes) });
    }
  }
  const merkleRoot = cardanoDatabaseMerkleRoot(files.map((file) => file.digest));
  const totalSize = files.reduce((sum, file) => sum + readFileSync(join(nodeImmutable, file.name)).length, 0);

  const { genesisSigner, genesis, certificates, recordings, settings, multiSign, certify } = certifiedChain({
    network: NETWORK,
    partyIds: POOLS,
    schedule,
    stakeAt,
    keyLabel: (pool, epoch) => `cli fixture ${pool} ${epoch}`,
    genesisKeyLabel: 'cli fixture genesis key',
    genesisEpoch: GENESIS_EPOCH,
    genesisTimestamp: 1_700_000_000_123_456_789n,
    lastEpoch: EPOCH,
  });
  const base = 1_700_000_000_000_000_000n + EPOCH * 432_000_000_000_000n;
  const stakeDistributionCertificate = certify(EPOCH, mithrilStakeDistribution(EPOCH), {}, base + 60_000_000_007n);
  const snapshotCertificate = certify(
    EPOCH,
    cardanoDatabase(EPOCH, BigInt(LAST_NUMBER)),
    { cardano_database_merkle_root: merkleRoot },
    base + 120_000_000_009n,
  );

  const signers = recordings.get(EPOCH)!.records;
  const parameters = schedule.at(EPOCH + 1n);
  const stakeDistribution = { epoch: EPOCH, hash: mithrilStakeDistributionHash(EPOCH, signers.map(stakeDistributionSignerPart)), signers, parameters };

  for (let number = 0; number <= LAST_NUMBER; number += 1) {
    await packArchive(
      nodeImmutable,
      EXTENSIONS.map((extension) => `${padded(number)}.${extension}`),
      join(published, `${padded(number)}.tar.gz`),
    );
  }
  await packArchive(
    nodeImmutable,
    files.map((file) => file.name),
    join(published, 'full.tar.gz'),
  );
  const fullBytes = readFileSync(join(published, 'full.tar.gz'));
  const ancillarySource = join(root, 'ancillary-source');
  for (const file of ANCILLARY_FILES) {
    mkdirSync(join(ancillarySource, file, '..'), { recursive: true });
    writeFileSync(join(ancillarySource, file), randomBytes(300));
  }
  const ancillarySigner = AncillarySigner.generate();
  await packAncillary(ancillarySource, ANCILLARY_FILES, ancillarySigner, join(published, 'ancillary.tar.gz'));
  const ancillaryBytes = readFileSync(join(published, 'ancillary.tar.gz'));
  writeFileSync(join(published, 'digests.json'), JSON.stringify(files.map((file) => ({ immutable_file_name: file.name, digest: file.digest }))));

  return {
    root,
    nodeImmutable,
    published,
    files,
    merkleRoot,
    snapshotHash: cardanoDatabaseSnapshotHash(EPOCH, merkleRoot),
    genesisSigner,
    genesisKey: encodeGenesisVerificationKey(genesisSigner.verificationKey()),
    certificates,
    genesis,
    stakeDistributionCertificate,
    snapshotCertificate,
    stakeDistribution,
    fullArchive: { name: 'full.tar.gz', size: fullBytes.length, sha256: sha256Hex(fullBytes), sizeUncompressed: totalSize },
    ancillary: { name: 'ancillary.tar.gz', size: ancillaryBytes.length, sha256: sha256Hex(ancillaryBytes), sizeUncompressed: 5 * 300 },
    ancillarySigner,
    ancillaryKey: encodeAncillaryKey(ancillarySigner.verificationKey()),
    ancillarySource,
    totalSize,
    averageSize: Math.round(totalSize / (LAST_NUMBER + 1)),
    createdAt: base + 130_000_000_000n,
    multiSign,
    settings,
  };
}
