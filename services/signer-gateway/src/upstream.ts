/**
 * gRPC adapters of the certifier and aggregator ports. Every call carries this gateway's version
 * metadata and the trace context of a client span (child of the caller's span), and has a
 * deadline. The peer's typed errors come back unchanged; a peer that cannot be reached, or that
 * refuses the gateway itself (version metadata), becomes NOT_READY: the signer can only retry.
 */
import { type ChannelCredentials, type Metadata, status, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import {
  AggregatorServiceClient,
  CertifierServiceClient,
  ErrorCode,
  readErrorDetail,
  setVersionMetadata,
  type CertifiedSigner,
  type CertifierServiceCertifyResponse,
  type GetEpochSettingsResponse,
  type RegisterSignaturesResponse,
  type RegisterSignerResponse,
  type EpochSettings,
  type SignatureRegistrationStatus,
  type SignerRegistration,
  type SingleSignature,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import { clientTracingInterceptor, describeConnectionFailure, withTraceParent, type Logger } from '@mithril-ts/service-kit';
import { GatewayError, notReady } from './errors.js';
import type { AggregatorPort, CallContext, CertifierPort } from './ports.js';

/** Epoch settings list every current and next signer with its KES material: ~5 MB on mainnet. */
const MAX_AGGREGATOR_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * Several aggregator replicas may serve the address; only the leader takes registrations and
 * signatures, a follower refuses them with UNAVAILABLE (ERROR_CODE_NOT_READY, reason NOT_LEADER).
 * So calls are spread over every address the target resolves to (round_robin: a headless Service
 * lists each replica) and the intake is retried on UNAVAILABLE, each attempt on the next address.
 * Retrying is safe: a registration sent again is answered as recorded, a signature sent again is
 * "already registered". With one address it changes nothing but a few quick retries.
 */
const AGGREGATOR_SERVICE_CONFIG = JSON.stringify({
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: [
    {
      name: [
        { service: 'mithril.v1.AggregatorService', method: 'RegisterSigner' },
        { service: 'mithril.v1.AggregatorService', method: 'RegisterSignatures' },
      ],
      retryPolicy: { maxAttempts: 4, initialBackoff: '0.05s', maxBackoff: '0.5s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] },
    },
  ],
});

/** Typed errors about the gateway's own request metadata or client certificate: nothing the signer could fix. */
const ABOUT_THE_GATEWAY = new Set([
  ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA,
  ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION,
  ErrorCode.ERROR_CODE_CLIENT_CERTIFICATE_REQUIRED,
  ErrorCode.ERROR_CODE_CLIENT_NOT_ALLOWED,
]);

export interface UpstreamOptions {
  readonly address: string;
  /** TLS towards the peer (the kit's channelCredentials), or plaintext when the gateway runs insecure. */
  readonly credentials: ChannelCredentials;
  readonly deadlineMs: number;
  readonly nodeVersion: string;
  readonly tracer: Tracer;
  /** Told when the peer cannot be reached or refuses the gateway: the operator must act, not the signer. */
  readonly logger: Logger;
}

type Invoke<Response> = (
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response?: Response) => void,
) => ClientUnaryCall;

/** One unary call to `peer` with version metadata and a deadline, traced by the client's interceptor as a child of the caller's span. */
function unaryCall<Response>(peer: string, method: string, options: UpstreamOptions, context: CallContext, invoke: Invoke<Response>): Promise<Response> {
  const metadata = setVersionMetadata({ nodeVersion: options.nodeVersion, protocolVersion: PROTOCOL_VERSION });
  const deadline = Math.min(Date.now() + options.deadlineMs, context.deadline ?? Number.POSITIVE_INFINITY);
  return new Promise<Response>((resolve, reject) => {
    invoke(metadata, withTraceParent({ deadline }, context.trace), (error, response) => {
      if (error) {
        const passedThrough = peerRejection(error);
        if (passedThrough !== undefined) {
          reject(passedThrough);
          return;
        }
        const failure = peerUnusable(peer, error);
        options.logger.warn({ peer, address: options.address, method, reason: failure.message }, 'upstream call failed');
        reject(failure);
        return;
      }
      resolve(response as Response);
    });
  });
}

/** The peer's typed rejection of the signer's request, to pass on unchanged; undefined if it is not one. */
function peerRejection(error: ServiceError): GatewayError | undefined {
  const detail = readErrorDetail(error);
  if (detail === undefined || ABOUT_THE_GATEWAY.has(detail.code)) return undefined;
  return new GatewayError(detail.code, detail.message, detail.metadata, { cause: error });
}

/** NOT_READY for a peer that cannot be reached, or that refuses the gateway itself. */
function peerUnusable(peer: string, error: ServiceError): GatewayError {
  const detail = readErrorDetail(error);
  if (detail !== undefined) return notReady(`the ${peer} refused this gateway: ${detail.message}`, { cause: error });
  const reason = describeConnectionFailure(error) ?? `${status[error.code] ?? error.code}: ${error.details}`;
  return notReady(`the ${peer} cannot be reached (${reason}), retry later`, { cause: error });
}

export class GrpcCertifier implements CertifierPort {
  private readonly client: CertifierServiceClient;

  constructor(private readonly options: UpstreamOptions) {
    this.client = new CertifierServiceClient(options.address, options.credentials, { interceptors: [clientTracingInterceptor(options.tracer)] });
  }

  async certify(registration: SignerRegistration, context: CallContext): Promise<CertifiedSigner> {
    const response = await unaryCall<CertifierServiceCertifyResponse>('certifier', 'Certify', this.options, context, (metadata, options, callback) =>
      this.client.certify({ registration }, metadata, options, callback),
    );
    if (response.certification === undefined) throw notReady('the certifier answered without a certification');
    return response.certification;
  }

  close(): void {
    this.client.close();
  }
}

export class GrpcAggregator implements AggregatorPort {
  private readonly client: AggregatorServiceClient;

  constructor(private readonly options: UpstreamOptions) {
    this.client = new AggregatorServiceClient(options.address, options.credentials, {
      'grpc.max_receive_message_length': MAX_AGGREGATOR_RESPONSE_BYTES,
      'grpc.service_config': AGGREGATOR_SERVICE_CONFIG,
      interceptors: [clientTracingInterceptor(options.tracer)],
    });
  }

  async getEpochSettings(context: CallContext): Promise<EpochSettings> {
    const response = await unaryCall<GetEpochSettingsResponse>('aggregator', 'GetEpochSettings', this.options, context, (metadata, options, callback) =>
      this.client.getEpochSettings({}, metadata, options, callback),
    );
    if (response.epochSettings === undefined) throw notReady('the aggregator answered without epoch settings');
    return response.epochSettings;
  }

  async registerSigner(registration: SignerRegistration, certification: CertifiedSigner, context: CallContext): Promise<CertifiedSigner> {
    const response = await unaryCall<RegisterSignerResponse>('aggregator', 'RegisterSigner', this.options, context, (metadata, options, callback) =>
      this.client.registerSigner({ registration, certification }, metadata, options, callback),
    );
    if (response.signer === undefined) throw notReady('the aggregator answered without the registered signer');
    return response.signer;
  }

  async registerSignature(signature: SingleSignature, context: CallContext): Promise<SignatureRegistrationStatus> {
    const response = await unaryCall<RegisterSignaturesResponse>('aggregator', 'RegisterSignatures', this.options, context, (metadata, options, callback) =>
      this.client.registerSignatures({ signature }, metadata, options, callback),
    );
    return response.status;
  }

  close(): void {
    this.client.close();
  }
}
