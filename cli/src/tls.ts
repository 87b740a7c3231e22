/**
 * TLS to the aggregator with a CA of the user's choosing (`--ca-file`): the PEM file is read
 * (bounded) and checked to hold certificates, and a failed certificate check is explained in
 * words: which part of the server's certificate did not match.
 */
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { CliError } from './errors.js';

/** A CA bundle is a few certificates (the system's whole store is ~200 kB). */
const MAX_CA_FILE_BYTES = 1024 * 1024;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM text of `path`, refused (usage error) unless it holds at least one parsable certificate. */
export async function readCaFile(path: string): Promise<string> {
  let text: string;
  try {
    if ((await stat(path)).size > MAX_CA_FILE_BYTES) throw new Error(`larger than ${MAX_CA_FILE_BYTES} bytes: not a CA bundle`);
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CliError('usage', `cannot read the CA file ${path}: ${(cause as Error).message}`, { reason: 'INVALID_CA_FILE', cause });
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0)
    throw new CliError('usage', `the CA file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, { reason: 'INVALID_CA_FILE' });
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (cause) {
      throw new CliError('usage', `the CA file ${path}: certificate ${i + 1} does not parse: ${(cause as Error).message}`, {
        reason: 'INVALID_CA_FILE',
        cause,
      });
    }
  }
  return text;
}

/**
 * What did not match, by OpenSSL's verification codes (node puts them in `code` of the error or of
 * its cause) or, where only the text is left (gRPC reports the last connection error as text), by
 * OpenSSL's messages for those codes.
 */
const CERTIFICATE_PROBLEMS: readonly { readonly codes: readonly string[]; readonly text: RegExp; readonly problem: string }[] = [
  {
    codes: [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
    ],
    text: /unable to verify the first certificate|unable to get (local )?issuer certificate|self[- ]signed certificate/i,
    problem: 'it is not signed by a trusted CA (unknown CA: give the CA that issued it with --ca-file)',
  },
  { codes: ['CERT_HAS_EXPIRED'], text: /certificate has expired/i, problem: 'it has expired' },
  { codes: ['CERT_NOT_YET_VALID'], text: /certificate is not yet valid/i, problem: 'it is not valid yet' },
  {
    codes: ['ERR_TLS_CERT_ALTNAME_INVALID'],
    text: /does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID/i,
    problem: 'it is not issued for this host name (name mismatch)',
  },
  { codes: ['CERT_REVOKED'], text: /certificate revoked/i, problem: 'it has been revoked' },
  {
    codes: ['CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED'],
    text: /certificate signature failure|certificate not trusted/i,
    problem: 'it is not trusted',
  },
];

/** Why the server's certificate was refused, when `error` (or a cause) is a certificate check failure. */
export function certificateProblem(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    for (const entry of CERTIFICATE_PROBLEMS) {
      if (typeof code === 'string' && entry.codes.includes(code)) return entry.problem;
      if (typeof message === 'string' && entry.text.test(message)) return entry.problem;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The network error of a refused server certificate, or undefined when `error` is something else. */
export function certificateError(endpoint: string, error: unknown): CliError | undefined {
  const problem = certificateProblem(error);
  if (problem === undefined) return undefined;
  return new CliError('network', `the TLS certificate of ${endpoint} was refused: ${problem}`, { reason: 'TLS_CERTIFICATE', cause: error });
}
