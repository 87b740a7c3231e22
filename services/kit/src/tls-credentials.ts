/**
 * gRPC credentials from the TLS settings (tls-settings.ts). Certificates are read from their files
 * by grpc-js's FileWatcherCertificateProvider and re-read every `refreshIntervalMs`, so replacing
 * the files rotates a certificate without a restart: the server takes the new one for the next
 * handshakes, a client for its next connections. Replace each file atomically (write beside it,
 * then rename): a half-written certificate is refused by grpc-js, which keeps refusing handshakes
 * until the next read finds a whole one.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkServerIdentity, createSecureContext, type PeerCertificate } from 'node:tls';
import { credentials, experimental, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { ConfigError } from './config.js';
import { readSecretFileSync } from './secret-file.js';
import type { TlsSettings } from './tls-settings.js';

/** How often certificate files are re-read (a rotated certificate is in use at most this long after). */
export const DEFAULT_CERTIFICATE_REFRESH_MS = 60_000;

/**
 * What a server asks of its callers' certificates:
 * - `require`: an internal service; the TLS handshake fails without a client certificate that
 *   verifies against `tlsCaFile` (callers are then also authorized by name, tls-authorization.ts);
 * - `request`: public and internal RPCs on one port (the aggregator); a client certificate is asked
 *   for and verified when given, and each internal RPC checks it (tls-authorization.ts);
 * - `none`: a public service (the signer gateway); no client certificate is asked for.
 */
export type ClientCertificateMode = 'none' | 'request' | 'require';

export interface ServerTls {
  readonly credentials: ServerCredentials;
  readonly secure: boolean;
  /** Resolves once the certificate files are loaded: a secure grpc-js server drops connections before that. */
  loaded(): Promise<void>;
}

function readSetting(settings: TlsSettings, key: 'tlsCertFile' | 'tlsKeyFile' | 'tlsCaFile'): Buffer {
  const file = settings[key];
  if (file === undefined) throw new ConfigError(`${key}: required unless insecure is true`);
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(`${key}: cannot read ${file}: ${(error as Error).message}`);
  }
}

function readTlsKey(settings: TlsSettings): Buffer {
  if (settings.tlsKeyFile === undefined) throw new ConfigError('tlsKeyFile: required unless insecure is true');
  return readSecretFileSync(settings.tlsKeyFile, { allowInsecurePermissions: settings.allowInsecureKeyPermissions === true });
}

/** Fails at start, naming the setting, rather than at the first handshake; answers the files' bytes as read and checked. */
function checkFiles(settings: TlsSettings, withIdentity: boolean, withCa: boolean): { readonly cert?: Buffer | undefined; readonly key?: Buffer | undefined } {
  const cert = withIdentity ? readSetting(settings, 'tlsCertFile') : undefined;
  // The private key is a secret: refused when group or others may read it (secret-file.ts), unless
  // allowInsecureKeyPermissions. Checked at start only: grpc-js re-reads a rotated key itself, so a
  // rotation must keep the file's mode (write the new key 0600 beside it, then rename).
  const key = withIdentity ? readTlsKey(settings) : undefined;
  const ca = withCa ? readSetting(settings, 'tlsCaFile') : undefined;
  if (ca !== undefined) {
    try {
      new X509Certificate(ca);
    } catch (error) {
      throw new ConfigError(`tlsCaFile: ${settings.tlsCaFile} holds no PEM certificate: ${(error as Error).message}`);
    }
  }
  try {
    createSecureContext({ cert, key, ca });
  } catch (error) {
    throw new ConfigError(
      `tlsCertFile/tlsKeyFile: ${settings.tlsCertFile} and ${settings.tlsKeyFile} are not a usable certificate and key: ${(error as Error).message}`,
    );
  }
  return { cert, key };
}

/** Server credentials for `settings` (plaintext when `insecure`). */
export function serverTls(settings: TlsSettings, mode: ClientCertificateMode, options: { readonly refreshIntervalMs?: number } = {}): ServerTls {
  if (settings.insecure) return { credentials: ServerCredentials.createInsecure(), secure: false, loaded: async () => {} };
  const withCa = mode !== 'none';
  checkFiles(settings, true, withCa);
  const provider = new experimental.FileWatcherCertificateProvider({
    certificateFile: settings.tlsCertFile!,
    privateKeyFile: settings.tlsKeyFile!,
    ...(withCa ? { caCertificateFile: settings.tlsCaFile! } : {}),
    refreshIntervalMs: options.refreshIntervalMs ?? DEFAULT_CERTIFICATE_REFRESH_MS,
  });
  // One provider reads the three files and serves as both identity and CA provider (grpc-js's
  // declaration and implementation disagree on which parameter is which: with one provider it does not matter).
  const serverCredentials = experimental.createCertificateProviderServerCredentials(provider, withCa ? provider : null, mode === 'require');
  return {
    credentials: serverCredentials,
    secure: true,
    loaded: () =>
      new Promise<void>((resolve, reject) => {
        const listener = (update: experimental.IdentityCertificateUpdate | null) => {
          provider.removeIdentityCertificateListener(listener);
          if (update === null) reject(new Error(`cannot read ${settings.tlsCertFile} or ${settings.tlsKeyFile}`));
          else resolve();
        };
        provider.addIdentityCertificateListener(listener);
      }),
  };
}

/** The TLS settings of a client: the service's own (its certificate is its client certificate), and optionally a pinned server certificate. */
export interface ClientTlsSettings extends TlsSettings {
  /** SHA-256 of the server certificate (DER), hex, colons allowed: checked on top of the chain and name checks. */
  readonly serverCertificateFingerprint?: string | undefined;
}

/** Normalises a SHA-256 fingerprint ("AB:CD:…" or "abcd…") to lower-case hex without colons. */
export function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toLowerCase();
}

/**
 * Channel credentials for `settings`: plaintext when `insecure`; else TLS verifying the server's
 * chain against `tlsCaFile` (or the system CA store without it) and its name against the address
 * dialled, presenting `tlsCertFile`/`tlsKeyFile` as client certificate when set.
 */
export function channelCredentials(settings: ClientTlsSettings, options: { readonly refreshIntervalMs?: number } = {}): ChannelCredentials {
  if (settings.insecure) return credentials.createInsecure();
  const withIdentity = settings.tlsCertFile !== undefined && settings.tlsKeyFile !== undefined;
  const withCa = settings.tlsCaFile !== undefined;
  const checked = checkFiles(settings, withIdentity, withCa);
  const pinned = settings.serverCertificateFingerprint === undefined ? undefined : normaliseFingerprint(settings.serverCertificateFingerprint);
  const verifyOptions =
    pinned === undefined
      ? {}
      : {
          checkServerIdentity: (host: string, certificate: PeerCertificate) => {
            const nameError = checkServerIdentity(host, certificate);
            if (nameError !== undefined) return nameError;
            const actual = createHash('sha256').update(certificate.raw).digest('hex');
            return actual === pinned
              ? undefined
              : new Error(`server certificate fingerprint ${actual} does not match the pinned serverCertificateFingerprint ${pinned}`);
          },
        };
  if (!withCa) {
    // No CA file to watch: the certificate and key are the ones just checked (fixed for this channel's life).
    return credentials.createSsl(null, checked.key ?? null, checked.cert ?? null, verifyOptions);
  }
  const provider = new experimental.FileWatcherCertificateProvider({
    caCertificateFile: settings.tlsCaFile!,
    ...(withIdentity ? { certificateFile: settings.tlsCertFile!, privateKeyFile: settings.tlsKeyFile! } : {}),
    refreshIntervalMs: options.refreshIntervalMs ?? DEFAULT_CERTIFICATE_REFRESH_MS,
  });
  return experimental.createCertificateProviderChannelCredentials(provider, withIdentity ? provider : null, verifyOptions);
}
