/** Small generated immutable databases in temporary directories, and what their digests must be. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cardanoDatabaseMerkleRoot } from '@mithril-ts/cardano';
import { ProtocolParametersSchedule, cardanoDatabase, mithrilStakeDistribution, type Certificate } from '@mithril-ts/protocol';
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { AggregatorServiceService, ErrorCode, certificateToProto, createServiceError, type GetCertificateRequest } from '@mithril-ts/proto';
import { createLogger, hostedService, serverTls, startGrpcServer, type RunningServer } from '@mithril-ts/service-kit';
import { certifiedChain } from '@mithril-ts/testkit';
import type { CertificateLookup, SnapshotRecord } from '../src/index.js';

export const EXTENSIONS = ['chunk', 'primary', 'secondary'] as const;
export const fileName = (n: number, extension: string): string => `${String(n).padStart(5, '0')}.${extension}`;
export const sha256 = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
export const silentLogger = createLogger('snapshotter-test', 'fatal');

/** Bytes of a file: distinct per name and of varied sizes (some compress well, some do not). */
export function contentOf(name: string): Buffer {
  const seed = createHash('sha256').update(name).digest();
  const random = Buffer.alloc(300 + (seed[0] as number) * 4);
  for (let i = 0; i < random.length; i += 32) createHash('sha256').update(seed).update(String(i)).digest().copy(random, i);
  return Buffer.concat([Buffer.from(`bytes of ${name}\n`.repeat(20)), random]);
}

const created: string[] = [];

export function tempDir(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), `snapshotter-${prefix}-`));
  created.push(directory);
  return directory;
}

export function removeTempDirs(): void {
  for (const directory of created.splice(0)) rmSync(directory, { recursive: true, force: true });
}

export function writeTrio(directory: string, n: number): void {
  mkdirSync(directory, { recursive: true });
  for (const extension of EXTENSIONS) writeFileSync(join(directory, fileName(n, extension)), contentOf(fileName(n, extension)));
}

/** An immutable directory with trios 0..openChunk (the last one is the chunk still being written). */
export function immutableDb(openChunk: number): string {
  const directory = join(tempDir('db'), 'immutable');
  for (let n = 0; n <= openChunk; n += 1) writeTrio(directory, n);
  return directory;
}

export function expectedFiles(upTo: number): { immutableFileName: string; digest: string }[] {
  const files: { immutableFileName: string; digest: string }[] = [];
  for (let n = 0; n <= upTo; n += 1)
    for (const extension of EXTENSIONS) files.push({ immutableFileName: fileName(n, extension), digest: sha256(contentOf(fileName(n, extension))) });
  return files;
}

export function expectedRoot(upTo: number): string {
  return cardanoDatabaseMerkleRoot(expectedFiles(upTo).map((file) => file.digest));
}

export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: unknown; metadata?: unknown }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error('expected a rejection');
  return error as Error & { code?: unknown };
}

/** A snapshot record of made-up values (the root encodes the immutable file number). */
export function snapshotRecord(immutableFileNumber: bigint, overrides: Partial<SnapshotRecord> = {}): SnapshotRecord {
  const root = immutableFileNumber.toString(16).padStart(64, '0');
  return {
    merkleRoot: root,
    hash: 'ab'.repeat(32),
    network: 'devnet',
    epoch: 7n,
    immutableFileNumber,
    certificateHash: 'cd'.repeat(32),
    compression: 'gzip',
    cardanoNodeVersion: '10.1.4',
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    totalDbSizeUncompressed: 123_456_789_012n,
    immutablesAverageSizeUncompressed: 1_000n,
    digestsKey: `digests/devnet-e7-i${immutableFileNumber}.digests.json`,
    digestsSize: 99n,
    fullArchiveKey: `full/devnet-e7-i${immutableFileNumber}.${root}.tar.gz`,
    fullArchiveSize: 55n,
    fullArchiveSha256: 'ef'.repeat(32),
    fullArchiveSizeUncompressed: 123_456_789_012n,
    ...overrides,
  };
}

/**
 * Real certificates of Cardano database Merkle roots (the testkit's chain: STM keys, genesis
 * signature, multi-signatures), sealed on demand, and the lookup the snapshotter asks them from.
 */
export class CertifiedRoots {
  readonly #chain = certifiedChain({
    network: 'devnet',
    partyIds: ['pool-a', 'pool-b', 'pool-c'],
    schedule: new ProtocolParametersSchedule([{ fromEpoch: 0n, parameters: { k: 3n, m: 20n, phiF: 0.65 } }]),
    stakeAt: (_epoch, pool) => BigInt(2_000_000 + pool * 700_000),
    keyLabel: (pool, recorded) => `snapshotter test signer ${pool} ${recorded}`,
    genesisKeyLabel: 'snapshotter test genesis key',
    genesisEpoch: 2n,
    genesisTimestamp: 1_700_000_000_000_000_000n,
    lastEpoch: 6n,
  });
  readonly #epochsStarted = new Set<bigint>();
  readonly #byHash = new Map<string, Certificate>();
  #sealedAt = 1_700_001_000_000_000_000n;

  /** Looks certificates up as the aggregator would answer them. */
  readonly lookup: CertificateLookup = { certificate: async (hash) => this.#byHash.get(hash) };

  /** The certificate of `merkleRoot` as the Cardano database at `epoch`/`immutableFileNumber` (epochs 3 to 6). */
  certify(epoch: bigint, immutableFileNumber: bigint, merkleRoot: string): Certificate {
    // Each epoch's first certificate links to the previous epoch's: the epochs are entered in order.
    for (let entered = 3n; entered <= epoch; entered += 1n) {
      if (this.#epochsStarted.has(entered)) continue;
      this.#chain.certify(entered, mithrilStakeDistribution(entered), {}, (this.#sealedAt += 1_000_000_000n));
      this.#epochsStarted.add(entered);
    }
    const certificate = this.#chain.certify(
      epoch,
      cardanoDatabase(epoch, immutableFileNumber),
      { cardano_database_merkle_root: merkleRoot },
      (this.#sealedAt += 1_000_000_000n),
    );
    this.#byHash.set(certificate.hash, certificate);
    return certificate;
  }

  /** Every certificate sealed so far, the genesis one included. */
  get certificates(): readonly Certificate[] {
    return this.#chain.certificates;
  }
}

/** An AggregatorService answering GetCertificate from the certificates sealed by `roots`, as the aggregator does (NOT_FOUND for others). */
export async function startAggregatorDouble(roots: CertifiedRoots): Promise<RunningServer> {
  const implementation: UntypedServiceImplementation = {
    getCertificate: (call: ServerUnaryCall<GetCertificateRequest, unknown>, callback: sendUnaryData<unknown>) => {
      const certificate = roots.certificates.find((candidate) => candidate.hash === call.request.hash);
      if (certificate === undefined)
        callback(createServiceError({ code: ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND, message: `no certificate ${call.request.hash}` }));
      else callback(null, { certificate: certificateToProto(certificate), certificateJson: '' });
    },
  };
  return startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    tls: serverTls({ insecure: true }, 'none'),
    services: [hostedService({ definition: AggregatorServiceService, implementation, nodeVersion: '0.1.0' })],
  });
}
