/**
 * The server side of the version metadata (see metadata.ts): every request must carry both
 * version keys, and a protocol version compatible with this node's (the rule is libs/protocol's).
 * Every peer that serves the contracts checks it the same way, before any handler runs.
 */
import type { Metadata, ServerErrorResponse, UntypedServiceImplementation } from '@grpc/grpc-js';
import { PROTOCOL_VERSION, ProtocolError, assertCompatibleProtocolVersion } from '@mithril-ts/protocol';
import { createServiceError } from './errors.js';
import { ErrorCode } from './gen/mithril/v1/errors.js';
import { missingVersionMetadataKeys, readVersionMetadata, setVersionMetadata } from './metadata.js';

interface Call {
  readonly metadata: Metadata;
  sendMetadata(metadata: Metadata): void;
}
type Callback = (error: unknown, value?: unknown) => void;

/**
 * Answers this node's versions on `call` and checks the caller's: the typed error to end the call
 * with (MISSING_VERSION_METADATA, INCOMPATIBLE_PROTOCOL_VERSION), or undefined when it may proceed.
 * For handlers that are not unary (server streams), which cannot be wrapped by {@link withVersionCheck}.
 */
export function checkCallVersions(call: Call, nodeVersion: string): ServerErrorResponse | undefined {
  call.sendMetadata(setVersionMetadata({ nodeVersion, protocolVersion: PROTOCOL_VERSION }));
  const received = readVersionMetadata(call.metadata);
  const missing = missingVersionMetadataKeys(received);
  if (missing.length > 0) {
    return createServiceError({ code: ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA, message: `request metadata lacks ${missing.join(' and ')}` });
  }
  try {
    assertCompatibleProtocolVersion(received.protocolVersion!);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return createServiceError({
      code: ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION,
      message: error.message,
      metadata: { server_protocol_version: PROTOCOL_VERSION },
    });
  }
  return undefined;
}

/**
 * Wraps each unary handler: rejects a request without both version keys (INVALID_ARGUMENT) or
 * with an incompatible protocol version (FAILED_PRECONDITION), and answers with this node's versions.
 */
export function withVersionCheck(implementation: UntypedServiceImplementation, nodeVersion: string): UntypedServiceImplementation {
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    wrapped[name] = ((call: Call, callback: Callback) => {
      const refusal = checkCallVersions(call, nodeVersion);
      if (refusal !== undefined) return callback(refusal);
      (handler as (call: Call, callback: Callback) => void)(call, callback);
    }) as UntypedServiceImplementation[string];
  }
  return wrapped;
}
