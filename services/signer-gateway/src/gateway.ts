/**
 * The gateway's two use cases. A registration is shape-checked, rate-limited per pool, vouched for
 * by the certifier and recorded by the aggregator. A single signature is shape-checked,
 * rate-limited, checked against the aggregator's current epoch settings (epoch, signer, signer
 * index, lottery and BLS, batched) and handed to the aggregator. Nothing is kept: every durable
 * decision is the aggregator's, so any number of gateways can run side by side.
 */
import type { Counter, Meter } from '@opentelemetry/api';
import {
  ErrorCode,
  type SignatureRegistrationStatus,
  signatureRegistrationStatusToJSON,
  type CertifiedSigner,
  type SignerRegistration,
  type SingleSignature as SingleSignatureMessage,
} from '@mithril-ts/proto';
import { ProtocolError, registrationRecordingEpoch, signedMessageBytes, type EpochKeyCache } from '@mithril-ts/protocol';
import type { GroupedMicroBatcher, Logger } from '@mithril-ts/service-kit';
import type { Clerk, SingleSignature, StmError } from '@mithril-ts/stm';
import type { EpochSettingsCache, EpochView } from './epoch-settings-cache.js';
import { GatewayError } from './errors.js';
import type { AggregatorPort, CallContext, CertifierPort } from './ports.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RecentSignatures } from './recent-signatures.js';
import { validateRegistration, validateSignature, type ValidSignature } from './validation.js';

/** The batcher of single signature checks: undefined when a signature verifies, else the reason. */
export type SignatureBatcher = GroupedMicroBatcher<{ readonly clerk: Clerk; readonly message: Uint8Array }, SingleSignature, StmError | undefined>;

export interface SignerGatewayDependencies {
  readonly certifier: CertifierPort;
  readonly aggregator: AggregatorPort;
  readonly registrationLimiter: RateLimiter;
  readonly signatureLimiter: RateLimiter;
  readonly epochSettings: EpochSettingsCache;
  /** Keys of the registrations the aggregator accepted, decoded here once: the epoch's signer set closes with them. */
  readonly keys?: EpochKeyCache;
  /** Single signatures verified in batches: grouped by signer set (clerk) and message, one pairing product per group. */
  readonly batcher: SignatureBatcher;
  /** Signatures verified lately: a resend is neither decoded nor verified again. */
  readonly recent?: RecentSignatures;
  readonly meter: Meter;
  readonly logger: Logger;
}

export class SignerGateway {
  private readonly registrations: Counter;
  private readonly signatures: Counter;

  constructor(private readonly deps: SignerGatewayDependencies) {
    this.registrations = deps.meter.createCounter('mithril_signer_gateway_registrations_total', {
      description: 'Signer registrations forwarded (outcome=accepted) or refused (outcome=rejected, reason=the error code)',
    });
    this.signatures = deps.meter.createCounter('mithril_signer_gateway_signatures_total', {
      description: 'Single signatures forwarded (outcome=accepted|buffered, as the aggregator answered) or refused (outcome=rejected, reason=the error code)',
    });
  }

  async registerSigner(request: SignerRegistration | undefined, context: CallContext): Promise<CertifiedSigner> {
    try {
      const { registration, pool, key } = validateRegistration(request, this.deps.keys);
      if (!this.deps.registrationLimiter.tryTake(pool.poolIdHex)) throw rateLimited('registrations', pool.partyId);
      const certification = await this.deps.certifier.certify(registration, context);
      const signer = await this.deps.aggregator.registerSigner(registration, certification, context);
      // Only what the aggregator accepted (a pool with stake, one key per pool and epoch) is kept;
      // its PoP is still checked when the set closes (this gateway did not check it).
      this.deps.keys?.remember(registrationRecordingEpoch(registration.epoch), pool.partyId, registration.verificationKey, key, false);
      this.registrations.add(1, { outcome: 'accepted' });
      return signer;
    } catch (error) {
      this.registrations.add(1, { outcome: 'rejected', reason: this.reasonOf(error, 'registration') });
      throw error;
    }
  }

  async registerSignature(request: SingleSignatureMessage | undefined, context: CallContext): Promise<SignatureRegistrationStatus> {
    try {
      const signature = validateSignature(request, this.deps.recent);
      if (!this.deps.signatureLimiter.tryTake(signature.pool.poolIdHex)) throw rateLimited('signatures', signature.pool.partyId);
      await this.verify(signature, context);
      const status = await this.deps.aggregator.registerSignature(signature.message, context);
      this.signatures.add(1, { outcome: outcomeOf(status) });
      return status;
    } catch (error) {
      this.signatures.add(1, { outcome: 'rejected', reason: this.reasonOf(error, 'signature') });
      throw error;
    }
  }

  private async verify({ signedEntityType, pool, signature, signedMessage, key }: ValidSignature, context: CallContext): Promise<void> {
    const view = await this.deps.epochSettings.current(signedEntityType.epoch, context.trace);
    if (signedEntityType.epoch < view.epoch) {
      throw new GatewayError(
        ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE,
        `the signature is for epoch ${signedEntityType.epoch}, the current epoch is ${view.epoch}`,
        { epoch: view.epoch.toString() },
      );
    }
    if (signedEntityType.epoch > view.epoch) {
      throw new GatewayError(
        ErrorCode.ERROR_CODE_NOT_READY,
        `the signature is for epoch ${signedEntityType.epoch}, the aggregator is still at epoch ${view.epoch}; retry later`,
        {
          epoch: view.epoch.toString(),
        },
      );
    }
    const { signers, clerk } = signingMaterial(view, pool.partyId);
    let owner: string;
    try {
      owner = signers.partyIdOf(signature.signerIndex);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw signatureInvalid(`signer index ${signature.signerIndex} is not a signer of epoch ${view.epoch}`);
    }
    if (owner !== pool.partyId) throw signatureInvalid(`signer index ${signature.signerIndex} belongs to another party, not to ${pool.partyId}`);
    // The view, the party and the signed message are in the key and checked above: only the BLS and lottery checks are skipped.
    if (this.deps.recent?.verified(key, view.id) === true) return;
    const failure = await this.deps.batcher.submit(`${view.id}:${signedMessage}`, { clerk, message: signedMessageBytes(signedMessage) }, signature);
    if (failure !== undefined) throw signatureInvalid(`the signature does not verify: ${failure.message}`, failure.code);
    this.deps.recent?.remember(key, signature, view.id);
  }

  private reasonOf(error: unknown, what: string): string {
    if (error instanceof GatewayError) {
      this.deps.logger.debug({ reason: error.reason, message: error.message }, `${what} refused`);
      return error.reason;
    }
    this.deps.logger.error({ err: error }, `${what} failed unexpectedly`);
    return 'internal';
  }
}

function signingMaterial(view: EpochView, partyId: string): { signers: NonNullable<EpochView['signers']>; clerk: NonNullable<EpochView['clerk']> } {
  if (view.signers === undefined || view.clerk === undefined) {
    throw new GatewayError(ErrorCode.ERROR_CODE_UNKNOWN_SIGNER, `no signer is registered to sign in epoch ${view.epoch}`);
  }
  if (!view.partyIds.has(partyId)) throw new GatewayError(ErrorCode.ERROR_CODE_UNKNOWN_SIGNER, `${partyId} is not a signer of epoch ${view.epoch}`);
  return { signers: view.signers, clerk: view.clerk };
}

function rateLimited(what: string, partyId: string): GatewayError {
  return new GatewayError(ErrorCode.ERROR_CODE_RATE_LIMITED, `too many ${what} from ${partyId}, slow down`);
}

function signatureInvalid(message: string, stmError?: string): GatewayError {
  return new GatewayError(ErrorCode.ERROR_CODE_SIGNATURE_INVALID, message, stmError === undefined ? {} : { stm_error: stmError });
}

function outcomeOf(status: SignatureRegistrationStatus): string {
  return signatureRegistrationStatusToJSON(status)
    .replace(/^SIGNATURE_REGISTRATION_STATUS_/, '')
    .toLowerCase();
}
