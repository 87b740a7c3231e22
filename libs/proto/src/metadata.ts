/**
 * Version metadata carried by every gRPC exchange of the Mithril network (see the header of
 * proto/mithril/v1/aggregator_service.proto): the caller sends both keys with every request, and a
 * server sends its own values back in the initial response metadata. Whether two versions are
 * compatible is a protocol decision (libs/protocol); this module only names, writes and reads them.
 */
import { Metadata } from '@grpc/grpc-js';

/** gRPC metadata key of the sending node's software version (semver, e.g. "0.3.1"). */
export const NODE_VERSION_METADATA_KEY = 'mithril-node-version';
/** gRPC metadata key of the Mithril protocol version the sender speaks (semver, e.g. "0.1.0"). */
export const PROTOCOL_VERSION_METADATA_KEY = 'mithril-protocol-version';

/** The two versions every request (and every response) carries. */
export interface VersionMetadata {
  /** Software version of the sending node. */
  readonly nodeVersion: string;
  /** Mithril protocol version the sender speaks. */
  readonly protocolVersion: string;
}

/** What a receiver found: each version, or `undefined` when absent, empty or given more than once. */
export interface ReceivedVersionMetadata {
  readonly nodeVersion: string | undefined;
  readonly protocolVersion: string | undefined;
}

/** A metadata value must be printable ASCII without surrounding spaces (gRPC header values). */
const VERSION_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/;

function checkedValue(name: string, value: string): string {
  if (typeof value !== 'string' || !VERSION_VALUE.test(value)) {
    throw new TypeError(`${name} must be 1 to 128 printable ASCII characters without surrounding spaces, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Writes both version keys into `metadata` (a new Metadata by default), replacing any previous
 * values, and returns it. Throws a TypeError if a version is not a valid metadata value.
 */
export function setVersionMetadata(versions: VersionMetadata, metadata: Metadata = new Metadata()): Metadata {
  const nodeVersion = checkedValue('nodeVersion', versions.nodeVersion);
  const protocolVersion = checkedValue('protocolVersion', versions.protocolVersion);
  metadata.set(NODE_VERSION_METADATA_KEY, nodeVersion);
  metadata.set(PROTOCOL_VERSION_METADATA_KEY, protocolVersion);
  return metadata;
}

function single(metadata: Metadata, key: string): string | undefined {
  const values = metadata.get(key);
  if (values.length !== 1) return undefined;
  const [value] = values;
  return typeof value === 'string' && VERSION_VALUE.test(value) ? value : undefined;
}

/** Reads both version keys; a key that is absent, malformed or repeated reads as `undefined`. */
export function readVersionMetadata(metadata: Metadata): ReceivedVersionMetadata {
  return {
    nodeVersion: single(metadata, NODE_VERSION_METADATA_KEY),
    protocolVersion: single(metadata, PROTOCOL_VERSION_METADATA_KEY),
  };
}

/** The version metadata keys missing from what was received (empty when both are present). */
export function missingVersionMetadataKeys(received: ReceivedVersionMetadata): string[] {
  const missing: string[] = [];
  if (received.nodeVersion === undefined) missing.push(NODE_VERSION_METADATA_KEY);
  if (received.protocolVersion === undefined) missing.push(PROTOCOL_VERSION_METADATA_KEY);
  return missing;
}
