/** The AggregatorService gRPC handlers: decode, ask the runtime or the store, map errors to typed gRPC errors. */
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { context as otelContext, SpanStatusCode, type Meter, type Tracer } from '@opentelemetry/api';
import * as proto from '@mithril-ts/proto';
import { ErrorCode, checkCallVersions, createServiceError, WireError, certificateListItemToProto, certificateToProto, encodedCertificateToProto, protocolParametersToProto, signedEntityKindFromProto, signedEntityTypeFromProto, withVersionCheck } from '@mithril-ts/proto';
import { ProtocolError, certificateHeadFromJson, encodedCertificateFromJson, epoch as toEpoch, type Certificate, type SignedEntityKind } from '@mithril-ts/protocol';
import { extractTraceContext, type HostedService, type Logger } from '@mithril-ts/service-kit';
import { AggregatorStoreError, type AggregatorStore, type CertificateRecord, type SignerRegistrationRecord } from './store/index.js';
import { AggregatorError, type AggregatorErrorCode } from './runtime/errors.js';
import type { AggregatorRuntime } from './runtime/aggregator-runtime.js';
import { mithrilStakeDistributionArtifact } from './artifacts.js';
import type { Snapshotter } from './snapshots.js';

const ERROR_CODES: Record<AggregatorErrorCode, ErrorCode> = {
  MALFORMED_REQUEST: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
  NOT_READY: ErrorCode.ERROR_CODE_NOT_READY,
  REGISTRATION_ROUND_NOT_OPEN: ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN,
  UNKNOWN_SIGNER: ErrorCode.ERROR_CODE_UNKNOWN_SIGNER,
  VERIFICATION_KEY_INVALID: ErrorCode.ERROR_CODE_VERIFICATION_KEY_INVALID,
  CERTIFICATION_MISMATCH: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED,
  NO_OPEN_MESSAGE: ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE,
  SIGNATURE_TOO_LATE: ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE,
  SIGNATURE_INVALID: ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
  UNKNOWN_EPOCH: ErrorCode.ERROR_CODE_UNKNOWN_EPOCH,
  CERTIFICATE_NOT_FOUND: ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND,
  ARTIFACT_NOT_FOUND: ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND,
  INVALID_PAGE_TOKEN: ErrorCode.ERROR_CODE_INVALID_PAGE_TOKEN,
  GENESIS: ErrorCode.ERROR_CODE_NOT_READY,
};

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 200;
const HASH = /^[0-9a-f]{64}$/;

export interface AggregatorGrpcOptions {
  readonly runtime: AggregatorRuntime;
  readonly store: AggregatorStore;
  /** Where the immutable file digests of a snapshot come from; without it they are not served. */
  readonly snapshotter?: Snapshotter | undefined;
  readonly nodeVersion: string;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly meter: Meter;
}

function toServiceError(error: unknown, logger: Logger) {
  if (error instanceof AggregatorError) return createServiceError({ code: ERROR_CODES[error.code], message: error.message, metadata: { reason: error.code } });
  if (error instanceof WireError || error instanceof ProtocolError) return createServiceError({ code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST, message: error.message });
  if (error instanceof AggregatorStoreError && error.code === 'INVALID_ARGUMENT') return createServiceError({ code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST, message: error.message });
  logger.error({ err: error }, 'aggregator request failed');
  return createServiceError({ code: ErrorCode.ERROR_CODE_UNSPECIFIED, message: 'internal error' });
}

function pageOf(request: { pageSize: number; pageToken: string }): { limit: number; offset: number } {
  const limit = Math.min(request.pageSize === 0 ? DEFAULT_PAGE_SIZE : request.pageSize, MAX_PAGE_SIZE);
  if (request.pageToken === '') return { limit, offset: 0 };
  const match = /^o([0-9]{1,9})$/.exec(request.pageToken);
  if (match === null) throw new AggregatorError('INVALID_PAGE_TOKEN', 'the page token is not one this aggregator issued');
  return { limit, offset: Number(match[1]) };
}

function signerToProto(record: SignerRegistrationRecord): proto.Signer {
  return {
    partyId: record.partyId,
    verificationKey: Buffer.from(record.verificationKey),
    ...(record.kesSignature !== null ? { verificationKeySignature: Buffer.from(record.kesSignature) } : {}),
    ...(record.operationalCertificate !== null ? { operationalCertificate: Buffer.from(record.operationalCertificate) } : {}),
    ...(record.kesEvolutions !== null ? { kesEvolutions: record.kesEvolutions } : {}),
    stake: record.stake,
  };
}

/**
 * A stored certificate in the form asked for: its reference JSON as stored (what a REST relay
 * serves), or the message, transcoded from that JSON without decoding the multi-signature's
 * points (milliseconds for a mainnet-size certificate, where decoding takes seconds). The points
 * were checked when the certificate was sealed; clients check them again.
 */
function certificateAnswer(record: CertificateRecord, form: proto.CertificateForm): { certificate: proto.Certificate | undefined; certificateJson: string } {
  switch (form) {
    case proto.CertificateForm.CERTIFICATE_FORM_REFERENCE_JSON:
      return { certificate: undefined, certificateJson: record.json };
    case proto.CertificateForm.CERTIFICATE_FORM_UNSPECIFIED:
      return { certificate: encodedCertificateToProto(encodedCertificateFromJson(record.json)), certificateJson: '' };
    default:
      throw new AggregatorError('MALFORMED_REQUEST', `unknown certificate form ${String(form)}`);
  }
}

/** A stored certificate without its multi-signature decoded: all a listing needs (see CertificateHead). */
const head = (record: CertificateRecord) => certificateHeadFromJson(record.json);

function legacySnapshot(snapshot: proto.CardanoDatabaseSnapshot): proto.Snapshot {
  return {
    digest: snapshot.merkleRoot,
    ...(snapshot.beacon !== undefined ? { beacon: snapshot.beacon } : {}),
    size: snapshot.fullArchiveSize,
    locations: snapshot.fullArchiveLocations.map((location) => location.uri),
    compressionAlgorithm: snapshot.compressionAlgorithm,
    certificateHash: snapshot.certificateHash,
    ...(snapshot.createdAt !== undefined ? { createdAt: snapshot.createdAt } : {}),
    cardanoNodeVersion: snapshot.cardanoNodeVersion,
  };
}

export function aggregatorGrpcService(options: AggregatorGrpcOptions): HostedService {
  const { runtime, store, logger, tracer, meter } = options;
  const registrations = meter.createCounter('mithril_aggregator_registrations_total', { description: 'signer registrations by outcome' });
  const epochSettingsAnswers = new WeakMap<object, proto.GetEpochSettingsResponse>();
  const signatures = meter.createCounter('mithril_aggregator_signatures_total', { description: 'single signatures by outcome' });
  // Every watcher is sent the same message: built once per sealed certificate.
  let announced: { readonly certificate: Certificate; readonly message: proto.Certificate } | undefined;
  const announcement = (certificate: Certificate): proto.Certificate => {
    if (announced?.certificate !== certificate) announced = { certificate, message: certificateToProto(certificate) };
    return announced.message;
  };

  /** Runs a unary handler in a span that continues the caller's trace. */
  function unary<Req, Res>(name: string, body: (request: Req) => Promise<Res>, onOutcome?: (outcome: string) => void) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      const parent = extractTraceContext(call.metadata, otelContext.active());
      tracer.startActiveSpan(`AggregatorService/${name}`, {}, parent, (span) => {
        body(call.request).then(
          (response) => {
            onOutcome?.('accepted');
            span.end();
            callback(null, response);
          },
          (error: unknown) => {
            onOutcome?.(error instanceof AggregatorError ? error.code : 'error');
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
            span.end();
            callback(toServiceError(error, logger));
          },
        );
      });
    };
  }

  const implementation = {
    getEpochSettings: unary<proto.GetEpochSettingsRequest, proto.GetEpochSettingsResponse>('GetEpochSettings', async () => {
      const context = runtime.context;
      // Every signer polls this; with thousands of signers the answer is megabytes: built once per epoch.
      const cached = epochSettingsAnswers.get(context);
      if (cached !== undefined) return cached;
      const { settings } = context;
      const answer: proto.GetEpochSettingsResponse = {
        epochSettings: {
          epoch: context.epoch,
          currentProtocolParameters: protocolParametersToProto(settings.currentParameters),
          nextProtocolParameters: protocolParametersToProto(settings.nextParameters),
          currentSigners: context.currentRecords.map(signerToProto),
          nextSigners: context.nextRecords.map(signerToProto),
          signerRegistrationProtocolParameters: protocolParametersToProto(context.registrationParameters),
        },
      };
      epochSettingsAnswers.set(context, answer);
      return answer;
    }),

    getProtocolParameters: unary<proto.GetProtocolParametersRequest, proto.GetProtocolParametersResponse>('GetProtocolParameters', async (request) => {
      const stored = await store.epochSettings.get(toEpoch(request.epoch));
      if (stored === null) throw new AggregatorError('UNKNOWN_EPOCH', `no protocol parameters are published for epoch ${request.epoch}`);
      return { protocolParameters: protocolParametersToProto(stored.protocolParameters) };
    }),

    listCertificates: unary<proto.ListCertificatesRequest, proto.ListCertificatesResponse>('ListCertificates', async (request) => {
      const page = pageOf(request);
      const records = await store.certificates.latest({ limit: page.limit + 1, offset: page.offset });
      return {
        certificates: records.slice(0, page.limit).map((record) => certificateListItemToProto(head(record))),
        nextPageToken: records.length > page.limit ? `o${page.offset + page.limit}` : '',
      };
    }),

    getCertificate: unary<proto.GetCertificateRequest, proto.GetCertificateResponse>('GetCertificate', async (request) => {
      if (!HASH.test(request.hash)) throw new AggregatorError('MALFORMED_REQUEST', 'a certificate hash is 64 lowercase hex characters');
      const record = await store.certificates.get(request.hash);
      if (record === null) throw new AggregatorError('CERTIFICATE_NOT_FOUND', `no certificate has hash ${request.hash}`);
      return certificateAnswer(record, request.form);
    }),

    getGenesisCertificate: unary<proto.GetGenesisCertificateRequest, proto.GetGenesisCertificateResponse>('GetGenesisCertificate', async (request) => {
      const record = await store.certificates.latestGenesis();
      if (record === null) throw new AggregatorError('CERTIFICATE_NOT_FOUND', 'no genesis certificate exists yet');
      return certificateAnswer(record, request.form);
    }),

    // The legacy snapshot shape: the full archive of a Cardano database snapshot.
    listSnapshots: unary<proto.ListSnapshotsRequest, proto.ListSnapshotsResponse>('ListSnapshots', async (request) => {
      const page = pageOf(request);
      const records = await store.cardanoDatabaseSnapshots.latest({ limit: page.limit + 1, offset: page.offset });
      return {
        snapshots: records.slice(0, page.limit).map((record) => legacySnapshot(proto.CardanoDatabaseSnapshot.decode(record.content))),
        nextPageToken: records.length > page.limit ? `o${page.offset + page.limit}` : '',
      };
    }),

    getSnapshot: unary<proto.GetSnapshotRequest, proto.GetSnapshotResponse>('GetSnapshot', async (request) => {
      if (!HASH.test(request.digest)) throw new AggregatorError('MALFORMED_REQUEST', 'a snapshot digest is 64 lowercase hex characters');
      for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
        const records = await store.cardanoDatabaseSnapshots.latest({ limit: MAX_PAGE_SIZE, offset });
        const found = records.find((record) => record.merkleRoot === request.digest);
        if (found !== undefined) return { snapshot: legacySnapshot(proto.CardanoDatabaseSnapshot.decode(found.content)) };
        if (records.length < MAX_PAGE_SIZE) throw new AggregatorError('ARTIFACT_NOT_FOUND', `no snapshot has digest ${request.digest}`);
      }
    }),

    listMithrilStakeDistributions: unary<proto.ListMithrilStakeDistributionsRequest, proto.ListMithrilStakeDistributionsResponse>('ListMithrilStakeDistributions', async (request) => {
      const page = pageOf(request);
      const records = await store.certificates.latestOfKind('MithrilStakeDistribution', { limit: page.limit + 1, offset: page.offset });
      const items: proto.MithrilStakeDistributionListItem[] = [];
      for (const record of records.slice(0, page.limit)) {
        const artifact = await mithrilStakeDistributionArtifact(store, head(record));
        if (artifact !== null) items.push({ epoch: artifact.epoch, hash: artifact.hash, certificateHash: artifact.certificateHash, createdAt: artifact.createdAt });
      }
      return { mithrilStakeDistributions: items, nextPageToken: records.length > page.limit ? `o${page.offset + page.limit}` : '' };
    }),

    getMithrilStakeDistribution: unary<proto.GetMithrilStakeDistributionRequest, proto.GetMithrilStakeDistributionResponse>('GetMithrilStakeDistribution', async (request) => {
      if (!HASH.test(request.hash)) throw new AggregatorError('MALFORMED_REQUEST', 'a stake distribution hash is 64 lowercase hex characters');
      for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
        const records = await store.certificates.latestOfKind('MithrilStakeDistribution', { limit: MAX_PAGE_SIZE, offset });
        for (const record of records) {
          const artifact = await mithrilStakeDistributionArtifact(store, head(record));
          if (artifact?.hash === request.hash) return { mithrilStakeDistribution: artifact };
        }
        if (records.length < MAX_PAGE_SIZE) throw new AggregatorError('ARTIFACT_NOT_FOUND', `no Mithril stake distribution has hash ${request.hash}`);
      }
    }),

    listRegisteredSigners: unary<proto.ListRegisteredSignersRequest, proto.ListRegisteredSignersResponse>('ListRegisteredSigners', async (request) => {
      const epoch = toEpoch(request.epoch);
      return { epoch, signers: (await store.signerRegistrations.list(epoch)).map(signerToProto) };
    }),

    listCardanoDatabaseSnapshots: unary<proto.ListCardanoDatabaseSnapshotsRequest, proto.ListCardanoDatabaseSnapshotsResponse>('ListCardanoDatabaseSnapshots', async (request) => {
      const page = pageOf(request);
      const filter = request.epoch === undefined ? {} : { epoch: toEpoch(request.epoch) };
      const records = await store.cardanoDatabaseSnapshots.latest({ limit: page.limit + 1, offset: page.offset }, filter);
      return {
        snapshots: records.slice(0, page.limit).map((record) => proto.CardanoDatabaseSnapshot.decode(record.content)),
        nextPageToken: records.length > page.limit ? `o${page.offset + page.limit}` : '',
      };
    }),

    getCardanoDatabaseSnapshot: unary<proto.GetCardanoDatabaseSnapshotRequest, proto.GetCardanoDatabaseSnapshotResponse>('GetCardanoDatabaseSnapshot', async (request) => {
      if (!HASH.test(request.hash)) throw new AggregatorError('MALFORMED_REQUEST', 'a snapshot hash is 64 lowercase hex characters');
      const record = await store.cardanoDatabaseSnapshots.get(request.hash);
      if (record === null) throw new AggregatorError('ARTIFACT_NOT_FOUND', `no Cardano database snapshot has hash ${request.hash}`);
      return { snapshot: proto.CardanoDatabaseSnapshot.decode(record.content) };
    }),

    getCardanoDatabaseDigests: unary<proto.GetCardanoDatabaseDigestsRequest, proto.GetCardanoDatabaseDigestsResponse>('GetCardanoDatabaseDigests', async (request) => {
      if (request.hash !== '' && !HASH.test(request.hash)) throw new AggregatorError('MALFORMED_REQUEST', 'a snapshot hash is 64 lowercase hex characters');
      const record = request.hash === '' ? ((await store.cardanoDatabaseSnapshots.latest({ limit: 1 }))[0] ?? null) : await store.cardanoDatabaseSnapshots.get(request.hash);
      if (record === null) throw new AggregatorError('ARTIFACT_NOT_FOUND', request.hash === '' ? 'no Cardano database snapshot exists yet' : `no Cardano database snapshot has hash ${request.hash}`);
      if (options.snapshotter === undefined) throw new AggregatorError('NOT_READY', 'this aggregator has no snapshotter to read the digests from');
      const snapshot = proto.CardanoDatabaseSnapshot.decode(record.content);
      if (snapshot.beacon === undefined) throw new AggregatorError('ARTIFACT_NOT_FOUND', `snapshot ${record.hash} has no beacon`);
      return { hash: record.hash, digests: await options.snapshotter.listImmutableFileDigests(snapshot.beacon) };
    }),

    registerSigner: unary<proto.RegisterSignerRequest, proto.RegisterSignerResponse>(
      'RegisterSigner',
      async (request) => {
        const { registration, certification } = request;
        if (registration === undefined) throw new AggregatorError('MALFORMED_REQUEST', 'registration is missing');
        if (certification === undefined) throw new AggregatorError('MALFORMED_REQUEST', 'certification is missing: registrations come through the signer gateway');
        const record = await runtime.registerSigner({
          epoch: registration.epoch,
          partyId: registration.partyId,
          verificationKey: new Uint8Array(registration.verificationKey),
          kesSignature: registration.verificationKeySignature === undefined ? null : new Uint8Array(registration.verificationKeySignature),
          operationalCertificate: registration.operationalCertificate === undefined ? null : new Uint8Array(registration.operationalCertificate),
          kesEvolutions: registration.kesEvolutions ?? null,
          certified: { partyId: certification.partyId, stake: certification.stake, epoch: certification.epoch },
        });
        return { signer: { partyId: record.partyId, stake: record.stake, epoch: registration.epoch } };
      },
      (outcome) => registrations.add(1, { outcome }),
    ),

    registerSignatures: unary<proto.RegisterSignaturesRequest, proto.RegisterSignaturesResponse>(
      'RegisterSignatures',
      async (request) => {
        const signature = request.signature;
        if (signature === undefined) throw new AggregatorError('MALFORMED_REQUEST', 'signature is missing');
        await runtime.registerSignature({
          signedEntityType: signedEntityTypeFromProto(signature.signedEntityType, 'signature.signed_entity_type'),
          partyId: signature.partyId,
          signature: new Uint8Array(signature.signature),
          signedMessage: signature.signedMessage,
        });
        return { status: proto.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED };
      },
      (outcome) => signatures.add(1, { outcome }),
    ),
  };

  const watchCertificates = (call: ServerWritableStream<proto.WatchCertificatesRequest, proto.WatchCertificatesResponse>) => {
    const refusal = checkCallVersions(call, options.nodeVersion);
    if (refusal !== undefined) {
      call.emit('error', refusal);
      return;
    }
    let kinds: Set<SignedEntityKind>;
    try {
      kinds = new Set(call.request.signedEntityKinds.map(signedEntityKindFromProto).filter((k): k is SignedEntityKind => k !== undefined));
    } catch (error) {
      call.emit('error', toServiceError(error, logger));
      return;
    }
    const onCertificate = (certificate: Certificate) => {
      if (kinds.size > 0 && !kinds.has(certificate.signedEntityType.kind)) return;
      call.write({ certificate: announcement(certificate) });
    };
    runtime.on('certificate', onCertificate);
    const stop = () => {
      runtime.off('certificate', onCertificate);
      call.end();
    };
    call.on('cancelled', stop);
    call.on('close', () => runtime.off('certificate', onCertificate));
  };

  const versioned = withVersionCheck(implementation as unknown as UntypedServiceImplementation, options.nodeVersion);
  return {
    name: 'mithril.v1.AggregatorService',
    definition: proto.AggregatorServiceService,
    implementation: { ...versioned, watchCertificates } as UntypedServiceImplementation,
  };
}
