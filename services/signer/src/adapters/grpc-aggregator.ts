/**
 * The aggregator as the signer sees it: `AggregatorService.GetEpochSettings` over gRPC, decoded
 * strictly and with bounds (the answer is then checked by the runtime: PoPs, its own key).
 */
import type { ChannelCredentials } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import {
  AggregatorServiceClient,
  type EpochSettings as EpochSettingsMessage,
  type Signer as SignerMessage,
  type VersionMetadata,
  WireError,
  protocolParametersFromProto,
} from '@mithril-ts/proto';
import type { SignerRecord } from '@mithril-ts/protocol';
import { RemoteCallError } from '../errors.js';
import type { AggregatorPort, AnnouncedEpochSettings, Answer } from '../ports.js';
import { clientOptions, unaryCall } from './grpc-call.js';

const CALL = 'AggregatorService.GetEpochSettings';
/** Far above any real network (mainnet has ~3000 pools). */
export const MAX_ANNOUNCED_SIGNERS = 100_000;
const VERIFICATION_KEY_BYTES = 192;
const MAX_PARTY_ID_LENGTH = 128;
const U64_MAX = (1n << 64n) - 1n;

function signersFrom(messages: readonly SignerMessage[], what: string): SignerRecord[] {
  if (messages.length > MAX_ANNOUNCED_SIGNERS) throw new WireError(`${what}: ${messages.length} signers, above the limit of ${MAX_ANNOUNCED_SIGNERS}`);
  const seen = new Set<string>();
  return messages.map((signer, position) => {
    const where = `${what}[${position}]`;
    if (typeof signer.partyId !== 'string' || signer.partyId.length === 0 || signer.partyId.length > MAX_PARTY_ID_LENGTH) {
      throw new WireError(`${where}.party_id must be 1 to ${MAX_PARTY_ID_LENGTH} characters`);
    }
    if (seen.has(signer.partyId)) throw new WireError(`${where}: party ${signer.partyId} is listed twice`);
    seen.add(signer.partyId);
    if (!(signer.verificationKey instanceof Uint8Array) || signer.verificationKey.length !== VERIFICATION_KEY_BYTES) {
      throw new WireError(`${where}.verification_key must be ${VERIFICATION_KEY_BYTES} bytes, got ${signer.verificationKey?.length}`);
    }
    if (typeof signer.stake !== 'bigint' || signer.stake <= 0n || signer.stake > U64_MAX) throw new WireError(`${where}.stake must be a positive u64`);
    return { partyId: signer.partyId, verificationKey: new Uint8Array(signer.verificationKey), stake: signer.stake };
  });
}

/** The wire message to what the runtime works with; a WireError names the faulty field. */
export function announcedEpochSettingsFromProto(message: EpochSettingsMessage | undefined): AnnouncedEpochSettings {
  if (message === undefined) throw new WireError('epoch_settings is missing');
  if (typeof message.epoch !== 'bigint' || message.epoch < 0n || message.epoch > U64_MAX) throw new WireError('epoch_settings.epoch must be a u64');
  return {
    epoch: message.epoch,
    currentParameters: protocolParametersFromProto(message.currentProtocolParameters, 'epoch_settings.current_protocol_parameters'),
    nextParameters: protocolParametersFromProto(message.nextProtocolParameters, 'epoch_settings.next_protocol_parameters'),
    registrationParameters: protocolParametersFromProto(message.signerRegistrationProtocolParameters, 'epoch_settings.signer_registration_protocol_parameters'),
    currentSigners: signersFrom(message.currentSigners, 'epoch_settings.current_signers'),
    nextSigners: signersFrom(message.nextSigners, 'epoch_settings.next_signers'),
  };
}

export class GrpcAggregator implements AggregatorPort {
  private readonly client: AggregatorServiceClient;

  /** `credentials`: the kit's channelCredentials (TLS, or plaintext when the signer runs insecure). */
  constructor(
    address: string,
    credentials: ChannelCredentials,
    private readonly versions: VersionMetadata,
    private readonly deadlineMs: number,
    tracer?: Tracer,
  ) {
    this.client = new AggregatorServiceClient(address, credentials, clientOptions(tracer));
  }

  async epochSettings(): Promise<Answer<AnnouncedEpochSettings>> {
    const answer = await unaryCall(CALL, this.client.getEpochSettings.bind(this.client), {}, this.versions, this.deadlineMs);
    try {
      return { value: announcedEpochSettingsFromProto(answer.value.epochSettings), serverProtocolVersion: answer.serverProtocolVersion };
    } catch (error) {
      throw new RemoteCallError(CALL, 'malformed-response', (error as Error).message, undefined, undefined, { cause: error });
    }
  }

  close(): void {
    this.client.close();
  }
}
