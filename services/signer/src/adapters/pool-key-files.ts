/**
 * The pool's key files in one directory, as cardano-cli (and the devnet) write them:
 *   kes.skey     text envelope of the Sum6 KES secret key
 *   opcert.cert  text envelope of the operational certificate (node.cert)
 * The cold keys are not needed (and should not be on a signer's machine). The files are read at
 * each registration, so replacing them (a KES key rotation) takes effect without a restart.
 * kes.skey is a secret: it is read only if its owner alone may access it (the kit's
 * readSecretFile), unless `allowInsecurePermissions`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KesSigningKey, operationalCertificateFromTextEnvelope } from '@mithril-ts/cardano';
import { SecretFileError, readSecretFile } from '@mithril-ts/service-kit';
import { PoolKeysError } from '../errors.js';
import type { PoolKeySource, PoolKeys } from '../ports.js';

export const KES_SIGNING_KEY_FILE = 'kes.skey';
export const OPERATIONAL_CERTIFICATE_FILE = 'opcert.cert';
/** Both files are a few kilobytes; anything much larger is not one of them. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

async function readKeyFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new PoolKeysError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (bytes.length > MAX_KEY_FILE_BYTES) throw new PoolKeysError(`${path} is ${bytes.length} bytes, not a key file (limit ${MAX_KEY_FILE_BYTES})`);
  return bytes.toString('utf8');
}

export interface PoolKeyFilesOptions {
  /** Accept a kes.skey that group or others may read (the setting allowInsecureKeyPermissions). */
  readonly allowInsecurePermissions?: boolean;
}

export class PoolKeyFiles implements PoolKeySource {
  constructor(
    private readonly directory: string,
    private readonly options: PoolKeyFilesOptions = {},
  ) {}

  /**
   * Refuses (PoolKeysError) a kes.skey that group or others may access, for the daemon's start:
   * that is the operator's to fix before anything runs. A missing or otherwise unusable key is
   * left to `read`, whose failures the runtime waits out and reports, as during a rotation.
   */
  async refuseInsecureKesKey(): Promise<void> {
    try {
      (await this.readKesKey()).fill(0);
    } catch (error) {
      if (error instanceof PoolKeysError && error.cause instanceof SecretFileError && error.cause.problem === 'insecure-permissions') throw error;
    }
  }

  async read(): Promise<PoolKeys> {
    const kesPath = join(this.directory, KES_SIGNING_KEY_FILE);
    const opcertPath = join(this.directory, OPERATIONAL_CERTIFICATE_FILE);
    const [kesBytes, opcertText] = await Promise.all([this.readKesKey(), readKeyFile(opcertPath)]);
    const kesText = kesBytes.toString('utf8');
    kesBytes.fill(0);
    let opcert;
    try {
      opcert = operationalCertificateFromTextEnvelope(opcertText);
    } catch (error) {
      throw new PoolKeysError(`${opcertPath}: ${(error as Error).message}`, { cause: error });
    }
    try {
      return { kesKey: KesSigningKey.fromTextEnvelope(kesText), opcert };
    } catch (error) {
      throw new PoolKeysError(`${kesPath}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async readKesKey(): Promise<Buffer> {
    try {
      return await readSecretFile(join(this.directory, KES_SIGNING_KEY_FILE), {
        maxBytes: MAX_KEY_FILE_BYTES,
        allowInsecurePermissions: this.options.allowInsecurePermissions === true,
      });
    } catch (error) {
      // SecretFileError's message names the file, and for permissions the fixes.
      throw new PoolKeysError((error as Error).message, { cause: error });
    }
  }
}
