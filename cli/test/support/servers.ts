/**
 * Test doubles of what the client talks to: an aggregator serving the reference REST API
 * (JSON shapes of mithril-openapi.yaml, under /aggregator), an aggregator serving the gRPC
 * AggregatorService, and a file server with HTTP Range support for the published archives. They
 * serve whatever the test's AggregatorState holds, so a test can tamper with any of it, and they
 * record every request so a test can count them.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as GrpcServer, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { join } from 'node:path';
import { stringifyJson, encodeJsonHex } from '@mithril-ts/codec';
import * as proto from '@mithril-ts/proto';
import { certificateToProto, protocolParametersToProto, signedEntityTypeToProto, timestampToProto, withVersionCheck } from '@mithril-ts/proto';
import { certificateToMessage, formatTimestamp, ownSignedEntityType, type Certificate, type ProtocolParameters, type SignerRecord } from '@mithril-ts/protocol';
import { VerificationKeyPoP, avkToBytes, verificationKeyPoPToJson } from '@mithril-ts/stm';
import { NETWORK, type Fixture } from './fixture.js';

export interface SnapshotEntry {
  hash: string;
  merkleRoot: string;
  epoch: bigint;
  immutableFileNumber: bigint;
  certificateHash: string;
  totalSize: number;
  averageSize: number;
  createdAt: bigint;
  /** File names on the file server. */
  digestsFile: string;
  /** Template with "{immutable_file_number}". */
  immutablesTemplate: string;
  /** How the archives are compressed (gzip unless a test says otherwise). */
  compression?: 'gzip' | 'zstd';
  full: { name: string; size: number; sha256: string; sizeUncompressed: number } | undefined;
  ancillary?: { name: string; size: number; sha256: string; sizeUncompressed: number } | undefined;
  digests: { name: string; digest: string }[];
}

export interface StakeDistributionEntry {
  epoch: bigint;
  hash: string;
  signers: readonly SignerRecord[];
  parameters: ProtocolParameters;
  certificateHash: string;
  createdAt: bigint;
}

export interface AggregatorState {
  /** Certificates by the hash they are served under (a tampered one may not hash to it). */
  certificates: Map<string, Certificate>;
  /** Newest first. */
  certificateList: Certificate[];
  genesis: Certificate;
  /** Newest first. */
  snapshots: SnapshotEntry[];
  stakeDistributions: StakeDistributionEntry[];
  /** REST bodies to serve instead of the certificate's own JSON, by hash. */
  certificateJsonOverrides: Map<string, Record<string, unknown>>;
}

export function stateOf(fixture: Fixture): AggregatorState {
  return {
    certificates: new Map(fixture.certificates.map((certificate) => [certificate.hash, certificate])),
    certificateList: [...fixture.certificates].reverse(),
    genesis: fixture.genesis,
    snapshots: [
      {
        hash: fixture.snapshotHash,
        merkleRoot: fixture.merkleRoot,
        epoch: fixture.snapshotCertificate.epoch,
        immutableFileNumber: (fixture.snapshotCertificate.signedEntityType as { immutableFileNumber: bigint }).immutableFileNumber,
        certificateHash: fixture.snapshotCertificate.hash,
        totalSize: fixture.totalSize,
        averageSize: fixture.averageSize,
        createdAt: fixture.createdAt,
        digestsFile: 'digests.json',
        immutablesTemplate: '{immutable_file_number}.tar.gz',
        full: fixture.fullArchive,
        ancillary: fixture.ancillary,
        digests: fixture.files.map((file) => ({ name: file.name, digest: file.digest })),
      },
    ],
    stakeDistributions: [
      {
        ...fixture.stakeDistribution,
        certificateHash: fixture.stakeDistributionCertificate.hash,
        createdAt: fixture.stakeDistributionCertificate.metadata.sealedAt,
      },
    ],
    certificateJsonOverrides: new Map(),
  };
}

export interface RecordedRequest {
  readonly path: string;
  readonly range: string | undefined;
  readonly apiVersion: string | undefined;
}

/** Cuts one transfer short: sends `bytes`, waits for `until`, then drops the connection. */
export interface Interruption {
  readonly file: string;
  readonly bytes: number;
  readonly until: () => Promise<void>;
}

export interface HttpServers {
  readonly baseUrl: string;
  /** The REST API base, e.g. http://127.0.0.1:1234/aggregator. */
  readonly restUrl: string;
  readonly filesUrl: string;
  readonly requests: RecordedRequest[];
  /** Bytes served instead of a published file, by name. */
  readonly fileOverrides: Map<string, Buffer>;
  interruption: Interruption | undefined;
  state: AggregatorState;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = stringifyJson(body);
  response.writeHead(status, { 'content-type': 'application/json', 'mithril-api-version': '0.1.0' });
  response.end(text);
}

function snapshotListItemJson(entry: SnapshotEntry): Record<string, unknown> {
  return {
    hash: entry.hash,
    merkle_root: entry.merkleRoot,
    beacon: { epoch: entry.epoch, immutable_file_number: entry.immutableFileNumber },
    certificate_hash: entry.certificateHash,
    total_db_size_uncompressed: entry.totalSize,
    cardano_node_version: '10.1.4',
    created_at: formatTimestamp(entry.createdAt),
  };
}

function snapshotJson(entry: SnapshotEntry, filesUrl: string): Record<string, unknown> {
  return {
    ...snapshotListItemJson(entry),
    network: NETWORK,
    // A relative location (resolved against the API's origin) and absolute templates.
    digests: { size_uncompressed: 1024, locations: [{ type: 'aggregator', uri: `/files/${entry.digestsFile}` }] },
    immutables: {
      average_size_uncompressed: entry.averageSize,
      locations: [{ type: 'cloud_storage', uri: { Template: `${filesUrl}/${entry.immutablesTemplate}` }, compression_algorithm: entry.compression ?? 'gzip' }],
    },
    ancillary:
      entry.ancillary === undefined
        ? { size_uncompressed: 0, locations: [] }
        : {
            size_uncompressed: entry.ancillary.sizeUncompressed,
            locations: [{ type: 'cloud_storage', uri: `${filesUrl}/${entry.ancillary.name}`, compression_algorithm: 'gzip' }],
          },
    compression_algorithm: entry.compression ?? 'gzip',
  };
}

function certificateListItemJson(certificate: Certificate): Record<string, unknown> {
  const message = certificateToMessage(certificate);
  const metadata = message.metadata as Record<string, unknown>;
  return {
    hash: message.hash,
    previous_hash: message.previous_hash,
    epoch: message.epoch,
    signed_entity_type: message.signed_entity_type,
    metadata: {
      network: metadata.network,
      version: metadata.version,
      parameters: metadata.parameters,
      initiated_at: metadata.initiated_at,
      sealed_at: metadata.sealed_at,
      total_signers: certificate.metadata.signers.length,
    },
    protocol_message: message.protocol_message,
    signed_message: message.signed_message,
    aggregate_verification_key: message.aggregate_verification_key,
  };
}

function stakeDistributionJson(entry: StakeDistributionEntry): Record<string, unknown> {
  return {
    epoch: entry.epoch,
    hash: entry.hash,
    certificate_hash: entry.certificateHash,
    signers: entry.signers.map((signer) => ({
      party_id: signer.partyId,
      verification_key: encodeJsonHex(verificationKeyPoPToJson(VerificationKeyPoP.fromBytes(signer.verificationKey))),
      stake: signer.stake,
    })),
    created_at: formatTimestamp(entry.createdAt),
    protocol_parameters: { k: entry.parameters.k, m: entry.parameters.m, phi_f: entry.parameters.phiF },
  };
}

function handleApi(servers: HttpServers, path: string, response: ServerResponse): void {
  const { state } = servers;
  let match: RegExpExecArray | null;
  if (path === '/certificates') return send(response, 200, state.certificateList.map(certificateListItemJson));
  if (path === '/certificate/genesis') return send(response, 200, certificateToMessage(state.genesis));
  if ((match = /^\/certificate\/([0-9a-f]{64})$/.exec(path))) {
    const override = state.certificateJsonOverrides.get(match[1]!);
    if (override !== undefined) return send(response, 200, override);
    const certificate = state.certificates.get(match[1]!);
    return certificate === undefined ? send(response, 404, { message: 'certificate not found' }) : send(response, 200, certificateToMessage(certificate));
  }
  if (path === '/artifact/cardano-database') return send(response, 200, state.snapshots.map(snapshotListItemJson));
  if ((match = /^\/artifact\/cardano-database\/([0-9a-f]{64})$/.exec(path))) {
    const entry = state.snapshots.find((snapshot) => snapshot.hash === match![1]);
    return entry === undefined ? send(response, 404, { message: 'snapshot not found' }) : send(response, 200, snapshotJson(entry, servers.filesUrl));
  }
  if (path === '/artifact/mithril-stake-distributions') {
    return send(
      response,
      200,
      state.stakeDistributions.map((entry) => ({
        epoch: entry.epoch,
        hash: entry.hash,
        certificate_hash: entry.certificateHash,
        created_at: formatTimestamp(entry.createdAt),
      })),
    );
  }
  if ((match = /^\/artifact\/mithril-stake-distribution\/([0-9a-f]{64})$/.exec(path))) {
    const entry = state.stakeDistributions.find((distribution) => distribution.hash === match![1]);
    return entry === undefined ? send(response, 404, { message: 'not found' }) : send(response, 200, stakeDistributionJson(entry));
  }
  send(response, 404, { message: `no route ${path}` });
}

function handleFile(servers: HttpServers, name: string, request: IncomingMessage, response: ServerResponse, directory: string): void {
  const override = servers.fileOverrides.get(name);
  let size: number;
  try {
    size = override?.length ?? statSync(join(directory, name)).size;
  } catch {
    response.writeHead(404).end('no such file');
    return;
  }
  let start = 0;
  const range = request.headers.range;
  if (range !== undefined) {
    const match = /^bytes=(\d+)-$/.exec(range);
    if (match === null || Number(match[1]) >= size) {
      response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    start = Number(match[1]);
    response.writeHead(206, { 'content-length': size - start, 'content-range': `bytes ${start}-${size - 1}/${size}`, 'accept-ranges': 'bytes' });
  } else {
    response.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' });
  }
  const interruption = servers.interruption;
  if (interruption !== undefined && interruption.file === name && start === 0) {
    servers.interruption = undefined;
    const bytes = (override ?? readFileSync(join(directory, name))).subarray(0, interruption.bytes);
    response.write(bytes, () => {
      void interruption.until().then(() => response.socket?.destroy());
    });
    return;
  }
  if (override !== undefined) response.end(override.subarray(start));
  else createReadStream(join(directory, name), { start }).pipe(response);
}

/** A server's TLS identity (PEM): when given, the server speaks HTTPS / gRPC over TLS. */
export interface TlsIdentity {
  readonly key: string;
  readonly cert: string;
}

export async function startHttpServers(fixture: Fixture, options: { readonly tls?: TlsIdentity } = {}): Promise<HttpServers> {
  const servers: HttpServers = {
    baseUrl: '',
    restUrl: '',
    filesUrl: '',
    requests: [],
    fileOverrides: new Map(),
    interruption: undefined,
    state: stateOf(fixture),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const apiVersion = request.headers['mithril-api-version'];
    servers.requests.push({ path: url.pathname, range: request.headers.range, apiVersion: typeof apiVersion === 'string' ? apiVersion : undefined });
    if (url.pathname.startsWith('/aggregator/')) return handleApi(servers, url.pathname.slice('/aggregator'.length), response);
    if (url.pathname.startsWith('/files/'))
      return handleFile(servers, decodeURIComponent(url.pathname.slice('/files/'.length)), request, response, fixture.published);
    response.writeHead(404).end();
  };
  const server: Server = options.tls === undefined ? createServer(handler) : createHttpsServer(options.tls, handler);
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(servers, { baseUrl: base, restUrl: `${base}/aggregator`, filesUrl: `${base}/files` });
  const close = servers.close;
  servers.close = async () => {
    server.closeAllConnections();
    await close();
  };
  return servers;
}

// ------------------------------------------------------------------------------------------ gRPC

function snapshotProto(entry: SnapshotEntry, filesUrl: string): proto.CardanoDatabaseSnapshot {
  const gzip = entry.compression === 'zstd' ? proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD : proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP;
  return {
    hash: entry.hash,
    merkleRoot: entry.merkleRoot,
    network: NETWORK,
    beacon: { network: NETWORK, epoch: entry.epoch, immutableFileNumber: entry.immutableFileNumber },
    certificateHash: entry.certificateHash,
    totalDbSizeUncompressed: BigInt(entry.totalSize),
    createdAt: timestampToProto(entry.createdAt),
    digestsSizeUncompressed: 1024n,
    digestsLocations: [
      {
        type: 'aggregator',
        uri: `${filesUrl}/${entry.digestsFile}`,
        isTemplate: false,
        compressionAlgorithm: proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_UNSPECIFIED,
      },
    ],
    immutablesAverageSizeUncompressed: BigInt(entry.averageSize),
    immutablesLocations: [{ type: 'aggregator', uri: `${filesUrl}/${entry.immutablesTemplate}`, isTemplate: true, compressionAlgorithm: gzip }],
    fullArchiveSizeUncompressed: BigInt(entry.full?.sizeUncompressed ?? 0),
    fullArchiveLocations:
      entry.full === undefined ? [] : [{ type: 'aggregator', uri: `${filesUrl}/${entry.full.name}`, isTemplate: false, compressionAlgorithm: gzip }],
    fullArchiveSize: BigInt(entry.full?.size ?? 0),
    fullArchiveSha256: entry.full?.sha256 ?? '',
    ancillarySizeUncompressed: BigInt(entry.ancillary?.sizeUncompressed ?? 0),
    ancillaryLocations:
      entry.ancillary === undefined ? [] : [{ type: 'aggregator', uri: `${filesUrl}/${entry.ancillary.name}`, isTemplate: false, compressionAlgorithm: gzip }],
    ancillarySize: BigInt(entry.ancillary?.size ?? 0),
    ancillarySha256: entry.ancillary?.sha256 ?? '',
    compressionAlgorithm: gzip,
    cardanoNodeVersion: '10.1.4',
  };
}

type Callback = (error: unknown, value?: unknown) => void;
type Call<T> = { request: T };

function notFound(message: string): unknown {
  return proto.createServiceError({ code: proto.ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND, message });
}

export interface GrpcAggregator {
  readonly address: string;
  readonly calls: string[];
  /** Certificates served over gRPC as messages, overriding the state (tampering). */
  readonly certificateOverrides: Map<string, proto.Certificate>;
  close(): Promise<void>;
}

export async function startGrpcAggregator(servers: HttpServers, options: { readonly tls?: TlsIdentity } = {}): Promise<GrpcAggregator> {
  const calls: string[] = [];
  const certificateOverrides = new Map<string, proto.Certificate>();
  const unary =
    <Request>(name: string, handle: (request: Request) => unknown) =>
    (call: Call<Request>, callback: Callback) => {
      calls.push(name);
      try {
        const answer = handle(call.request);
        if (answer instanceof Error) callback(answer);
        else callback(null, answer);
      } catch (error) {
        callback(error);
      }
    };
  const implementation = {
    listCertificates: unary<proto.ListCertificatesRequest>('ListCertificates', (request) => ({
      certificates: servers.state.certificateList.slice(0, request.pageSize || 20).map((certificate) => ({
        hash: certificate.hash,
        previousHash: certificate.previousHash,
        epoch: certificate.epoch,
        signedEntityType: signedEntityTypeToProto(ownSignedEntityType(certificate.signedEntityType)),
        metadata: {
          network: certificate.metadata.network,
          protocolVersion: certificate.metadata.protocolVersion,
          protocolParameters: protocolParametersToProto(certificate.metadata.parameters),
          initiatedAt: timestampToProto(certificate.metadata.initiatedAt),
          sealedAt: timestampToProto(certificate.metadata.sealedAt),
          totalSigners: BigInt(certificate.metadata.signers.length),
        },
        protocolMessage: { parts: certificate.protocolMessage.entries().map(([key, value]) => ({ key, value })) },
        signedMessage: certificate.signedMessage,
        aggregateVerificationKey: Buffer.from(avkToBytes(certificate.aggregateVerificationKey)),
      })),
      nextPageToken: '',
    })),
    getCertificate: unary<proto.GetCertificateRequest>('GetCertificate', (request) => {
      const override = certificateOverrides.get(request.hash);
      if (override !== undefined) return { certificate: override, certificateJson: '' };
      const certificate = servers.state.certificates.get(request.hash);
      return certificate === undefined
        ? proto.createServiceError({ code: proto.ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND, message: `no certificate ${request.hash}` })
        : { certificate: certificateToProto(certificate), certificateJson: '' };
    }),
    getGenesisCertificate: unary<proto.GetGenesisCertificateRequest>('GetGenesisCertificate', () => ({
      certificate: certificateToProto(servers.state.genesis),
      certificateJson: '',
    })),
    listCardanoDatabaseSnapshots: unary<proto.ListCardanoDatabaseSnapshotsRequest>('ListCardanoDatabaseSnapshots', (request) => ({
      snapshots: servers.state.snapshots.slice(0, request.pageSize || 20).map((entry) => snapshotProto(entry, servers.filesUrl)),
      nextPageToken: '',
    })),
    getCardanoDatabaseSnapshot: unary<proto.GetCardanoDatabaseSnapshotRequest>('GetCardanoDatabaseSnapshot', (request) => {
      const entry = servers.state.snapshots.find((snapshot) => snapshot.hash === request.hash);
      return entry === undefined ? notFound(`no snapshot ${request.hash}`) : { snapshot: snapshotProto(entry, servers.filesUrl) };
    }),
    getCardanoDatabaseDigests: unary<proto.GetCardanoDatabaseDigestsRequest>('GetCardanoDatabaseDigests', (request) => {
      const entry = request.hash === '' ? servers.state.snapshots[0] : servers.state.snapshots.find((snapshot) => snapshot.hash === request.hash);
      return entry === undefined
        ? notFound(`no snapshot ${request.hash}`)
        : { hash: entry.hash, digests: entry.digests.map((d) => ({ immutableFileName: d.name, digest: d.digest })) };
    }),
    listMithrilStakeDistributions: unary<proto.ListMithrilStakeDistributionsRequest>('ListMithrilStakeDistributions', () => ({
      mithrilStakeDistributions: servers.state.stakeDistributions.map((entry) => ({
        epoch: entry.epoch,
        hash: entry.hash,
        certificateHash: entry.certificateHash,
        createdAt: timestampToProto(entry.createdAt),
      })),
      nextPageToken: '',
    })),
    getMithrilStakeDistribution: unary<proto.GetMithrilStakeDistributionRequest>('GetMithrilStakeDistribution', (request) => {
      const entry = servers.state.stakeDistributions.find((distribution) => distribution.hash === request.hash);
      return entry === undefined
        ? notFound(`no stake distribution ${request.hash}`)
        : {
            mithrilStakeDistribution: {
              epoch: entry.epoch,
              hash: entry.hash,
              signers: entry.signers.map((signer) => ({ partyId: signer.partyId, verificationKey: Buffer.from(signer.verificationKey), stake: signer.stake })),
              protocolParameters: protocolParametersToProto(entry.parameters),
              certificateHash: entry.certificateHash,
              createdAt: timestampToProto(entry.createdAt),
            },
          };
    }),
  };
  // A bare grpc-js server: the client's tests carry none of the services' kit.
  const server = new GrpcServer();
  server.addService(proto.AggregatorServiceService, withVersionCheck(implementation as unknown as UntypedServiceImplementation, '0.1.0'));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      options.tls === undefined
        ? ServerCredentials.createInsecure()
        : ServerCredentials.createSsl(null, [{ private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) }], false),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  const close = () => new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  return { address: `127.0.0.1:${port}`, calls, certificateOverrides, close };
}
