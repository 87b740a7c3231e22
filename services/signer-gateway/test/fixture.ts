/**
 * Test doubles and material for the signer gateway tests: an aggregator double (a small grpc-js
 * server that records what it receives), a signing round with real STM keys, and promise-based
 * calls to the gateway.
 */
import { createHash } from 'node:crypto';
import {
  credentials,
  type Metadata,
  Server,
  ServerCredentials,
  type ChannelCredentials,
  type ServerErrorResponse,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { encodeBech32 } from '@mithril-ts/codec';
import {
  AggregatorServiceService,
  SignatureRegistrationStatus,
  SignerGatewayServiceClient,
  setVersionMetadata,
  type CertifiedSigner,
  type EpochSettings,
  type RegisterSignaturesRequest,
  type RegisterSignerRequest,
  type SignerGatewayServiceRegisterSignatureResponse,
  type SignerGatewayServiceRegisterSignerResponse,
  type SignerRegistration,
  type SingleSignature as SingleSignatureMessage,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION, closeSignerSet, signedMessageBytes, type SignerSet } from '@mithril-ts/protocol';
import {
  Initializer,
  LotteryEvaluator,
  LotteryThreshold,
  SingleSignature,
  signedMessage as stmSignedMessage,
  singleSignatureToBytes,
  type Parameters,
  type Signer,
} from '@mithril-ts/stm';

export const sha256 = (text: string) => createHash('sha256').update(text).digest();
export const hexMessage = (label: string) => sha256(label).toString('hex');

/** A bech32 pool id for a made-up pool (signature tests need no cold key). */
export const poolId = (label: string) => encodeBech32('pool', sha256(`pool ${label}`).subarray(0, 28));

/** Records every call and answers as told. */
export class AggregatorDouble {
  epochSettings: EpochSettings;
  epochSettingsCalls = 0;
  readonly signerRequests: RegisterSignerRequest[] = [];
  readonly signatureRequests: RegisterSignaturesRequest[] = [];
  /** Metadata and deadline of every call, in order. */
  readonly calls: { method: string; metadata: Metadata; deadline: number }[] = [];
  registerSignerError: ServerErrorResponse | undefined;
  signatureError: ServerErrorResponse | undefined;
  signatureStatus = SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED;
  private readonly server = new Server();
  port = 0;

  constructor(epochSettings: EpochSettings) {
    this.epochSettings = epochSettings;
  }

  /** `serverCredentials`: plaintext unless a test gives TLS ones. */
  async start(serverCredentials: ServerCredentials = ServerCredentials.createInsecure()): Promise<this> {
    type Call<T> = { request: T; metadata: Metadata; getDeadline(): Date | number };
    type Callback = (error: ServerErrorResponse | null, response?: unknown) => void;
    const record = (method: string, call: Call<unknown>) => this.calls.push({ method, metadata: call.metadata, deadline: Number(call.getDeadline()) });
    const implementation = {
      getEpochSettings: (call: Call<unknown>, callback: Callback) => {
        record('GetEpochSettings', call);
        this.epochSettingsCalls += 1;
        callback(null, { epochSettings: this.epochSettings });
      },
      registerSigner: (call: Call<RegisterSignerRequest>, callback: Callback) => {
        record('RegisterSigner', call);
        if (this.registerSignerError) return callback(this.registerSignerError);
        this.signerRequests.push(call.request);
        callback(null, { signer: { ...call.request.certification!, epoch: call.request.certification!.epoch + 1n } satisfies CertifiedSigner });
      },
      registerSignatures: (call: Call<RegisterSignaturesRequest>, callback: Callback) => {
        record('RegisterSignatures', call);
        if (this.signatureError) return callback(this.signatureError);
        this.signatureRequests.push(call.request);
        callback(null, { status: this.signatureStatus });
      },
    };
    this.server.addService(AggregatorServiceService, implementation as unknown as UntypedServiceImplementation);
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', serverCredentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }
}

export interface RoundParty {
  readonly partyId: string;
  readonly stake: bigint;
  readonly initializer: Initializer;
  readonly signer: Signer;
}

/** Real STM keys for a few parties, closed as the gateway will close them from the epoch settings. */
export function signingRound(params: Parameters, stakes: readonly bigint[], epoch: bigint) {
  const initializers = stakes.map((stake, i) => Initializer.generate(params, stake, sha256(`signer ${i}`)));
  const records = initializers.map((initializer, i) => ({
    partyId: poolId(`signer ${i}`),
    verificationKey: initializer.verificationKeyPoP.toBytes(),
    stake: initializer.stake,
  }));
  const signerSet: SignerSet = closeSignerSet(records);
  const parties: RoundParty[] = initializers.map((initializer, i) => ({
    partyId: records[i]!.partyId,
    stake: initializer.stake,
    initializer,
    signer: initializer.newSigner(signerSet.closed),
  }));
  const epochSettings: EpochSettings = {
    epoch,
    currentProtocolParameters: { k: params.k, m: params.m, phiF: params.phiF },
    nextProtocolParameters: { k: params.k, m: params.m, phiF: params.phiF },
    signerRegistrationProtocolParameters: { k: params.k, m: params.m, phiF: params.phiF },
    currentSigners: records.map((record) => ({ partyId: record.partyId, verificationKey: Buffer.from(record.verificationKey), stake: record.stake })),
    nextSigners: [],
  };
  return { params, parties, signerSet, epochSettings, epoch };
}

/** The party's signature of `message` (64-char hex); every test party wins some index. */
export function sign(party: RoundParty, message: string): SingleSignature {
  const signature = party.signer.sign(signedMessageBytes(message));
  if (signature === null) throw new Error(`test party ${party.partyId} won no lottery`);
  return signature;
}

/**
 * A signature under `party`'s index that wins its lottery for `message` but whose sigma signs
 * another message: only the BLS check can catch it.
 */
export function forgedSignature(party: RoundParty, message: string, round: ReturnType<typeof signingRound>): SingleSignature {
  const msgp = stmSignedMessage(signedMessageBytes(message), round.signerSet.avk);
  const threshold = new LotteryThreshold(round.params.phiF, party.stake, round.signerSet.avk.totalStake);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const sigma = sign(party, hexMessage(`forgery ${attempt}`)).sigma;
    const evaluator = new LotteryEvaluator(msgp, sigma.toBytes());
    const won = Array.from({ length: Number(round.params.m) }, (_, i) => i).filter((i) => evaluator.wins(i, threshold));
    if (won.length > 0) return new SingleSignature(sigma, won, party.signer.signerIndex);
  }
  throw new Error('no forgery wins a lottery');
}

export function mithrilStakeDistribution(epoch: bigint) {
  return { entity: { $case: 'mithrilStakeDistribution' as const, value: { epoch } } };
}

/** The wire message of a signature, consistent unless a field is overridden. */
export function signatureMessage(
  party: { partyId: string },
  signature: SingleSignature,
  message: string,
  epoch: bigint,
  overrides: Partial<SingleSignatureMessage> = {},
): SingleSignatureMessage {
  return {
    signedEntityType: mithrilStakeDistribution(epoch),
    partyId: party.partyId,
    signature: Buffer.from(singleSignatureToBytes(signature)),
    wonIndexes: signature.indexes.map(BigInt),
    signedMessage: message,
    ...overrides,
  };
}

export const versionMetadata = () => setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION });

export class GatewayCaller {
  private readonly client: SignerGatewayServiceClient;

  constructor(port: number, channelCredentials: ChannelCredentials = credentials.createInsecure()) {
    this.client = new SignerGatewayServiceClient(`127.0.0.1:${port}`, channelCredentials);
  }

  register(registration: SignerRegistration | undefined, metadata: Metadata = versionMetadata()): Promise<SignerGatewayServiceRegisterSignerResponse> {
    return new Promise((resolve, reject) =>
      this.client.registerSigner({ registration }, metadata, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  submit(signature: SingleSignatureMessage | undefined, metadata: Metadata = versionMetadata()): Promise<SignerGatewayServiceRegisterSignatureResponse> {
    return new Promise((resolve, reject) =>
      this.client.registerSignature({ signature }, metadata, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  close(): void {
    this.client.close();
  }
}

export async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}
