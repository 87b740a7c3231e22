/**
 * "Verified in your browser": libs/protocol's own chain verifier, run on what an aggregator serves.
 * Nothing here trusts the aggregator: every certificate is fetched as the reference JSON, decoded
 * (point decompression and subgroup checks included) and verified back to the genesis certificate,
 * whose Ed25519 signature is checked under the genesis verification key the user chose. The same
 * function runs in the explorer's worker, in the bench page and in Node (the bench's baseline).
 */
import {
  CertificateChainVerifier,
  MAX_CERTIFICATE_MESSAGE_BYTES,
  certificateFromJson,
  decodeGenesisVerificationKey,
  type Certificate,
} from '@mithril-ts/protocol';
import { configureWasmBls } from '@mithril-ts/stm/wasm';

export interface VerifyRequest {
  /** The aggregator's REST base URL (…/aggregator). */
  readonly aggregator: string;
  readonly hash: string;
  /** The genesis verification key, json-hex (as the reference distributes it) or hex. */
  readonly genesisVerificationKey: string;
}

export interface VerifiedChain {
  readonly ok: true;
  readonly hash: string;
  /** Certificates walked, newest first: hash, epoch, kind. */
  readonly chain: readonly { readonly hash: string; readonly epoch: string; readonly kind: string }[];
  readonly multiSignatures: number;
  readonly checks: readonly string[];
  readonly timings: Timings;
}

export interface FailedVerification {
  readonly ok: false;
  readonly hash: string;
  /** ProtocolError code, or FETCH_FAILED / INVALID_GENESIS_KEY / INTERNAL. */
  readonly code: string;
  readonly message: string;
  readonly timings: Timings;
}

export interface Timings {
  /** Wall time of the whole verification. */
  readonly totalMs: number;
  /** Waiting for the aggregator's answers. */
  readonly fetchMs: number;
  /** certificateFromJson: JSON parsing, point decompression and subgroup checks. */
  readonly decodeMs: number;
  /** Hashes, links, Ed25519 and the batched multi-signature check. */
  readonly verifyMs: number;
}

export type VerificationOutcome = VerifiedChain | FailedVerification;

/** Fetches one text; throws on a non-2xx answer or a body beyond the limit. */
export type FetchText = (url: string, maxBytes: number) => Promise<string>;

const HASH = /^[0-9a-f]{64}$/;

/** fetch() with a status check and a size bound (the body is read as it comes, not trusted to be small). */
export async function fetchText(url: string, maxBytes: number): Promise<string> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new FetchError(`${url} answered HTTP ${response.status}`);
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new FetchError(`${url} answered more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

export class FetchError extends Error {
  override readonly name = 'FetchError';
}

let bls: Promise<string> | undefined;

/**
 * Loads the BLS code once: mcl in WebAssembly for the points (decompression and checks, ~4×
 * noble's speed), the randomized sums, the hashing to G1 and the pairing check (~5×), held to
 * noble's decisions and bytes by libs/stm's differential test; noble where WebAssembly cannot
 * load. Called early (the worker calls it when it starts) so that the module compiles while
 * certificates are fetched. Resolves to the backend's name.
 */
export function prepareBls(choice: 'auto' | 'mcl' | 'noble' = 'auto'): Promise<string> {
  bls ??= configureWasmBls(choice).catch(() => configureWasmBls('noble'));
  return bls;
}

function describeKind(certificate: Certificate): string {
  return certificate.signature.kind === 'genesis' ? 'Genesis' : certificate.signedEntityType.kind;
}

/**
 * Verifies the certificate `hash` and its chain back to genesis. Never throws: a failure is an
 * outcome with the code of the broken rule.
 */
export async function verifyCertificateChain(
  request: VerifyRequest,
  fetcher: FetchText = fetchText,
  now: () => number = () => performance.now(),
): Promise<VerificationOutcome> {
  const started = now();
  let fetchMs = 0;
  let decodeMs = 0;
  const timings = (): Timings => {
    const totalMs = now() - started;
    return { totalMs, fetchMs, decodeMs, verifyMs: Math.max(0, totalMs - fetchMs - decodeMs) };
  };
  const fail = (code: string, message: string): FailedVerification => ({ ok: false, hash: request.hash, code, message, timings: timings() });
  if (!HASH.test(request.hash)) return fail('INVALID_CERTIFICATE', 'a certificate hash is 64 lowercase hex digits');
  let genesisKey: Uint8Array;
  try {
    genesisKey = decodeGenesisVerificationKey(request.genesisVerificationKey.trim());
  } catch (error) {
    return fail('INVALID_GENESIS_KEY', `the genesis verification key is not valid: ${(error as Error).message}`);
  }
  const base = request.aggregator.replace(/\/+$/, '');
  const source = {
    async getCertificate(hash: string): Promise<Certificate | undefined> {
      // A previous hash comes from a certificate not yet verified: never put it in a URL unchecked.
      if (!HASH.test(hash)) return undefined;
      const fetchStart = now();
      const text = await fetcher(`${base}/certificate/${hash}`, MAX_CERTIFICATE_MESSAGE_BYTES);
      const decodeStart = now();
      fetchMs += decodeStart - fetchStart;
      try {
        return certificateFromJson(text);
      } finally {
        decodeMs += now() - decodeStart;
      }
    },
  };
  try {
    await prepareBls();
    const verifier = new CertificateChainVerifier(genesisKey);
    const { verified } = await verifier.verifyChain(request.hash, source);
    const multiSignatures = verified.filter((c) => c.signature.kind === 'multi-signature').length;
    const n = verified.length;
    return {
      ok: true,
      hash: request.hash,
      chain: verified.map((c) => ({ hash: c.hash, epoch: c.epoch.toString(), kind: describeKind(c) })),
      multiSignatures,
      checks: [
        `${n} certificate hash${n === 1 ? '' : 'es'} recomputed from content`,
        'each signed message is the hash of its protocol message',
        `${multiSignatures} STM multi-signature${multiSignatures === 1 ? '' : 's'} (BLS12-381) verified in one batch, points decoded with subgroup checks`,
        'links: previous hashes, epochs, AVK and protocol parameters announced by the previous epoch',
        'genesis certificate: Ed25519 signature under the genesis verification key',
      ],
      timings: timings(),
    };
  } catch (error) {
    const code =
      error instanceof FetchError ? 'FETCH_FAILED' : typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'INTERNAL';
    return fail(code, (error as Error).message);
  }
}

/**
 * One certificate on its own (hash, signed message, multi-signature), from its reference JSON:
 * what bench:browser times, with whichever backend `prepareBls` chose.
 */
export function verifyOneCertificateJson(
  text: string,
  genesisVerificationKey: Uint8Array,
  now: () => number = () => performance.now(),
): { decodeMs: number; verifyMs: number } {
  const start = now();
  const certificate = certificateFromJson(text);
  const decoded = now();
  new CertificateChainVerifier(genesisVerificationKey).verifyCertificateAlone(certificate);
  return { decodeMs: decoded - start, verifyMs: now() - decoded };
}
