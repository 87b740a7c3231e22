/**
 * The ancillary files' manifest, as the reference writes it (`ancillary_manifest.json` inside the
 * ancillary archive): `{"data": {<path>: <SHA-256 hex>}, "signature": <Ed25519 signature, hex>}`.
 * Ancillary files (the latest ledger-state snapshot and the last, not yet immutable, trio) are not
 * covered by any certificate: the aggregator's operator vouches for them with an Ed25519 key of its
 * own (the ancillary key), whose verification key clients get out of band, like the genesis key.
 *
 * The signed message is SHA-256 over every entry in path order, `path ‖ digest hex` (ASCII), and
 * the key signs those 32 bytes. Path order is the reference's (a Rust BTreeMap of PathBuf): paths
 * compare component by component, so `a/b` sorts before `a-b` although '-' < '/' as bytes.
 *
 * What a verified manifest proves: each listed file, once hashed, is the file the key holder
 * listed. Callers must also refuse files that are not listed (this module cannot see them).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesFromJsonArray, bytesToJsonArray, decodeJsonHexOrBytesHex, encodeJsonHex, fromHex, parseJson, toHex } from '@mithril-ts/codec';
import { ProtocolError } from './errors.js';

export const ANCILLARY_MANIFEST_FILE = 'ancillary_manifest.json';
export const ANCILLARY_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** A manifest lists a ledger snapshot's few files and one trio: thousands of entries are already abuse. */
export const MAX_ANCILLARY_MANIFEST_ENTRIES = 10_000;
export const MAX_ANCILLARY_MANIFEST_TEXT = 4 * 1024 * 1024;
const MAX_PATH_LENGTH = 1024;
const HEX64 = /^[0-9a-f]{64}$/;

export interface AncillaryManifest {
  /** Relative path (`/`-separated, e.g. `ledger/1234/state`) → SHA-256 of the file, lowercase hex; in manifest order. */
  readonly data: ReadonlyMap<string, string>;
  /** Ed25519 signature of the manifest hash; absent in an unsigned manifest. */
  readonly signature?: Uint8Array;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The reference's path order: component by component, each compared as bytes. */
export function compareManifestPaths(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const order = compareBytes(left[index]!, right[index]!);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/**
 * A path a manifest may name: relative, `/`-separated, no empty, `.` or `..` component, no
 * backslash or NUL. Whoever unpacks files by these names writes only below its own directory.
 */
export function checkManifestPath(path: string): void {
  const problem =
    typeof path !== 'string' || path.length === 0
      ? 'is empty'
      : path.length > MAX_PATH_LENGTH
        ? `is longer than ${MAX_PATH_LENGTH} characters`
        : /[\\\0]/.test(path)
          ? 'holds a backslash or NUL'
          : path.split('/').some((part) => part === '' || part === '.' || part === '..')
            ? 'is not a plain relative path'
            : undefined;
  if (problem !== undefined) throw new ProtocolError('INVALID_ANCILLARY_MANIFEST', `manifest path ${JSON.stringify(String(path).slice(0, 80))} ${problem}`);
}

function sortedEntries(data: ReadonlyMap<string, string>): [string, string][] {
  return [...data.entries()].sort(([a], [b]) => compareManifestPaths(a, b));
}

/** SHA-256 over `path ‖ digest` of every entry in path order: what the ancillary key signs. */
export function ancillaryManifestHash(data: ReadonlyMap<string, string>): Uint8Array {
  const hash = sha256.create();
  const encoder = new TextEncoder();
  for (const [path, digest] of sortedEntries(data)) hash.update(encoder.encode(path)).update(encoder.encode(digest));
  return hash.digest();
}

/** The ancillary secret key: signs manifests. */
export class AncillarySigner {
  private constructor(private readonly secretKey: Uint8Array) {}

  static fromSecretKey(secretKey: Uint8Array): AncillarySigner {
    if (!(secretKey instanceof Uint8Array) || secretKey.length !== ANCILLARY_KEY_BYTES) {
      throw new ProtocolError('INVALID_ANCILLARY_KEY', `an ancillary secret key is ${ANCILLARY_KEY_BYTES} bytes`);
    }
    return new AncillarySigner(secretKey.slice());
  }

  static generate(): AncillarySigner {
    return new AncillarySigner(ed25519.utils.randomSecretKey());
  }

  secretKeyBytes(): Uint8Array {
    return this.secretKey.slice();
  }

  verificationKey(): Uint8Array {
    return ed25519.getPublicKey(this.secretKey);
  }

  /** A signed manifest of `data` (path → SHA-256 hex), entries in the reference's order. */
  sign(data: ReadonlyMap<string, string>): AncillaryManifest {
    for (const [path, digest] of data) {
      checkManifestPath(path);
      if (!HEX64.test(digest)) throw new ProtocolError('INVALID_ANCILLARY_MANIFEST', `the digest of ${path} is not 64 lowercase hex digits`);
    }
    return { data: new Map(sortedEntries(data)), signature: ed25519.sign(ancillaryManifestHash(data), this.secretKey) };
  }
}

/**
 * Throws unless the manifest carries a signature that verifies under `verificationKey`
 * (ANCILLARY_MANIFEST_UNSIGNED, ANCILLARY_MANIFEST_SIGNATURE_INVALID). Strict verification
 * (no ZIP-215 leniency), as for the genesis signature.
 */
export function verifyAncillaryManifest(verificationKey: Uint8Array, manifest: AncillaryManifest): void {
  if (manifest.signature === undefined) throw new ProtocolError('ANCILLARY_MANIFEST_UNSIGNED', 'the ancillary manifest is not signed');
  let valid: boolean;
  try {
    valid =
      verificationKey.length === ANCILLARY_KEY_BYTES &&
      manifest.signature.length === SIGNATURE_BYTES &&
      ed25519.verify(manifest.signature, ancillaryManifestHash(manifest.data), verificationKey, { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new ProtocolError(
      'ANCILLARY_MANIFEST_SIGNATURE_INVALID',
      'the ancillary manifest signature does not verify under the ancillary verification key (wrong key, or the manifest was changed)',
    );
  }
}

/** The manifest file's text (compact JSON, entries in path order). */
export function encodeAncillaryManifest(manifest: AncillaryManifest): string {
  const data: Record<string, string> = {};
  for (const [path, digest] of sortedEntries(manifest.data)) data[path] = digest;
  return JSON.stringify(manifest.signature === undefined ? { data } : { data, signature: toHex(manifest.signature) });
}

/** Reads a manifest file's text (untrusted: bounded, every path and digest checked). */
export function decodeAncillaryManifest(text: string): AncillaryManifest {
  const fail = (message: string, cause?: unknown): never => {
    throw new ProtocolError('INVALID_ANCILLARY_MANIFEST', `not an ancillary manifest: ${message}`, { cause });
  };
  if (text.length > MAX_ANCILLARY_MANIFEST_TEXT) fail(`longer than ${MAX_ANCILLARY_MANIFEST_TEXT} characters`);
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (cause) {
    fail((cause as Error).message, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const { data, signature } = value as { data?: unknown; signature?: unknown };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('"data" is not an object of path → SHA-256');
  const entries = Object.entries(data as Record<string, unknown>);
  if (entries.length > MAX_ANCILLARY_MANIFEST_ENTRIES) fail(`more than ${MAX_ANCILLARY_MANIFEST_ENTRIES} entries`);
  const map = new Map<string, string>();
  for (const [path, digest] of entries) {
    checkManifestPath(path);
    if (typeof digest !== 'string' || !HEX64.test(digest)) fail(`the digest of ${JSON.stringify(path.slice(0, 80))} is not 64 lowercase hex digits`);
    map.set(path, digest as string);
  }
  if (signature === undefined || signature === null) return { data: map };
  if (typeof signature !== 'string') return fail('"signature" is not a hex string');
  let bytes: Uint8Array;
  try {
    bytes = fromHex(signature);
  } catch (cause) {
    return fail(`"signature": ${(cause as Error).message}`, cause);
  }
  if (bytes.length !== SIGNATURE_BYTES) fail(`"signature" is ${bytes.length} bytes, not ${SIGNATURE_BYTES}`);
  return { data: map, signature: bytes };
}

/** An ancillary key as the reference's key files hold it: json-hex of the 32 bytes. */
export function encodeAncillaryKey(key: Uint8Array): string {
  return encodeJsonHex(bytesToJsonArray(key));
}

/** Reads an ancillary key in json-hex (the reference's files) or plain hex; a verification key must be a curve point. */
export function decodeAncillaryKey(text: string, kind: 'secret' | 'verification'): Uint8Array {
  try {
    const decoded = decodeJsonHexOrBytesHex(text.trim(), { maxBytes: 1024 });
    const key = decoded.kind === 'json' ? bytesFromJsonArray(decoded.value, { expectedLength: ANCILLARY_KEY_BYTES }) : decoded.bytes;
    if (key.length !== ANCILLARY_KEY_BYTES) throw new Error(`expected ${ANCILLARY_KEY_BYTES} bytes, got ${key.length}`);
    if (kind === 'verification') ed25519.Point.fromBytes(key);
    return key;
  } catch (cause) {
    throw new ProtocolError('INVALID_ANCILLARY_KEY', `not an ancillary ${kind} key: ${(cause as Error).message}`, { cause });
  }
}
