/**
 * The devnet's ancillary key pair under `<root>/ancillary` (ancillary.skey, ancillary.vkey), made
 * once per root: the snapshotter signs the manifest of every ancillary archive (ledger state +
 * last trio) with the secret key, and clients verify it with the verification key
 * (`mithril-client snapshot download --include-ancillary --ancillary-verification-key-file
 * .devnet/ancillary/ancillary.vkey`). The same text form as the genesis keys: json-hex of the bytes.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AncillarySigner, decodeAncillaryKey, encodeAncillaryKey } from '@mithril-ts/protocol';

export interface DevnetAncillaryKeys {
  readonly verificationKey: Uint8Array;
  readonly secretKeyFile: string;
  readonly verificationKeyFile: string;
}

/** Reads the pair, or makes it (in a sibling directory renamed into place) when there is none. */
export async function ensureAncillaryKeys(root: string): Promise<DevnetAncillaryKeys> {
  const directory = join(root, 'ancillary');
  const files = (base: string) => ({ secretKeyFile: join(base, 'ancillary.skey'), verificationKeyFile: join(base, 'ancillary.vkey') });
  const { secretKeyFile, verificationKeyFile } = files(directory);
  try {
    const signer = AncillarySigner.fromSecretKey(decodeAncillaryKey(await readFile(secretKeyFile, 'utf8'), 'secret'));
    return { verificationKey: signer.verificationKey(), secretKeyFile, verificationKeyFile };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const signer = AncillarySigner.generate();
  const staging = join(root, `.ancillary.${process.pid}.tmp`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const staged = files(staging);
  await writeFile(staged.secretKeyFile, `${encodeAncillaryKey(signer.secretKeyBytes())}\n`, { mode: 0o600 });
  await writeFile(staged.verificationKeyFile, `${encodeAncillaryKey(signer.verificationKey())}\n`, { mode: 0o644 });
  await rm(directory, { recursive: true, force: true });
  await rename(staging, directory);
  return { verificationKey: signer.verificationKey(), secretKeyFile, verificationKeyFile };
}
