/**
 * The signers' own work, run in a worker thread (see worker-pool.ts): each task takes a chunk of
 * pools and returns one result per pool, in order.
 *   derive-pools           cold key, Sum6 KES key and opcert of each pool, written to the cache
 *   prepare-registrations  a fresh Mithril key, certified with the pool's KES key file evolved
 *                          to the chain's evolution (what services/signer does at registration)
 *   sign                   the lottery over all m indexes and the single signature
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { certifyMithrilKey, poolIdFromColdVerificationKey } from '@mithril-ts/cardano';
import type { ProtocolParameters } from '@mithril-ts/protocol';
import { PoolKeyFiles } from '@mithril-ts/signer';
import { Initializer, Signer, SigningKey, singleSignatureToBytes, type AggregateVerificationKey } from '@mithril-ts/stm';
import { devnetParameters, devnetPool, poolFiles, writeFileAtomic } from '../src/index.js';

/** Files a signer needs (its cold keys stay with the operator), and the pool id, written last: its presence says the pool is complete. */
export const CACHED_POOL_FILES = ['kes.skey', 'opcert.cert', 'pool-id.txt'] as const;

export interface DerivePoolsTask {
  readonly kind: 'derive-pools';
  readonly seed: string;
  readonly directory: string;
  readonly indexes: readonly number[];
}

export interface PrepareRegistrationsTask {
  readonly kind: 'prepare-registrations';
  readonly epoch: bigint;
  readonly slot: bigint;
  readonly slotsPerKesPeriod: bigint;
  readonly parameters: ProtocolParameters;
  readonly pools: readonly { readonly keysDirectory: string; readonly stake: bigint }[];
}

export interface PreparedRegistration {
  readonly epoch: bigint;
  readonly partyId: string;
  readonly stake: bigint;
  readonly verificationKey: Uint8Array;
  readonly verificationKeySignature: Uint8Array;
  readonly operationalCertificate: Uint8Array;
  readonly kesEvolutions: number;
  /** Kept by the signer for the epoch it signs in. */
  readonly signingKey: Uint8Array;
}

export interface SignTask {
  readonly kind: 'sign';
  readonly parameters: ProtocolParameters;
  readonly avk: AggregateVerificationKey;
  readonly message: Uint8Array;
  readonly signers: readonly { readonly signerIndex: number; readonly stake: bigint; readonly signingKey: Uint8Array }[];
}

export interface SignOutcome {
  /** libs/stm singleSignatureToBytes; null when the signer won no lottery. */
  readonly signature: Uint8Array | null;
  readonly wonIndexes: readonly number[];
  readonly milliseconds: number;
}

export type BenchTask = DerivePoolsTask | PrepareRegistrationsTask | SignTask;
export type BenchTaskResult<T extends BenchTask> = T extends DerivePoolsTask
  ? readonly string[]
  : T extends PrepareRegistrationsTask
    ? readonly PreparedRegistration[]
    : T extends SignTask
      ? readonly SignOutcome[]
      : never;

async function derivePools(task: DerivePoolsTask): Promise<string[]> {
  const params = devnetParameters({ seed: task.seed, pools: Math.max(...task.indexes) });
  const ids: string[] = [];
  for (const index of task.indexes) {
    const pool = devnetPool(params, index);
    try {
      const files = poolFiles(pool);
      const directory = join(task.directory, `pool-${index}`);
      await mkdir(directory, { recursive: true });
      await writeFileAtomic(join(directory, 'kes.skey'), files['kes.skey'], 0o600);
      await writeFileAtomic(join(directory, 'opcert.cert'), files['opcert.cert']);
      await writeFileAtomic(join(directory, 'pool-id.txt'), files['pool-id.txt']);
      ids.push(pool.poolId.hex);
    } finally {
      pool.kes.destroy();
    }
  }
  return ids;
}

async function prepareRegistrations(task: PrepareRegistrationsTask): Promise<PreparedRegistration[]> {
  const prepared: PreparedRegistration[] = [];
  for (const pool of task.pools) {
    const keys = await new PoolKeyFiles(pool.keysDirectory).read();
    try {
      const initializer = Initializer.generate(task.parameters, pool.stake, randomBytes(32));
      const verificationKey = initializer.verificationKeyPoP.toBytes();
      const certification = certifyMithrilKey({
        kesKey: keys.kesKey,
        opcert: keys.opcert,
        mithrilKey: verificationKey,
        slot: task.slot,
        slotsPerKesPeriod: task.slotsPerKesPeriod,
      });
      prepared.push({
        epoch: task.epoch,
        partyId: poolIdFromColdVerificationKey(keys.opcert.coldVerificationKey).bech32,
        stake: pool.stake,
        verificationKey,
        ...certification,
        signingKey: initializer.signingKey.toBytes(),
      });
    } finally {
      keys.kesKey.destroy();
    }
  }
  return prepared;
}

function sign(task: SignTask): SignOutcome[] {
  return task.signers.map(({ signerIndex, stake, signingKey }) => {
    const start = performance.now();
    const signature = new Signer(signerIndex, task.parameters, stake, SigningKey.fromBytes(signingKey), task.avk).sign(task.message);
    return {
      signature: signature === null ? null : singleSignatureToBytes(signature),
      wonIndexes: signature?.indexes ?? [],
      milliseconds: performance.now() - start,
    };
  });
}

async function perform(task: BenchTask): Promise<unknown> {
  switch (task.kind) {
    case 'derive-pools':
      return derivePools(task);
    case 'prepare-registrations':
      return prepareRegistrations(task);
    case 'sign':
      return sign(task);
  }
}

parentPort?.on('message', (task: BenchTask) => {
  perform(task).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (error: unknown) => parentPort!.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
