/**
 * The aggregator over gRPC (proto/mithril/v1/aggregator_service.proto): version metadata on every
 * call, a deadline, the server's protocol version checked, typed errors read from the status
 * details, and strict mapping of the answers to the client's types.
 */
import { type Metadata, credentials, status, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { kesSignatureToJson, operationalCertificateFromCbor, operationalCertificateToJson } from '@mithril-ts/cardano';
import { encodeJsonHex } from '@mithril-ts/codec';
import * as proto from '@mithril-ts/proto';
import { WireError, certificateFromProto, protocolParametersFromProto, signedEntityTypeFromProto, timestampFromProto } from '@mithril-ts/proto';
import {
  PROTOCOL_VERSION,
  ProtocolError,
  assertCompatibleProtocolVersion,
  formatTimestamp,
  stakeDistributionSignerPart,
  type Certificate,
  type SignedEntityType,
  type SignerRecord,
  type StakeDistributionSignerPart,
} from '@mithril-ts/protocol';
import { CliError, verificationFailed } from '../errors.js';
import { cleanGrpcDetails, grpcTransportHint } from '../diagnose.js';
import { certificateError } from '../tls.js';
import { CLIENT_VERSION } from '../version.js';
import { Reader, digestsListFromEntries, malformed } from './decode.js';
import type {
  AggregatorClient,
  CardanoDatabaseSnapshot,
  CertificateListItem,
  Compression,
  FileLocation,
  ImmutableFileDigest,
  SnapshotListItem,
  StakeDistribution,
  StakeDistributionListItem,
  UnknownSignedEntityType,
} from './port.js';

/** A certificate is under 1 MB, a mainnet digests list a few MB; leave room, refuse the absurd. */
export const MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024 * 1024;
const MAX_SIGNERS = 100_000;

type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Response) => void,
) => ClientUnaryCall;

const UNREACHABLE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED]);

function callError(endpoint: string, tls: boolean, call: string, error: ServiceError): CliError {
  const detail = proto.readErrorDetail(error);
  const text = detail?.message ?? error.details ?? error.message;
  if (error.code === status.NOT_FOUND) return new CliError('not-found', `${call}: ${text}`, { reason: 'NOT_FOUND', cause: error });
  // A refused server certificate surfaces as UNAVAILABLE with OpenSSL's text in the details.
  const refusedCertificate = error.code === status.UNAVAILABLE ? certificateError(endpoint, error) : undefined;
  if (refusedCertificate !== undefined) return refusedCertificate;
  if (UNREACHABLE.has(error.code)) {
    const details = cleanGrpcDetails(text);
    const hint = error.code === status.UNAVAILABLE ? grpcTransportHint(endpoint, tls, details) : undefined;
    if (hint !== undefined)
      return new CliError('network', `the aggregator at ${endpoint} is unreachable: ${hint} (${call}: ${details})`, { reason: 'UNREACHABLE', cause: error });
    return new CliError('network', `the aggregator at ${endpoint} is unreachable (${call}: ${status[error.code]}: ${details})`, {
      reason: 'UNREACHABLE',
      cause: error,
    });
  }
  const reason = detail !== undefined ? proto.errorCodeToJSON(detail.code) : `GRPC_${status[error.code] ?? error.code}`;
  return new CliError('network', `the aggregator at ${endpoint} refused ${call}: ${reason}: ${text}`, { reason, cause: error });
}

function compressionOf(value: proto.CompressionAlgorithm): Compression {
  switch (value) {
    case proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP:
      return 'gzip';
    case proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD:
      return 'zstandard';
    default:
      return 'none';
  }
}

function locationsOf(reader: Reader, locations: readonly proto.ArtifactLocation[], field: string, templates: boolean): FileLocation[] {
  if (locations.length > 64) reader.fail(`${field} has more than 64 locations`);
  return locations
    .filter((location) => location.isTemplate === templates)
    .map((location, i) => ({
      type: reader.string(location.type, `${field}[${i}].type`, 64),
      uri: reader.string(location.uri, `${field}[${i}].uri`, 4096),
      compression: compressionOf(location.compressionAlgorithm),
    }));
}

function createdAt(reader: Reader, timestamp: proto.Timestamp | undefined, field: string): string {
  if (timestamp === undefined) return '';
  try {
    return formatTimestamp(timestampFromProto(timestamp, field));
  } catch (cause) {
    return reader.fail(`${field}: ${(cause as Error).message}`);
  }
}

export function snapshotFromProto(message: proto.CardanoDatabaseSnapshot | undefined): CardanoDatabaseSnapshot {
  const reader: Reader = new Reader('Cardano database snapshot');
  if (message === undefined) reader.fail('the snapshot is missing');
  const beacon = message.beacon ?? reader.fail('beacon is missing');
  const hasFullArchive = message.fullArchiveLocations.length > 0;
  return {
    hash: reader.hex64(message.hash, 'hash'),
    merkleRoot: reader.string(message.merkleRoot, 'merkle_root', 256),
    network: reader.string(message.network, 'network', 64),
    beacon: { epoch: beacon.epoch, immutableFileNumber: beacon.immutableFileNumber },
    certificateHash: reader.hex64(message.certificateHash, 'certificate_hash'),
    totalDbSizeUncompressed: message.totalDbSizeUncompressed,
    createdAt: createdAt(reader, message.createdAt, 'created_at'),
    cardanoNodeVersion: reader.string(message.cardanoNodeVersion, 'cardano_node_version', 64),
    digests: { sizeUncompressed: message.digestsSizeUncompressed, locations: locationsOf(reader, message.digestsLocations, 'digests_locations', false) },
    immutables: {
      averageSizeUncompressed: message.immutablesAverageSizeUncompressed,
      locations: locationsOf(reader, message.immutablesLocations, 'immutables_locations', true),
    },
    fullArchive: hasFullArchive
      ? {
          size: message.fullArchiveSize,
          sizeUncompressed: message.fullArchiveSizeUncompressed,
          sha256: reader.hex64(message.fullArchiveSha256, 'full_archive_sha256'),
          locations: locationsOf(reader, message.fullArchiveLocations, 'full_archive_locations', false),
        }
      : undefined,
    compression: compressionOf(message.compressionAlgorithm),
    ancillary:
      message.ancillaryLocations.length > 0
        ? {
            sizeUncompressed: message.ancillarySizeUncompressed,
            size: message.ancillarySize,
            sha256: reader.hex64(message.ancillarySha256, 'ancillary_sha256'),
            locations: locationsOf(reader, message.ancillaryLocations, 'ancillary_locations', false),
          }
        : undefined,
  };
}

/**
 * gRPC carries bytes: the artifact hash covers their json-hex texts (as the REST gateway serves
 * them), KES signature and operational certificate included when present.
 */
function signersWithHashParts(
  messages: readonly proto.Signer[],
  record: (signer: proto.Signer, i: number) => SignerRecord,
): { signers: SignerRecord[]; hashParts: StakeDistributionSignerPart[] } {
  const signers = messages.map(record);
  const hashParts = messages.map((message, i) => ({
    ...stakeDistributionSignerPart(signers[i]!),
    verificationKeySignature: message.verificationKeySignature === undefined ? undefined : encodeJsonHex(kesSignatureToJson(message.verificationKeySignature)),
    operationalCertificate:
      message.operationalCertificate === undefined
        ? undefined
        : encodeJsonHex(operationalCertificateToJson(operationalCertificateFromCbor(message.operationalCertificate))),
  }));
  return { signers, hashParts };
}

/**
 * A newer server's kind arrives as a oneof case this client's generated code does not know (so no
 * case at all): listed as unknown rather than failing the whole list.
 */
function listedEntityType(item: proto.CertificateListItem): SignedEntityType | UnknownSignedEntityType {
  if (item.signedEntityType?.entity === undefined) return { kind: 'unknown', name: 'a kind unknown to this client', epoch: item.epoch };
  return signedEntityTypeFromProto(item.signedEntityType);
}

function snapshotListItemOf(snapshot: CardanoDatabaseSnapshot): SnapshotListItem {
  const { hash, merkleRoot, beacon, certificateHash, totalDbSizeUncompressed, createdAt, cardanoNodeVersion } = snapshot;
  return { hash, merkleRoot, beacon, certificateHash, totalDbSizeUncompressed, createdAt, cardanoNodeVersion };
}

function wire<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (cause instanceof CliError) throw cause;
    throw malformed(what, (cause as Error).message, cause);
  }
}

export class GrpcAggregatorClient implements AggregatorClient {
  readonly transport = 'grpc' as const;
  private readonly client: proto.AggregatorServiceClient;
  private readonly deadlineMs: number;
  private readonly tls: boolean;

  constructor(
    readonly endpoint: string,
    address: string,
    /** `ca`: PEM certificates trusted instead of the system's (--ca-file). */
    options: { tls?: boolean; ca?: Buffer; deadlineMs?: number } = {},
  ) {
    this.client = new proto.AggregatorServiceClient(address, options.tls ? credentials.createSsl(options.ca ?? null) : credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
    });
    this.deadlineMs = options.deadlineMs ?? 30_000;
    this.tls = options.tls === true;
  }

  private call<Request, Response>(name: string, method: UnaryMethod<Request, Response>, request: Request): Promise<Response> {
    const metadata = proto.setVersionMetadata({ nodeVersion: CLIENT_VERSION, protocolVersion: PROTOCOL_VERSION });
    return new Promise((resolve, reject) => {
      let incompatible: CliError | undefined;
      const pending = method.call(this.client, request, metadata, { deadline: Date.now() + this.deadlineMs }, (error, response) => {
        if (incompatible) reject(incompatible);
        else if (error) reject(callError(this.endpoint, this.tls, name, error));
        else resolve(response);
      });
      pending.on('metadata', (received: Metadata) => {
        const { protocolVersion } = proto.readVersionMetadata(received);
        if (protocolVersion === undefined) return;
        try {
          assertCompatibleProtocolVersion(protocolVersion);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          incompatible = new CliError('network', `the aggregator at ${this.endpoint} speaks an incompatible protocol: ${error.message}`, {
            reason: 'INCOMPATIBLE_VERSION',
          });
        }
      });
    });
  }

  private async orUndefined<T>(pending: Promise<T>): Promise<T | undefined> {
    try {
      return await pending;
    } catch (error) {
      if (error instanceof CliError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  private certificateOf(message: proto.Certificate | undefined, hash: string): Certificate {
    try {
      return certificateFromProto(message);
    } catch (cause) {
      // A certificate whose content does not decode, or does not hash to its hash, cannot be
      // trusted whatever the reason: that is a verification failure, not a transport one.
      if (cause instanceof WireError)
        throw verificationFailed('INVALID_CERTIFICATE', `the aggregator served an invalid certificate for ${hash.slice(0, 16)}…: ${cause.message}`, cause);
      throw cause;
    }
  }

  async listCertificates(limit: number): Promise<CertificateListItem[]> {
    const response = await this.call('ListCertificates', this.client.listCertificates, { pageSize: limit, pageToken: '' });
    return wire('certificate list', () =>
      response.certificates.slice(0, limit).map((item) => {
        const reader: Reader = new Reader('certificate list');
        return {
          hash: reader.hex64(item.hash, 'hash'),
          previousHash: reader.string(item.previousHash, 'previous_hash', 64),
          epoch: item.epoch,
          signedEntityType: listedEntityType(item),
          sealedAt: createdAt(reader, item.metadata?.sealedAt, 'metadata.sealed_at'),
          totalSigners: Number(item.metadata?.totalSigners ?? 0n),
        };
      }),
    );
  }

  async getCertificate(hash: string): Promise<Certificate | undefined> {
    const response = await this.orUndefined(
      this.call('GetCertificate', this.client.getCertificate, { hash, form: proto.CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }),
    );
    return response === undefined ? undefined : this.certificateOf(response.certificate, hash);
  }

  async getGenesisCertificate(): Promise<Certificate | undefined> {
    const response = await this.orUndefined(
      this.call('GetGenesisCertificate', this.client.getGenesisCertificate, { form: proto.CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }),
    );
    return response === undefined ? undefined : this.certificateOf(response.certificate, 'genesis');
  }

  async listSnapshots(limit: number): Promise<SnapshotListItem[]> {
    const response = await this.call('ListCardanoDatabaseSnapshots', this.client.listCardanoDatabaseSnapshots, { pageSize: limit, pageToken: '' });
    return wire('snapshot list', () => response.snapshots.slice(0, limit).map((snapshot) => snapshotListItemOf(snapshotFromProto(snapshot))));
  }

  async getSnapshot(hash: string): Promise<CardanoDatabaseSnapshot | undefined> {
    const response = await this.orUndefined(this.call('GetCardanoDatabaseSnapshot', this.client.getCardanoDatabaseSnapshot, { hash }));
    return response === undefined ? undefined : wire('snapshot', () => snapshotFromProto(response.snapshot));
  }

  async getSnapshotDigests(snapshot: CardanoDatabaseSnapshot): Promise<ImmutableFileDigest[] | undefined> {
    const response = await this.orUndefined(this.call('GetCardanoDatabaseDigests', this.client.getCardanoDatabaseDigests, { hash: snapshot.hash }));
    if (response === undefined) return undefined;
    if (response.hash !== snapshot.hash) throw malformed('digests list', `asked for snapshot ${snapshot.hash}, got the digests of ${response.hash}`);
    return digestsListFromEntries(response.digests);
  }

  async listStakeDistributions(limit: number): Promise<StakeDistributionListItem[]> {
    const response = await this.call('ListMithrilStakeDistributions', this.client.listMithrilStakeDistributions, { pageSize: limit, pageToken: '' });
    return wire('stake distribution list', () =>
      response.mithrilStakeDistributions.slice(0, limit).map((item) => {
        const reader: Reader = new Reader('stake distribution list');
        return {
          epoch: item.epoch,
          hash: reader.hex64(item.hash, 'hash'),
          certificateHash: reader.hex64(item.certificateHash, 'certificate_hash'),
          createdAt: createdAt(reader, item.createdAt, 'created_at'),
        };
      }),
    );
  }

  async getStakeDistribution(hash: string): Promise<StakeDistribution | undefined> {
    const response = await this.orUndefined(this.call('GetMithrilStakeDistribution', this.client.getMithrilStakeDistribution, { hash }));
    if (response === undefined) return undefined;
    return wire('stake distribution', () => {
      const reader: Reader = new Reader('stake distribution');
      const message = response.mithrilStakeDistribution ?? reader.fail('the stake distribution is missing');
      if (message.signers.length > MAX_SIGNERS) reader.fail(`more than ${MAX_SIGNERS} signers`);
      return {
        epoch: message.epoch,
        hash: reader.hex64(message.hash, 'hash'),
        certificateHash: reader.hex64(message.certificateHash, 'certificate_hash'),
        createdAt: createdAt(reader, message.createdAt, 'created_at'),
        ...signersWithHashParts(message.signers, (signer, i) => ({
          partyId: reader.string(signer.partyId, `signers[${i}].party_id`, 256),
          verificationKey: new Uint8Array(signer.verificationKey),
          stake: signer.stake,
        })),
        parameters: protocolParametersFromProto(message.protocolParameters),
      };
    });
  }

  close(): void {
    this.client.close();
  }
}
