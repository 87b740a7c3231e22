/**
 * The reference aggregator's routes under `/aggregator`, each translated to one gRPC call (or
 * served from the response cache), answered in the reference's JSON shapes.
 */
import negotiate from '@fastify/accept-negotiator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SignatureRegistrationStatus } from '@mithril-ts/proto';
import type { SignedEntityKind } from '@mithril-ts/protocol';
import { stringifyJson } from '@mithril-ts/codec';
import { OPENAPI_VERSION } from './api-version.js';
import type { Compression, ResponseCache, Rendered } from './cache.js';
import { RestError, badRequest, invalidUpstreamAnswer } from './errors.js';
import {
  cardanoDatabaseDigestsMessage,
  cardanoDatabaseSnapshotListItemMessage,
  cardanoDatabaseSnapshotMessage,
  mithrilStakeDistributionListItemMessage,
  mithrilStakeDistributionMessage,
} from './messages/artifacts.js';
import { certificateListItemMessage, certificateMessageJson } from './messages/certificates.js';
import { epochSettingsMessage, protocolConfigurationMessage, registeredSignersMessage } from './messages/epochs.js';
import { required } from './messages/common.js';
import { rootMessage } from './messages/root.js';
import { aggregatorStatusMessage } from './messages/status.js';
import { signerRegistrationFromMessage, singleSignatureFromMessage } from './requests.js';
import type { AggregatorUpstream, SignerGatewayUpstream } from './upstream.js';

export const BASE_PATH = '/aggregator';

export interface RouteOptions {
  readonly aggregator: AggregatorUpstream;
  readonly signerGateway: SignerGatewayUpstream;
  readonly cache: ResponseCache;
  readonly listPageSize: number;
  readonly volatileMaxAgeSeconds: number;
  readonly signedEntityTypes: readonly SignedEntityKind[];
}

/** A certificate or an artifact named by its hash never changes. */
const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
const HASH = /^[0-9a-f]{64}$/;
const EPOCH = /^(?:0|[1-9][0-9]{0,19})$/;
const LATEST = /^latest(?:-(0|[1-9][0-9]{0,19}))?$/;
const U64_LIMIT = 1n << 64n;
/** In order of preference when a client accepts several equally. */
const COMPRESSIONS: Compression[] = ['br', 'gzip'];

/** Renders an upstream answer; an answer that does not fit the reference's shape is the upstream's fault. */
async function fromAggregator<T>(call: () => Promise<T>, toMessage: (answer: T) => unknown): Promise<string> {
  const answer = await call();
  try {
    const message = toMessage(answer);
    return typeof message === 'string' ? message : stringifyJson(message);
  } catch (error) {
    throw invalidUpstreamAnswer('aggregator', error);
  }
}

/** RFC 9110: If-None-Match uses the weak comparison (opaque tags equal, W/ ignored); "*" matches any. */
function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

/** The coding to send `value` in: br or gzip by the request's Accept-Encoding (q-values honoured), identity otherwise. */
function codingFor(request: FastifyRequest, value: Rendered): Compression | 'identity' {
  const accepted = request.headers['accept-encoding'];
  if (accepted === undefined || !value.compressible) return 'identity';
  return negotiate(accepted, COMPRESSIONS) ?? 'identity';
}

async function send(request: FastifyRequest, reply: FastifyReply, value: Rendered, cacheControl: string): Promise<FastifyReply> {
  const coding = codingFor(request, value);
  const etag = value.etagOf(coding);
  reply.header('etag', etag).header('cache-control', cacheControl).header('vary', 'accept-encoding');
  if (notModified(request, etag)) return reply.code(304).send();
  if (coding !== 'identity') reply.header('content-encoding', coding);
  return reply
    .code(200)
    .type('application/json')
    .send(await value.bodyIn(coding));
}

function hashParameter(value: string, what: string): string {
  if (!HASH.test(value)) throw badRequest(`${what} must be 64 lowercase hexadecimal characters`);
  return value;
}

function epochParameter(value: string): bigint {
  const epoch = EPOCH.test(value) ? BigInt(value) : undefined;
  if (epoch === undefined || epoch >= U64_LIMIT) throw badRequest(`epoch must be a non-negative integer below 2^64, got ${JSON.stringify(value.slice(0, 30))}`);
  return epoch;
}

export function registerRoutes(app: FastifyInstance, options: RouteOptions): void {
  const { aggregator, signerGateway, cache, listPageSize, signedEntityTypes } = options;
  const volatileCacheControl = `public, max-age=${options.volatileMaxAgeSeconds}`;
  const volatile = (request: FastifyRequest, reply: FastifyReply, key: string, produce: () => Promise<string>) =>
    cache.volatile(key, produce).then((value) => send(request, reply, value, volatileCacheControl));
  const immutable = (request: FastifyRequest, reply: FastifyReply, key: string, produce: () => Promise<string>) =>
    cache.immutable(key, produce).then((value) => send(request, reply, value, IMMUTABLE_CACHE_CONTROL));

  /** "latest" and "latest-N" are the aggregator's current epoch (minus N), as the reference resolves them. */
  async function epochOrLatest(value: string): Promise<bigint> {
    const latest = LATEST.exec(value);
    if (latest === null) return epochParameter(value);
    const offset = BigInt(latest[1] ?? '0');
    const rendered = await cache.volatile('current-epoch', () =>
      fromAggregator(
        () => aggregator.getEpochSettings(),
        (answer) => String(required(answer.epochSettings, 'epoch_settings').epoch),
      ),
    );
    const current = BigInt(rendered.body.toString('utf8'));
    if (offset > current) throw badRequest(`${value} is before epoch 0 (the current epoch is ${current})`);
    return current - offset;
  }

  const root = rootMessage(OPENAPI_VERSION, signedEntityTypes);
  const rootHandler = (request: FastifyRequest, reply: FastifyReply) => volatile(request, reply, 'root', async () => stringifyJson(root));
  app.get(BASE_PATH, rootHandler);
  app.get(`${BASE_PATH}/`, rootHandler);

  // A fixed route, shared by every caller through the cache: one upstream call per period at most.
  app.get(`${BASE_PATH}/status`, (request, reply) =>
    volatile(request, reply, 'status', () => fromAggregator(() => aggregator.getAggregatorStatus(), aggregatorStatusMessage)),
  );

  app.get(`${BASE_PATH}/epoch-settings`, (request, reply) =>
    volatile(request, reply, 'epoch-settings', () =>
      fromAggregator(
        () => aggregator.getEpochSettings(),
        (answer) =>
          epochSettingsMessage(answer, (partyId, error) => request.log.warn({ partyId, err: error }, 'epoch settings: undecodable signer entry skipped')),
      ),
    ),
  );

  app.get<{ Params: { epoch: string } }>(`${BASE_PATH}/protocol-configuration/:epoch`, (request, reply) => {
    const epoch = epochParameter(request.params.epoch);
    return volatile(request, reply, `protocol-configuration/${epoch}`, () =>
      fromAggregator(
        () => aggregator.getProtocolParameters(epoch),
        (answer) => protocolConfigurationMessage(answer, signedEntityTypes),
      ),
    );
  });

  app.get(`${BASE_PATH}/certificates`, (request, reply) =>
    volatile(request, reply, 'certificates', () =>
      fromAggregator(
        () => aggregator.listCertificates(listPageSize),
        (answer) => answer.certificates.map(certificateListItemMessage),
      ),
    ),
  );

  // A new genesis (after an epoch gap) replaces it: not immutable.
  app.get(`${BASE_PATH}/certificate/genesis`, (request, reply) =>
    volatile(request, reply, 'certificate/genesis', () =>
      fromAggregator(
        () => aggregator.getGenesisCertificate(),
        (answer) => certificateMessageJson(answer),
      ),
    ),
  );

  app.get<{ Params: { hash: string } }>(`${BASE_PATH}/certificate/:hash`, (request, reply) => {
    const hash = hashParameter(request.params.hash, 'certificate hash');
    return immutable(request, reply, `certificate/${hash}`, () =>
      fromAggregator(
        () => aggregator.getCertificate(hash),
        (answer) => certificateMessageJson(answer, hash),
      ),
    );
  });

  app.get(`${BASE_PATH}/artifact/mithril-stake-distributions`, (request, reply) =>
    volatile(request, reply, 'mithril-stake-distributions', () =>
      fromAggregator(
        () => aggregator.listMithrilStakeDistributions(listPageSize),
        (answer) => answer.mithrilStakeDistributions.map(mithrilStakeDistributionListItemMessage),
      ),
    ),
  );

  app.get<{ Params: { hash: string } }>(`${BASE_PATH}/artifact/mithril-stake-distribution/:hash`, (request, reply) => {
    const hash = hashParameter(request.params.hash, 'Mithril stake distribution hash');
    return immutable(request, reply, `mithril-stake-distribution/${hash}`, () =>
      fromAggregator(
        () => aggregator.getMithrilStakeDistribution(hash),
        (answer) => mithrilStakeDistributionMessage(answer, hash),
      ),
    );
  });

  app.get(`${BASE_PATH}/artifact/cardano-database`, (request, reply) =>
    volatile(request, reply, 'cardano-database', () =>
      fromAggregator(
        () => aggregator.listCardanoDatabaseSnapshots(listPageSize),
        (answer) => answer.snapshots.map(cardanoDatabaseSnapshotListItemMessage),
      ),
    ),
  );

  app.get<{ Params: { epoch: string } }>(`${BASE_PATH}/artifact/cardano-database/epoch/:epoch`, async (request, reply) => {
    const epoch = await epochOrLatest(request.params.epoch);
    return volatile(request, reply, `cardano-database/epoch/${epoch}`, () =>
      fromAggregator(
        () => aggregator.listCardanoDatabaseSnapshots(listPageSize, epoch),
        (answer) => answer.snapshots.map(cardanoDatabaseSnapshotListItemMessage),
      ),
    );
  });

  app.get(`${BASE_PATH}/artifact/cardano-database/digests`, (request, reply) =>
    volatile(request, reply, 'cardano-database/digests', () =>
      fromAggregator(() => aggregator.getLatestCardanoDatabaseDigests(), cardanoDatabaseDigestsMessage),
    ),
  );

  app.get<{ Params: { hash: string } }>(`${BASE_PATH}/artifact/cardano-database/:hash`, (request, reply) => {
    const hash = hashParameter(request.params.hash, 'Cardano database snapshot hash');
    return immutable(request, reply, `cardano-database/${hash}`, () =>
      fromAggregator(
        () => aggregator.getCardanoDatabaseSnapshot(hash),
        (answer) => cardanoDatabaseSnapshotMessage(answer, hash),
      ),
    );
  });

  app.get<{ Params: { epoch: string } }>(`${BASE_PATH}/signers/registered/:epoch`, async (request, reply) => {
    const registeredAt = await epochOrLatest(request.params.epoch);
    if (registeredAt + 1n >= U64_LIMIT) throw badRequest('epoch is too large');
    return volatile(request, reply, `signers/registered/${registeredAt}`, async () => {
      // Registrations made during epoch E are recorded for E + 1.
      const answer = await aggregator.listRegisteredSigners(registeredAt + 1n);
      if (answer.signers.length === 0) throw new RestError(404, 'not_found', `no signer registered at epoch ${registeredAt}`);
      try {
        return stringifyJson(registeredSignersMessage(registeredAt, answer));
      } catch (error) {
        throw invalidUpstreamAnswer('aggregator', error);
      }
    });
  });

  app.post(`${BASE_PATH}/register-signer`, async (request, reply) => {
    const registration = signerRegistrationFromMessage(request.body);
    await signerGateway.registerSigner(registration);
    return reply.code(201).header('cache-control', 'no-store').send();
  });

  app.post(`${BASE_PATH}/register-signatures`, async (request, reply) => {
    const signature = singleSignatureFromMessage(request.body);
    const answer = await signerGateway.registerSignature(signature);
    switch (answer.status) {
      case SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED:
        return reply.code(201).header('cache-control', 'no-store').send();
      case SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_BUFFERED:
        return reply.code(202).header('cache-control', 'no-store').send();
      default:
        throw invalidUpstreamAnswer('signer gateway', new Error(`unknown signature registration status ${answer.status}`));
    }
  });
}
