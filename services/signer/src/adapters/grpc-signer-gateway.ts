/** The signer gateway over gRPC: registrations and single signatures. */
import type { ChannelCredentials } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import { SignatureRegistrationStatus as StatusMessage, SignerGatewayServiceClient, type VersionMetadata, signedEntityTypeToProto } from '@mithril-ts/proto';
import { RemoteCallError } from '../errors.js';
import type {
  Answer,
  RegisteredSigner,
  SignatureRegistrationStatus,
  SignerGatewayPort,
  SignerRegistrationRequest,
  SingleSignatureSubmission,
} from '../ports.js';
import { clientOptions, unaryCall } from './grpc-call.js';

const REGISTER_SIGNER = 'SignerGatewayService.RegisterSigner';
const REGISTER_SIGNATURE = 'SignerGatewayService.RegisterSignature';

export class GrpcSignerGateway implements SignerGatewayPort {
  private readonly client: SignerGatewayServiceClient;

  /** `credentials`: the kit's channelCredentials (TLS, or plaintext when the signer runs insecure). */
  constructor(
    address: string,
    credentials: ChannelCredentials,
    private readonly versions: VersionMetadata,
    private readonly deadlineMs: number,
    tracer?: Tracer,
  ) {
    this.client = new SignerGatewayServiceClient(address, credentials, clientOptions(tracer));
  }

  async registerSigner(registration: SignerRegistrationRequest): Promise<Answer<RegisteredSigner>> {
    const answer = await unaryCall(
      REGISTER_SIGNER,
      this.client.registerSigner.bind(this.client),
      {
        registration: {
          epoch: registration.epoch,
          partyId: registration.partyId,
          verificationKey: Buffer.from(registration.verificationKey),
          verificationKeySignature: Buffer.from(registration.verificationKeySignature),
          operationalCertificate: Buffer.from(registration.operationalCertificate),
          kesEvolutions: registration.kesEvolutions,
        },
      },
      this.versions,
      this.deadlineMs,
    );
    const signer = answer.value.signer;
    if (signer === undefined) throw new RemoteCallError(REGISTER_SIGNER, 'malformed-response', 'the answer has no signer');
    return { value: { partyId: signer.partyId, stake: signer.stake, epoch: signer.epoch }, serverProtocolVersion: answer.serverProtocolVersion };
  }

  async registerSignature(signature: SingleSignatureSubmission): Promise<Answer<SignatureRegistrationStatus>> {
    const answer = await unaryCall(
      REGISTER_SIGNATURE,
      this.client.registerSignature.bind(this.client),
      {
        signature: {
          signedEntityType: signedEntityTypeToProto(signature.signedEntityType),
          partyId: signature.partyId,
          signature: Buffer.from(signature.signature),
          wonIndexes: signature.wonIndexes.map(BigInt),
          signedMessage: signature.signedMessage,
        },
      },
      this.versions,
      this.deadlineMs,
    );
    switch (answer.value.status) {
      case StatusMessage.SIGNATURE_REGISTRATION_STATUS_ACCEPTED:
        return { value: 'accepted', serverProtocolVersion: answer.serverProtocolVersion };
      case StatusMessage.SIGNATURE_REGISTRATION_STATUS_BUFFERED:
        return { value: 'buffered', serverProtocolVersion: answer.serverProtocolVersion };
      default:
        throw new RemoteCallError(REGISTER_SIGNATURE, 'malformed-response', `unknown signature registration status ${String(answer.value.status)}`);
    }
  }

  close(): void {
    this.client.close();
  }
}
