/**
 * Authorization of internal RPCs by the caller's certificate identity.
 *
 * What the check covers, and why it is enough: grpc-js fills `call.getAuthContext().sslPeerCertificate`
 * only when the TLS socket is `authorized`, that is when the client presented a certificate whose
 * chain Node's TLS verified against the server's `tlsCaFile` (and whose validity period covers now),
 * and the client proved it holds the certificate's private key during the handshake. So a
 * certificate that is present here was issued by our CA to whoever holds it. What remains is which
 * of the CA's certificates may call: the identity (the certificate's subject alternative DNS names,
 * else its common name when it has none, the order of RFC 6125) must be one of `allowedClients`.
 * A certificate of another CA, an expired one, or none at all gives no peer certificate: the
 * caller is UNAUTHENTICATED. A verified certificate naming no allowed identity is PERMISSION_DENIED.
 * Revocation is not checked (no CRL/OCSP): a compromised client key is handled by rotating the CA or
 * by removing its identity from `allowedClients`; short-lived certificates bound the exposure.
 *
 * In `insecure` mode there is no TLS and so no identity: services do not install this check then
 * (insecure is for tests and loopback development only).
 */
import type { PeerCertificate } from 'node:tls';
import type { ServerErrorResponse, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ErrorCode, createServiceError, type ErrorDetailInit } from '@mithril-ts/proto';

export interface ClientAuthorization {
  /** RPC names as in the .proto (e.g. "RegisterSigner") reserved to allowed clients; "all" for every RPC of the service. */
  readonly methods: readonly string[] | 'all';
  /** Identities allowed on those RPCs (the `allowedClients` setting). */
  readonly allowedClients: readonly string[];
}

/** The identities a certificate asserts: its subject alternative DNS names, else its common name. */
export function certificateIdentities(certificate: PeerCertificate): string[] {
  const dnsNames = (certificate.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice('DNS:'.length).toLowerCase());
  if (dnsNames.length > 0) return dnsNames;
  const commonName = certificate.subject?.CN;
  return typeof commonName === 'string' && commonName !== '' ? [commonName.toLowerCase()] : [];
}

interface AuthContextCall {
  getAuthContext(): { readonly sslPeerCertificate?: PeerCertificate | undefined } | null;
}

/** Why `call` may not run an RPC reserved to `allowedClients`, or undefined when it may. */
export function refusalOf(call: AuthContextCall, allowedClients: readonly string[]): ErrorDetailInit | undefined {
  const certificate = call.getAuthContext()?.sslPeerCertificate;
  if (certificate === undefined) {
    return { code: ErrorCode.ERROR_CODE_CLIENT_CERTIFICATE_REQUIRED, message: 'this RPC needs a client certificate issued by the service CA' };
  }
  const identities = certificateIdentities(certificate);
  const allowed = new Set(allowedClients.map((identity) => identity.toLowerCase()));
  if (identities.some((identity) => allowed.has(identity))) return undefined;
  return {
    code: ErrorCode.ERROR_CODE_CLIENT_NOT_ALLOWED,
    message: `client ${identities.join(', ') || '(no name)'} is not allowed on this RPC`,
    metadata: { identities: identities.join(',') },
  };
}

type AnyHandler = (
  call: AuthContextCall & { emit(event: 'error', error: ServerErrorResponse): boolean },
  callback?: (error: ServerErrorResponse) => void,
) => void;

/**
 * `implementation` with the RPCs of `authorization.methods` refusing callers whose certificate does
 * not name an allowed identity (see the module comment). The refusal happens before the handler:
 * nothing of the request is read.
 */
export function withClientAuthorization(
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  authorization: ClientAuthorization,
): UntypedServiceImplementation {
  const rpcName = (key: string) => definition[key]!.path.split('/').pop()!;
  const known = new Set(Object.keys(definition).map(rpcName));
  const reserved = authorization.methods === 'all' ? known : new Set(authorization.methods);
  for (const name of reserved) if (!known.has(name)) throw new TypeError(`no RPC ${name} to reserve in this service`);
  const wrapped: UntypedServiceImplementation = { ...implementation };
  for (const [key, handler] of Object.entries(implementation)) {
    if (definition[key] === undefined || !reserved.has(rpcName(key))) continue;
    const { responseStream } = definition[key];
    const inner = handler as unknown as AnyHandler;
    const guarded: AnyHandler = (call, callback) => {
      const refusal = refusalOf(call, authorization.allowedClients);
      if (refusal === undefined) return inner(call, callback);
      const error = createServiceError(refusal);
      // Unary and client-streaming calls answer through the callback; the others emit the error.
      if (responseStream) call.emit('error', error);
      else callback!(error);
    };
    wrapped[key] = guarded as unknown as UntypedServiceImplementation[string];
  }
  return wrapped;
}
