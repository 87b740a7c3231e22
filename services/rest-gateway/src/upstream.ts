/**
 * The gateway's two backends over gRPC: the aggregator (every read route) and the signer gateway
 * (registrations and signatures, which it certifies and verifies before the aggregator sees them).
 * Every call carries this gateway's version metadata and a deadline, and is traced (a client span
 * whose context goes out in the metadata); a failure becomes the RestError the reference would
 * answer with.
 */
import { type CallOptions, type ChannelCredentials, type ClientUnaryCall, type Metadata, type ServiceError } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import {
  AggregatorServiceClient,
  CertificateForm,
  SignerGatewayServiceClient,
  setVersionMetadata,
  type GetAggregatorStatusResponse,
  type GetCardanoDatabaseDigestsResponse,
  type GetCardanoDatabaseSnapshotResponse,
  type GetCertificateResponse,
  type GetEpochSettingsResponse,
  type GetGenesisCertificateResponse,
  type GetMithrilStakeDistributionResponse,
  type GetProtocolParametersResponse,
  type ListCardanoDatabaseSnapshotsResponse,
  type ListCertificatesResponse,
  type ListMithrilStakeDistributionsResponse,
  type ListRegisteredSignersResponse,
  type SignerGatewayServiceRegisterSignatureResponse,
  type SignerGatewayServiceRegisterSignerResponse,
  type SignerRegistration,
  type SingleSignature,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import { checkPeerHealth, clientTracingInterceptor } from '@mithril-ts/service-kit';
import { restErrorFromGrpc } from './errors.js';

/** Epoch settings list every current and next signer with its KES material: ~5 MB on mainnet. */
const MAX_AGGREGATOR_RESPONSE_BYTES = 64 * 1024 * 1024;

type Callback<Response> = (error: ServiceError | null, response?: Response) => void;
type Invoke<Response> = (metadata: Metadata, options: Partial<CallOptions>, callback: Callback<Response>) => ClientUnaryCall;

interface CallSettings {
  readonly peer: string;
  readonly deadlineMs: number;
  readonly nodeVersion: string;
}

function unary<Response>(settings: CallSettings, invoke: Invoke<Response>): Promise<Response> {
  const metadata = setVersionMetadata({ nodeVersion: settings.nodeVersion, protocolVersion: PROTOCOL_VERSION });
  return new Promise<Response>((resolve, reject) => {
    invoke(metadata, { deadline: Date.now() + settings.deadlineMs }, (error, response) => {
      if (error) reject(restErrorFromGrpc(error, settings.peer));
      else resolve(response as Response);
    });
  });
}

export interface UpstreamOptions {
  readonly address: string;
  /** TLS towards the peer (the kit's channelCredentials), or plaintext when the gateway runs insecure. */
  readonly credentials: ChannelCredentials;
  readonly deadlineMs: number;
  /** This gateway's software version, sent as mithril-node-version. */
  readonly nodeVersion: string;
  readonly tracer: Tracer;
}

export class AggregatorUpstream {
  private readonly client: AggregatorServiceClient;
  private readonly settings: CallSettings;

  constructor(options: UpstreamOptions) {
    this.client = new AggregatorServiceClient(options.address, options.credentials, {
      'grpc.max_receive_message_length': MAX_AGGREGATOR_RESPONSE_BYTES,
      interceptors: [clientTracingInterceptor(options.tracer)],
    });
    this.settings = { peer: 'aggregator', deadlineMs: options.deadlineMs, nodeVersion: options.nodeVersion };
  }

  getEpochSettings(): Promise<GetEpochSettingsResponse> {
    return unary(this.settings, (m, o, cb) => this.client.getEpochSettings({}, m, o, cb));
  }

  getProtocolParameters(epoch: bigint): Promise<GetProtocolParametersResponse> {
    return unary(this.settings, (m, o, cb) => this.client.getProtocolParameters({ epoch }, m, o, cb));
  }

  listCertificates(pageSize: number): Promise<ListCertificatesResponse> {
    return unary(this.settings, (m, o, cb) => this.client.listCertificates({ pageSize, pageToken: '' }, m, o, cb));
  }

  /** In the reference JSON form: the gateway serves certificates as the aggregator stores them. */
  getCertificate(hash: string): Promise<GetCertificateResponse> {
    return unary(this.settings, (m, o, cb) => this.client.getCertificate({ hash, form: CertificateForm.CERTIFICATE_FORM_REFERENCE_JSON }, m, o, cb));
  }

  getGenesisCertificate(): Promise<GetGenesisCertificateResponse> {
    return unary(this.settings, (m, o, cb) => this.client.getGenesisCertificate({ form: CertificateForm.CERTIFICATE_FORM_REFERENCE_JSON }, m, o, cb));
  }

  listMithrilStakeDistributions(pageSize: number): Promise<ListMithrilStakeDistributionsResponse> {
    return unary(this.settings, (m, o, cb) => this.client.listMithrilStakeDistributions({ pageSize, pageToken: '' }, m, o, cb));
  }

  getMithrilStakeDistribution(hash: string): Promise<GetMithrilStakeDistributionResponse> {
    return unary(this.settings, (m, o, cb) => this.client.getMithrilStakeDistribution({ hash }, m, o, cb));
  }

  listRegisteredSigners(recordingEpoch: bigint): Promise<ListRegisteredSignersResponse> {
    return unary(this.settings, (m, o, cb) => this.client.listRegisteredSigners({ epoch: recordingEpoch }, m, o, cb));
  }

  listCardanoDatabaseSnapshots(pageSize: number, epoch?: bigint): Promise<ListCardanoDatabaseSnapshotsResponse> {
    return unary(this.settings, (m, o, cb) =>
      this.client.listCardanoDatabaseSnapshots({ pageSize, pageToken: '', ...(epoch === undefined ? {} : { epoch }) }, m, o, cb),
    );
  }

  getCardanoDatabaseSnapshot(hash: string): Promise<GetCardanoDatabaseSnapshotResponse> {
    return unary(this.settings, (m, o, cb) => this.client.getCardanoDatabaseSnapshot({ hash }, m, o, cb));
  }

  getAggregatorStatus(): Promise<GetAggregatorStatusResponse> {
    return unary(this.settings, (m, o, cb) => this.client.getAggregatorStatus({}, m, o, cb));
  }

  /** What the aggregator's health service says of its AggregatorService, over the same channel as the reads. */
  health(): Promise<'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'UNREACHABLE'> {
    return checkPeerHealth(this.client.getChannel(), 'mithril.v1.AggregatorService', this.settings.deadlineMs);
  }

  /** The digests of the latest snapshot. */
  getLatestCardanoDatabaseDigests(): Promise<GetCardanoDatabaseDigestsResponse> {
    return unary(this.settings, (m, o, cb) => this.client.getCardanoDatabaseDigests({ hash: '' }, m, o, cb));
  }

  close(): void {
    this.client.close();
  }
}

export class SignerGatewayUpstream {
  private readonly client: SignerGatewayServiceClient;
  private readonly settings: CallSettings;

  constructor(options: UpstreamOptions) {
    this.client = new SignerGatewayServiceClient(options.address, options.credentials, { interceptors: [clientTracingInterceptor(options.tracer)] });
    this.settings = { peer: 'signer gateway', deadlineMs: options.deadlineMs, nodeVersion: options.nodeVersion };
  }

  registerSigner(registration: SignerRegistration): Promise<SignerGatewayServiceRegisterSignerResponse> {
    return unary(this.settings, (m, o, cb) => this.client.registerSigner({ registration }, m, o, cb));
  }

  registerSignature(signature: SingleSignature): Promise<SignerGatewayServiceRegisterSignatureResponse> {
    return unary(this.settings, (m, o, cb) => this.client.registerSignature({ signature }, m, o, cb));
  }

  close(): void {
    this.client.close();
  }
}
