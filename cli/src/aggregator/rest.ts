/**
 * The aggregator's REST API (the reference's routes and JSON shapes, under a base such as
 * `https://host/aggregator`) over node's fetch. Every request carries `mithril-api-version`;
 * bodies are read with a size limit and decoded strictly.
 */
import { decodeJsonHexOrBytesHex, parseJson } from '@mithril-ts/codec';
import {
  API_VERSION_HEADER,
  MAX_CERTIFICATE_MESSAGE_BYTES,
  ProtocolError,
  assertCompatibleProtocolVersion,
  certifiedEntityTypeFromJson,
  certificateFromMessage,
  signedEntityVariantName,
  type Certificate,
  type CertifiedEntityType,
  type SignerRecord,
  type StakeDistributionSignerPart,
} from '@mithril-ts/protocol';
import { verificationKeyPoPFromJson } from '@mithril-ts/stm';
import { CliError, verificationFailed } from '../errors.js';
import { REST_API_VERSION } from '../version.js';
import { readBounded, redact, requestSignal, transportError, type Fetch } from '../http.js';
import { Reader, compressionFromText, malformed } from './decode.js';
import type {
  AggregatorClient,
  CardanoDatabaseSnapshot,
  CertificateListItem,
  FileLocation,
  ImmutableFileDigest,
  SnapshotListItem,
  StakeDistribution,
  StakeDistributionListItem,
  UnknownSignedEntityType,
} from './port.js';

/** Lists and artifacts are small; a certificate carries a multi-signature (under 1 MB on mainnet). */
const MAX_LIST_BYTES = 16 * 1024 * 1024;
const MAX_ARTIFACT_BYTES = 16 * 1024 * 1024;
const MAX_ERROR_BYTES = 16 * 1024;
const MAX_SIGNERS = 100_000;
const MAX_LOCATIONS = 64;
const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:/i;

/** A location URI as given, or resolved against the API base when relative (templates keep their braces). */
export function resolveAgainst(baseUrl: string, uri: string): string {
  if (ABSOLUTE_URI.test(uri)) return uri;
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return uri.startsWith('/') ? `${base.origin}${uri}` : `${base.toString()}${uri}`;
}

export class RestAggregatorClient implements AggregatorClient {
  readonly transport = 'rest' as const;
  readonly endpoint: string;
  private readonly fetch: Fetch;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;

  constructor(
    private readonly baseUrl: string,
    options: { fetch?: Fetch; timeoutMs?: number; signal?: AbortSignal } = {},
  ) {
    this.endpoint = baseUrl;
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.signal = options.signal;
  }

  /** The decoded JSON body, or undefined on 404. */
  private async get(path: string, what: string, maxBytes: number): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    const signal = requestSignal({ signal: this.signal, timeoutMs: this.timeoutMs });
    let response: Response;
    let body: Uint8Array;
    try {
      response = await this.fetch(url, { headers: { accept: 'application/json', [API_VERSION_HEADER]: REST_API_VERSION }, signal });
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if (!response.ok) throw await this.refusal(response, url);
      this.checkVersion(response);
      body = await readBounded(response, maxBytes, what);
    } catch (error) {
      throw transportError(url, error, signal);
    }
    try {
      return parseJson(Buffer.from(body).toString('utf8'));
    } catch (cause) {
      throw malformed(what, `not JSON (${(cause as Error).message})`, cause);
    }
  }

  private async refusal(response: Response, url: string): Promise<CliError> {
    let message = '';
    try {
      const body = parseJson(Buffer.from(await readBounded(response, MAX_ERROR_BYTES, 'error')).toString('utf8')) as { message?: unknown };
      if (typeof body?.message === 'string') message = `: ${body.message.slice(0, 500)}`;
    } catch {
      // The status alone has to do.
    }
    const incompatible = response.status === 412 || response.status === 406;
    return new CliError('network', `the aggregator refused GET ${redact(url)}: HTTP ${response.status}${message}`, {
      reason: incompatible ? 'INCOMPATIBLE_VERSION' : `HTTP_${response.status}`,
    });
  }

  private checkVersion(response: Response): void {
    const version = response.headers.get(API_VERSION_HEADER);
    if (version === null) return;
    try {
      assertCompatibleProtocolVersion(version, REST_API_VERSION);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw new CliError('network', `the aggregator at ${this.endpoint} speaks an incompatible API version: ${error.message}`, {
        reason: 'INCOMPATIBLE_VERSION',
      });
    }
  }

  private async list(path: string, what: string): Promise<unknown[]> {
    const body = await this.get(path, what, MAX_LIST_BYTES);
    if (body === undefined)
      throw new CliError('network', `the aggregator has no ${path} route (is ${this.endpoint} the API base, e.g. https://host/aggregator?)`, {
        reason: 'HTTP_404',
      });
    return new Reader(what).array(body, what, 100_000);
  }

  private certificateOf(body: unknown, hash: string): Certificate {
    try {
      return certificateFromMessage(body);
    } catch (cause) {
      if (cause instanceof ProtocolError && cause.code === 'INVALID_SIGNED_ENTITY_TYPE' && /^unsupported signed entity type/.test(cause.message))
        throw verificationFailed(
          'UNKNOWN_SIGNED_ENTITY_TYPE',
          `certificate ${hash.slice(0, 16)}… certifies a kind this client does not know (${cause.message.replace(/^unsupported signed entity type /, '')}): its hash mixes in that kind's beacon, which this client cannot rebuild, so nothing can be verified through it; a newer client may know the kind`,
          cause,
        );
      throw verificationFailed(
        'INVALID_CERTIFICATE',
        `the aggregator served an invalid certificate for ${hash.slice(0, 16)}…: ${(cause as Error).message}`,
        cause,
      );
    }
  }

  async listCertificates(limit: number): Promise<CertificateListItem[]> {
    const items = await this.list('/certificates', 'certificate list');
    const reader: Reader = new Reader('certificate list');
    return items.slice(0, limit).map((item, i) => {
      const entry = reader.object(item, `[${i}]`);
      const metadata = reader.object(entry.metadata, `[${i}].metadata`);
      const signedEntityType = listedEntityType(reader, entry.signed_entity_type, `[${i}].signed_entity_type`);
      return {
        hash: reader.hex64(entry.hash, `[${i}].hash`),
        previousHash: reader.string(entry.previous_hash, `[${i}].previous_hash`, 64),
        epoch: reader.u64(entry.epoch, `[${i}].epoch`),
        signedEntityType,
        sealedAt: reader.optionalString(metadata.sealed_at, `[${i}].metadata.sealed_at`, 64),
        totalSigners: Number(reader.u64(metadata.total_signers ?? 0, `[${i}].metadata.total_signers`)),
      };
    });
  }

  async getCertificate(hash: string): Promise<Certificate | undefined> {
    const body = await this.get(`/certificate/${encodeURIComponent(hash)}`, 'certificate', MAX_CERTIFICATE_MESSAGE_BYTES);
    return body === undefined ? undefined : this.certificateOf(body, hash);
  }

  async getGenesisCertificate(): Promise<Certificate | undefined> {
    const body = await this.get('/certificate/genesis', 'certificate', MAX_CERTIFICATE_MESSAGE_BYTES);
    return body === undefined ? undefined : this.certificateOf(body, 'genesis');
  }

  async listSnapshots(limit: number): Promise<SnapshotListItem[]> {
    const items = await this.list('/artifact/cardano-database', 'snapshot list');
    const reader: Reader = new Reader('snapshot list');
    return items.slice(0, limit).map((item, i) => snapshotListItemFromJson(reader, reader.object(item, `[${i}]`)));
  }

  async getSnapshot(hash: string): Promise<CardanoDatabaseSnapshot | undefined> {
    const body = await this.get(`/artifact/cardano-database/${encodeURIComponent(hash)}`, 'snapshot', MAX_ARTIFACT_BYTES);
    if (body === undefined) return undefined;
    const reader: Reader = new Reader('Cardano database snapshot');
    const message = reader.object(body, 'snapshot');
    const digests = reader.object(message.digests, 'digests');
    const immutables = reader.object(message.immutables, 'immutables');
    // Required by the reference's shape, but older aggregators may leave it out.
    const ancillary = message.ancillary === undefined ? undefined : reader.object(message.ancillary, 'ancillary');
    const ancillaryLocations = ancillary === undefined ? [] : this.locations(reader, ancillary.locations ?? [], 'ancillary.locations', false);
    return {
      ...snapshotListItemFromJson(reader, message),
      network: reader.string(message.network, 'network', 64),
      digests: {
        sizeUncompressed: reader.u64(digests.size_uncompressed ?? 0, 'digests.size_uncompressed'),
        locations: this.locations(reader, digests.locations, 'digests.locations', false),
      },
      immutables: {
        averageSizeUncompressed: reader.u64(immutables.average_size_uncompressed ?? 0, 'immutables.average_size_uncompressed'),
        locations: this.locations(reader, immutables.locations, 'immutables.locations', true),
      },
      // The REST API offers no full archive.
      fullArchive: undefined,
      compression: compressionFromText(reader.optionalString(message.compression_algorithm, 'compression_algorithm', 64)),
      ancillary:
        ancillary === undefined || ancillaryLocations.length === 0
          ? undefined
          : { sizeUncompressed: reader.u64(ancillary.size_uncompressed ?? 0, 'ancillary.size_uncompressed'), locations: ancillaryLocations },
    };
  }

  private locations(reader: Reader, value: unknown, field: string, templates: boolean): FileLocation[] {
    return reader.array(value, field, MAX_LOCATIONS).flatMap((item, i) => {
      const location = reader.object(item, `${field}[${i}]`);
      let uri: string;
      if (templates) {
        // The reference tags template URIs: {"Template": "https://…/{immutable_file_number}.tar.gz"}.
        const tagged = typeof location.uri === 'object' && location.uri !== null ? (location.uri as Record<string, unknown>).Template : location.uri;
        uri = reader.string(tagged, `${field}[${i}].uri.Template`, 4096);
      } else {
        uri = reader.string(location.uri, `${field}[${i}].uri`, 4096);
      }
      return [
        {
          type: reader.optionalString(location.type, `${field}[${i}].type`, 64),
          uri: resolveAgainst(this.baseUrl, uri),
          compression: compressionFromText(reader.optionalString(location.compression_algorithm, `${field}[${i}].compression_algorithm`, 64)),
        },
      ];
    });
  }

  async getSnapshotDigests(): Promise<ImmutableFileDigest[] | undefined> {
    // The REST API only serves the digests of the latest snapshot: use the snapshot's locations.
    return undefined;
  }

  async listStakeDistributions(limit: number): Promise<StakeDistributionListItem[]> {
    const items = await this.list('/artifact/mithril-stake-distributions', 'stake distribution list');
    const reader: Reader = new Reader('stake distribution list');
    return items.slice(0, limit).map((item, i) => {
      const entry = reader.object(item, `[${i}]`);
      return {
        epoch: reader.u64(entry.epoch, `[${i}].epoch`),
        hash: reader.hex64(entry.hash, `[${i}].hash`),
        certificateHash: reader.hex64(entry.certificate_hash, `[${i}].certificate_hash`),
        createdAt: reader.optionalString(entry.created_at, `[${i}].created_at`, 64),
      };
    });
  }

  async getStakeDistribution(hash: string): Promise<StakeDistribution | undefined> {
    const body = await this.get(`/artifact/mithril-stake-distribution/${encodeURIComponent(hash)}`, 'stake distribution', MAX_ARTIFACT_BYTES);
    if (body === undefined) return undefined;
    const reader: Reader = new Reader('stake distribution');
    const message = reader.object(body, 'stake distribution');
    const parameters = reader.object(message.protocol_parameters, 'protocol_parameters');
    return {
      epoch: reader.u64(message.epoch, 'epoch'),
      hash: reader.hex64(message.hash, 'hash'),
      certificateHash: reader.hex64(message.certificate_hash, 'certificate_hash'),
      createdAt: reader.optionalString(message.created_at, 'created_at', 64),
      ...signersFromJson(reader, reader.array(message.signers, 'signers', MAX_SIGNERS)),
      parameters: {
        k: reader.u64(parameters.k, 'protocol_parameters.k'),
        m: reader.u64(parameters.m, 'protocol_parameters.m'),
        phiF: reader.number(parameters.phi_f, 'protocol_parameters.phi_f'),
      },
    };
  }

  close(): void {
    // fetch keeps no connection state we own.
  }
}

/**
 * A listed certificate's signed entity type. A kind no one here knows (a newer aggregator's) is
 * listed as unknown rather than failing the whole list; only a value that is not a reference
 * signed entity type at all (not an object with one variant) is malformed.
 */
function listedEntityType(reader: Reader, value: unknown, field: string): CertifiedEntityType | UnknownSignedEntityType {
  let name: string;
  try {
    name = signedEntityVariantName(value);
  } catch (cause) {
    reader.fail(`${field}: ${(cause as Error).message}`);
  }
  try {
    return certifiedEntityTypeFromJson(value);
  } catch {
    const body = (value as Record<string, unknown>)[name];
    const epochOf = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : typeof v === 'bigint' && v >= 0n ? v : undefined);
    const epoch =
      epochOf(body) ??
      (Array.isArray(body) ? epochOf(body[0]) : typeof body === 'object' && body !== null ? epochOf((body as { epoch?: unknown }).epoch) : undefined);
    return { kind: 'unknown', name, epoch };
  }
}

function snapshotListItemFromJson(reader: Reader, message: Record<string, unknown>): SnapshotListItem {
  const beacon = reader.object(message.beacon, 'beacon');
  return {
    hash: reader.hex64(message.hash, 'hash'),
    merkleRoot: reader.string(message.merkle_root, 'merkle_root', 256),
    beacon: { epoch: reader.u64(beacon.epoch, 'beacon.epoch'), immutableFileNumber: reader.u64(beacon.immutable_file_number, 'beacon.immutable_file_number') },
    certificateHash: reader.hex64(message.certificate_hash, 'certificate_hash'),
    totalDbSizeUncompressed: reader.u64(message.total_db_size_uncompressed ?? 0, 'total_db_size_uncompressed'),
    createdAt: reader.optionalString(message.created_at, 'created_at', 64),
    cardanoNodeVersion: reader.optionalString(message.cardano_node_version, 'cardano_node_version', 64),
  };
}

/** The signers, and the same as the artifact hash covers them: the key texts exactly as served. */
function signersFromJson(reader: Reader, items: unknown[]): { signers: SignerRecord[]; hashParts: StakeDistributionSignerPart[] } {
  const signers: SignerRecord[] = [];
  const hashParts: StakeDistributionSignerPart[] = [];
  items.forEach((item, i) => {
    const signer = reader.object(item, `signers[${i}]`);
    const record = signerFromJson(reader, signer, i);
    signers.push(record);
    hashParts.push({
      partyId: record.partyId,
      verificationKey: reader.string(signer.verification_key, `signers[${i}].verification_key`, 8192).trim(),
      verificationKeySignature: optionalText(reader, signer.verification_key_signature, `signers[${i}].verification_key_signature`),
      operationalCertificate: optionalText(reader, signer.operational_certificate, `signers[${i}].operational_certificate`),
      stake: record.stake,
    });
  });
  return { signers, hashParts };
}

function optionalText(reader: Reader, value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : reader.string(value, field, 16384).trim();
}

/** A signer's Mithril key is json-hex of {vk, pop} (the reference) or hex of its bytes. */
function signerFromJson(reader: Reader, signer: Record<string, unknown>, i: number): SignerRecord {
  const keyText = reader.string(signer.verification_key, `signers[${i}].verification_key`, 8192);
  let verificationKey: Uint8Array;
  try {
    const decoded = decodeJsonHexOrBytesHex(keyText, { maxBytes: 4096 });
    verificationKey = decoded.kind === 'json' ? verificationKeyPoPFromJson(decoded.value).toBytes() : decoded.bytes;
  } catch (cause) {
    reader.fail(`signers[${i}].verification_key: ${(cause as Error).message}`);
  }
  return { partyId: reader.string(signer.party_id, `signers[${i}].party_id`, 256), verificationKey, stake: reader.u64(signer.stake, `signers[${i}].stake`) };
}
