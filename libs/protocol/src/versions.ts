/**
 * Node and protocol (API) versions, and the rule deciding whether two peers can talk: the same
 * protocol major version, and for 0.x versions the same minor too (semver caret). A mismatch is a
 * typed error that services turn into a clear rejection.
 */
import { ProtocolError } from './errors.js';

export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly preRelease?: string;
}

/** The protocol version this implementation speaks; bump the minor for additive wire changes. */
export const PROTOCOL_VERSION = '0.1.0';
/** The reference's REST header carrying the API version (gRPC metadata keys are in libs/proto). */
export const API_VERSION_HEADER = 'mithril-api-version';

const SEMVER = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-([0-9A-Za-z.-]{1,64}))?(?:\+[0-9A-Za-z.-]{1,64})?$/;

export function parseVersion(text: string): SemanticVersion {
  const match = typeof text === 'string' && text.length <= 200 ? SEMVER.exec(text.trim()) : null;
  if (match === null) throw new ProtocolError('INVALID_VERSION', `not a semantic version: ${JSON.stringify(String(text).slice(0, 40))}`);
  const [, major, minor, patch, preRelease] = match;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), ...(preRelease ? { preRelease } : {}) };
}

export function formatVersion(version: SemanticVersion): string {
  return `${version.major}.${version.minor}.${version.patch}${version.preRelease ? `-${version.preRelease}` : ''}`;
}

export function areProtocolVersionsCompatible(local: SemanticVersion, remote: SemanticVersion): boolean {
  if (local.major !== remote.major) return false;
  return local.major !== 0 || local.minor === remote.minor;
}

/** Throws INCOMPATIBLE_VERSION (or INVALID_VERSION for a malformed one) naming both versions. */
export function assertCompatibleProtocolVersion(remote: string, local: string = PROTOCOL_VERSION): void {
  const remoteVersion = parseVersion(remote);
  if (!areProtocolVersionsCompatible(parseVersion(local), remoteVersion)) {
    throw new ProtocolError(
      'INCOMPATIBLE_VERSION',
      `protocol version ${formatVersion(remoteVersion)} is not compatible with ${local} (same major required, and same minor for 0.x)`,
    );
  }
}
