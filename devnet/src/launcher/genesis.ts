/**
 * The devnet's genesis key pair under `<root>/genesis` (genesis.skey, genesis.vkey), made once per
 * root: in devnet mode the aggregator signs its own genesis certificate with the secret key, and
 * clients verify the chain with the verification key.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readGenesisSigner, writeGenesisKeys } from '@mithril-ts/aggregator';
import { GenesisSigner } from '@mithril-ts/protocol';
import { SecretFileError } from '@mithril-ts/service-kit';

export interface DevnetGenesis {
  readonly signer: GenesisSigner;
  readonly secretKeyFile: string;
  readonly verificationKeyFile: string;
}

/**
 * Reads the pair, or makes it when there is none. A new pair is written in a sibling directory
 * renamed into place: another process (the aggregator in another pod, sharing the volume) finds
 * both files or neither, never a half-written key.
 */
export async function ensureGenesisKeys(root: string): Promise<DevnetGenesis> {
  const directory = join(root, 'genesis');
  const files = (base: string) => ({ secretKeyFile: join(base, 'genesis.skey'), verificationKeyFile: join(base, 'genesis.vkey') });
  const { secretKeyFile, verificationKeyFile } = files(directory);
  try {
    return { signer: readGenesisSigner(secretKeyFile), secretKeyFile, verificationKeyFile };
  } catch (error) {
    if (!(error instanceof SecretFileError && error.problem === 'missing')) throw error;
  }
  const signer = GenesisSigner.generate();
  const staging = join(root, `.genesis.${process.pid}.tmp`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const staged = files(staging);
  await writeGenesisKeys(signer, staged.secretKeyFile, staged.verificationKeyFile);
  // A genesis directory without a secret key (left by an interrupted older layout) holds nothing to keep.
  await rm(directory, { recursive: true, force: true });
  await rename(staging, directory);
  return { signer, secretKeyFile, verificationKeyFile };
}
