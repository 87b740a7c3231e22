/**
 * The reference's JSON shapes of a signer's KES material, as its REST API carries them (json-hex
 * of serde_json output, byte arrays as arrays of numbers), to and from our bytes:
 *
 * - Sum6 KES signature (kes-summed-ed25519 `Sum6KesSig`): nested `{"sigma", "lhs_pk", "rhs_pk"}`,
 *   outermost level first, the innermost `sigma` being the 64-byte Ed25519 signature. Our bytes
 *   (the crate's `to_bytes`) are the same values innermost first: sigma ‖ lhs₁ ‖ rhs₁ ‖ … ‖ lhs₆ ‖ rhs₆.
 * - Operational certificate (Mithril `OpCert`): `[[kes_vk, issue_number, start_kes_period, sigma], cold_vk]`,
 *   the node.cert CBOR's structure with byte strings as number arrays.
 *
 * Decoders are strict (exact keys, depth and lengths): these come from untrusted requests.
 */
import { bytesFromJsonArray, bytesToJsonArray } from '@mithril-ts/codec';
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES } from './ed25519.js';
import { CardanoError, describe, fromCodecError, requireBytes } from './errors.js';
import { KES_DEPTH, KES_SIGNATURE_BYTES, KES_VERIFICATION_KEY_BYTES } from './kes.js';
import { operationalCertificateFromCbor, operationalCertificateToCbor, type OperationalCertificate } from './opcert.js';

/** One level of a sum-composition KES signature; the innermost `sigma` is the Ed25519 signature. */
export interface KesSignatureJson {
  readonly sigma: KesSignatureJson | number[];
  readonly lhs_pk: number[];
  readonly rhs_pk: number[];
}

export type OperationalCertificateJson = [[number[], bigint, bigint, number[]], number[]];

const LEVEL_BYTES = 2 * KES_VERIFICATION_KEY_BYTES;

export function kesSignatureToJson(signature: Uint8Array): KesSignatureJson {
  requireBytes(signature, KES_SIGNATURE_BYTES, 'KES signature', 'INVALID_SIGNATURE');
  let sigma: KesSignatureJson | number[] = bytesToJsonArray(signature.subarray(0, ED25519_SIGNATURE_BYTES));
  for (let depth = 1; depth <= KES_DEPTH; depth += 1) {
    const offset = ED25519_SIGNATURE_BYTES + LEVEL_BYTES * (depth - 1);
    sigma = {
      sigma,
      lhs_pk: bytesToJsonArray(signature.subarray(offset, offset + KES_VERIFICATION_KEY_BYTES)),
      rhs_pk: bytesToJsonArray(signature.subarray(offset + KES_VERIFICATION_KEY_BYTES, offset + LEVEL_BYTES)),
    };
  }
  return sigma as KesSignatureJson;
}

export function kesSignatureFromJson(value: unknown): Uint8Array {
  const out = new Uint8Array(KES_SIGNATURE_BYTES);
  let level: unknown = value;
  for (let depth = KES_DEPTH; depth >= 1; depth -= 1) {
    const where = `KES signature level ${depth}`;
    if (typeof level !== 'object' || level === null || Array.isArray(level)) {
      throw new CardanoError('INVALID_SIGNATURE', `${where} must be an object {sigma, lhs_pk, rhs_pk}, got ${describe(level)}`);
    }
    const fields = level as Record<string, unknown>;
    const keys = Object.keys(fields).sort().join(',');
    if (keys !== 'lhs_pk,rhs_pk,sigma')
      throw new CardanoError('INVALID_SIGNATURE', `${where} must have exactly the fields sigma, lhs_pk, rhs_pk, got ${keys || 'none'}`);
    const offset = ED25519_SIGNATURE_BYTES + LEVEL_BYTES * (depth - 1);
    out.set(jsonBytes(fields.lhs_pk, KES_VERIFICATION_KEY_BYTES, `${where} lhs_pk`, 'INVALID_SIGNATURE'), offset);
    out.set(jsonBytes(fields.rhs_pk, KES_VERIFICATION_KEY_BYTES, `${where} rhs_pk`, 'INVALID_SIGNATURE'), offset + KES_VERIFICATION_KEY_BYTES);
    level = fields.sigma;
  }
  out.set(jsonBytes(level, ED25519_SIGNATURE_BYTES, 'KES signature Ed25519 sigma', 'INVALID_SIGNATURE'), 0);
  return out;
}

export function operationalCertificateToJson(opcert: OperationalCertificate): OperationalCertificateJson {
  // Through the CBOR encoder: it validates every field the same way for both forms.
  const checked = operationalCertificateFromCbor(operationalCertificateToCbor(opcert));
  return [
    [bytesToJsonArray(checked.kesVerificationKey), checked.issueNumber, checked.startKesPeriod, bytesToJsonArray(checked.coldSignature)],
    bytesToJsonArray(checked.coldVerificationKey),
  ];
}

export function operationalCertificateFromJson(value: unknown): OperationalCertificate {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new CardanoError(
      'INVALID_OPCERT',
      `operational certificate JSON must be [body, cold_vk], got ${Array.isArray(value) ? `${value.length} items` : describe(value)}`,
    );
  }
  const [body, coldVk] = value as [unknown, unknown];
  if (!Array.isArray(body) || body.length !== 4) {
    throw new CardanoError(
      'INVALID_OPCERT',
      `operational certificate JSON body must be [kes_vk, issue_number, start_kes_period, sigma], got ${Array.isArray(body) ? `${body.length} items` : describe(body)}`,
    );
  }
  const [kesVk, issue, start, sigma] = body as [unknown, unknown, unknown, unknown];
  const candidate: OperationalCertificate = {
    kesVerificationKey: jsonBytes(kesVk, KES_VERIFICATION_KEY_BYTES, 'operational certificate KES verification key', 'INVALID_OPCERT'),
    issueNumber: jsonUint(issue, 'operational certificate issue number'),
    startKesPeriod: jsonUint(start, 'operational certificate start KES period'),
    coldSignature: jsonBytes(sigma, ED25519_SIGNATURE_BYTES, 'operational certificate cold signature', 'INVALID_OPCERT'),
    coldVerificationKey: jsonBytes(coldVk, ED25519_PUBLIC_KEY_BYTES, 'operational certificate cold verification key', 'INVALID_OPCERT'),
  };
  return operationalCertificateFromCbor(operationalCertificateToCbor(candidate));
}

function jsonBytes(value: unknown, length: number, what: string, code: 'INVALID_SIGNATURE' | 'INVALID_OPCERT'): Uint8Array {
  try {
    return bytesFromJsonArray(value, { expectedLength: length });
  } catch (error) {
    throw fromCodecError(error, what, code);
  }
}

/** serde_json gives a u64 as a number, or (beyond 2^53, from @mithril-ts/codec's parser) a bigint. */
function jsonUint(value: unknown, what: string): bigint {
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < 0n || n >= 1n << 64n)
    throw new CardanoError('INVALID_OPCERT', `${what} must be an unsigned 64-bit integer, got ${describe(value)}`);
  return n;
}
