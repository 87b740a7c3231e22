/**
 * What a failed connection says about TLS. grpc-js answers a call whose connection could not be
 * made with UNAVAILABLE and the last connection error in its details ("No connection established.
 * Last error: …"); this names the mismatch in the words of the settings, so an operator reading the
 * log knows which file or name to fix, and keeps the original text after it.
 */
import { status } from '@grpc/grpc-js';

const CAUSES: readonly (readonly [RegExp, string])[] = [
  [/does not match the pinned serverCertificateFingerprint/, 'the server certificate is not the pinned one (serverCertificateFingerprint)'],
  [/certificate has expired/, 'the server certificate has expired'],
  [/certificate is not yet valid/, 'the server certificate is not yet valid'],
  [
    /self[- ]signed certificate|unable to get local issuer certificate|unable to verify the first certificate|unable to get issuer certificate/,
    'the server certificate is not issued by a trusted CA (tlsCaFile, or the system store without it)',
  ],
  [
    /does not match certificate's altnames|Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID/,
    'the server certificate does not name the address dialled (its DNS/IP subject alternative names)',
  ],
  [/alert certificate required/, 'the server requires a client certificate (tlsCertFile/tlsKeyFile)'],
  [
    /alert unknown ca|alert bad certificate|alert certificate expired|alert certificate unknown/,
    'the server refused our client certificate (not issued by its CA, or expired)',
  ],
  [/wrong version number|packet length too long|unexpected eof while reading/i, 'TLS mismatch: one side speaks plaintext (check insecure on both sides)'],
];

/** The TLS cause of an UNAVAILABLE call, with grpc-js's text; undefined when `error` is not a recognisable TLS failure. */
export function describeConnectionFailure(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, details, message } = error as { code?: unknown; details?: unknown; message?: unknown };
  if (code !== status.UNAVAILABLE) return undefined;
  const text = typeof details === 'string' ? details : typeof message === 'string' ? message : '';
  const cause = CAUSES.find(([pattern]) => pattern.test(text));
  return cause === undefined ? undefined : `TLS: ${cause[1]} (${text.replace(/\s+/g, ' ').trim()})`;
}
