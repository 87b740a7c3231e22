/**
 * The genesis ceremony's files. The payload (what the genesis key signs, with everything needed to
 * rebuild it) is exported by an aggregator, signed offline by whoever holds the genesis secret
 * key, and imported back with the signature; every step recomputes the signed message from the
 * payload's content instead of trusting the text it carries. Their text forms are libs/protocol's
 * (genesis-codec.ts); this module reads and writes the files, and names the file in its errors.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import {
  GenesisSigner,
  decodeGenesisSecretKey,
  decodeGenesisVerificationKey,
  encodeGenesisSecretKey,
  encodeGenesisVerificationKey,
  genesisPayloadFromJson,
  genesisPayloadToJson,
  type GenesisPayload,
} from '@mithril-ts/protocol';
import { readSecretFileSync, type ReadSecretFileOptions } from '@mithril-ts/service-kit';
import { AggregatorError } from './runtime/errors.js';

/**
 * The genesis signer of a secret key file (read synchronously: a small file, read once at start-up
 * or by the CLI). The file must be readable by its owner only unless `allowInsecurePermissions`
 * (a SecretFileError otherwise).
 */
export function readGenesisSigner(path: string, options: ReadSecretFileOptions = {}): GenesisSigner {
  const bytes = readSecretFileSync(path, options);
  const text = bytes.toString('utf8');
  bytes.fill(0);
  return GenesisSigner.fromSecretKey(decoded(path, () => decodeGenesisSecretKey(text.trim())));
}

export async function readGenesisVerificationKey(path: string): Promise<Uint8Array> {
  const text = await readFile(path, 'utf8');
  return decoded(path, () => decodeGenesisVerificationKey(text.trim()));
}

export async function readGenesisPayload(path: string): Promise<GenesisPayload> {
  const text = await readFile(path, 'utf8');
  return decoded(path, () => genesisPayloadFromJson(text));
}

export async function writeGenesisPayload(path: string, payload: GenesisPayload): Promise<void> {
  await writeFile(path, genesisPayloadToJson(payload));
}

/**
 * Writes `signer`'s key pair as the reference distributes it (json-hex files); the secret key file
 * is readable by its owner only. Refuses to overwrite either file unless told to.
 */
export async function writeGenesisKeys(
  signer: GenesisSigner,
  secretKeyPath: string,
  verificationKeyPath: string,
  options: { readonly overwrite?: boolean } = {},
): Promise<void> {
  const flag = options.overwrite === true ? 'w' : 'wx';
  await writeFile(secretKeyPath, `${encodeGenesisSecretKey(signer.secretKeyBytes())}\n`, { mode: 0o600, flag });
  // `mode` only applies when writeFile creates the file: an overwritten key file keeps its old mode.
  await chmod(secretKeyPath, 0o600);
  await writeFile(verificationKeyPath, `${encodeGenesisVerificationKey(signer.verificationKey())}\n`, { flag });
}

function decoded<T>(path: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    throw new AggregatorError('GENESIS', `${path}: ${(cause as Error).message}`, { cause });
  }
}
