/**
 * What the gateway needs from its two upstream services. The gateway keeps nothing durable: the
 * certifier vouches for registrations, the aggregator records them and the signatures.
 */
import type { Context } from '@opentelemetry/api';
import type { CertifiedSigner, EpochSettings, SignatureRegistrationStatus, SignerRegistration, SingleSignature } from '@mithril-ts/proto';

/** Where a call comes from: the trace it belongs to and, when the caller set one, its deadline. */
export interface CallContext {
  readonly trace: Context;
  /** Milliseconds since the Unix epoch; an upstream call never outlives its caller. */
  readonly deadline?: number | undefined;
}

/** Failures are GatewayErrors: the peer's typed error passed through, or NOT_READY when unreachable. */
export interface CertifierPort {
  certify(registration: SignerRegistration, context: CallContext): Promise<CertifiedSigner>;
}

export interface AggregatorPort {
  getEpochSettings(context: CallContext): Promise<EpochSettings>;
  registerSigner(registration: SignerRegistration, certification: CertifiedSigner, context: CallContext): Promise<CertifiedSigner>;
  registerSignature(signature: SingleSignature, context: CallContext): Promise<SignatureRegistrationStatus>;
}
