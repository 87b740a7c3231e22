/**
 * The reference's REST API version: stamped on every response in the `mithril-api-version` header,
 * and checked on requests that carry one. The reference used to refuse a client of another
 * version with 412 (before its commit a7a0b4b3); this gateway keeps that typed rejection, with
 * the compatibility rule of libs/protocol (same major, and same minor for 0.x).
 */
import { API_VERSION_HEADER, areProtocolVersionsCompatible, parseVersion, ProtocolError } from '@mithril-ts/protocol';
import { RestError } from './errors.js';

/** `info.version` of the reference's openapi.yaml whose routes and shapes this gateway serves. */
export const OPENAPI_VERSION = '0.1.68';
export { API_VERSION_HEADER };

const SERVED = parseVersion(OPENAPI_VERSION);

/** Undefined when the request may proceed (no header, or a compatible version); the rejection otherwise. */
export function apiVersionRejection(header: string | string[] | undefined): RestError | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) return new RestError(400, 'invalid_api_version', `the ${API_VERSION_HEADER} header must be given once`);
  let version;
  try {
    version = parseVersion(header);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return new RestError(
      400,
      'invalid_api_version',
      `the ${API_VERSION_HEADER} header is not a semantic version (major.minor.patch, e.g. ${OPENAPI_VERSION}): ${JSON.stringify(header.slice(0, 40))}`,
    );
  }
  if (areProtocolVersionsCompatible(SERVED, version)) return undefined;
  return new RestError(
    412,
    'incompatible_api_version',
    `API version ${header.trim()} is not compatible with the version this aggregator serves, ${OPENAPI_VERSION} (same major required, and same minor for 0.x)`,
  );
}
