/** The REST gateway's composition root: configuration in, a listening HTTP server out. */
import { readFileSync } from 'node:fs';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError } from 'fastify';
import { parseJson } from '@mithril-ts/codec';
import { QUICK_DURATION_BUCKETS_SECONDS, channelCredentials, closeDraining, createLogger, startTelemetry, type Logger } from '@mithril-ts/service-kit';
import { API_VERSION_HEADER, OPENAPI_VERSION, apiVersionRejection } from './api-version.js';
import { ResponseCache } from './cache.js';
import type { RestGatewayConfig } from './config.js';
import { RestError, badRequest } from './errors.js';
import { registerHardening } from './hardening.js';
import { registerHealthRoute } from './health.js';
import { defaultExplorerDirectory, registerExplorer } from './explorer.js';
import { registerRoutes } from './routes.js';
import { AggregatorUpstream, SignerGatewayUpstream } from './upstream.js';

export const REST_GATEWAY_VERSION = '0.1.0';

export interface RunningRestGateway {
  readonly port: number;
  /** Bound port of the Prometheus endpoint, when configured. */
  readonly metricsPort: number | undefined;
  /** Stops taking requests, lets those in progress finish, then closes the upstream channels. */
  close(): Promise<void>;
}

/** Framework errors (body too large, unsupported media type, ...) in the reference's Error shape. */
function asRestError(error: unknown): RestError {
  if (error instanceof RestError) return error;
  const framework = error as Partial<FastifyError>;
  if (typeof framework.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
    const label =
      framework.statusCode === 413
        ? 'payload_too_large'
        : framework.statusCode === 415
          ? 'unsupported_media_type'
          : framework.statusCode === 403
            ? 'forbidden'
            : 'bad_request';
    return new RestError(framework.statusCode, label, framework.message ?? 'bad request', { cause: error });
  }
  return new RestError(500, 'internal_error', 'the gateway failed to serve the request', { cause: error });
}

export async function startRestGateway(config: RestGatewayConfig, options: { readonly logger?: Logger } = {}): Promise<RunningRestGateway> {
  const logger = options.logger ?? createLogger('rest-gateway', config.logLevel);
  // Spans are exported where OTEL_EXPORTER_OTLP_ENDPOINT says; without it the tracer is a no-op.
  const telemetry = await startTelemetry('mithril-rest-gateway', REST_GATEWAY_VERSION, config);
  const { tracer } = telemetry;
  const credentials = channelCredentials(config);
  const aggregator = new AggregatorUpstream({
    address: config.aggregatorAddress,
    credentials,
    deadlineMs: config.aggregatorDeadlineMs,
    nodeVersion: REST_GATEWAY_VERSION,
    tracer,
  });
  const signerGateway = new SignerGatewayUpstream({
    address: config.signerGatewayAddress,
    credentials,
    deadlineMs: config.signerGatewayDeadlineMs,
    nodeVersion: REST_GATEWAY_VERSION,
    tracer,
  });
  const closeClients = async () => {
    aggregator.close();
    signerGateway.close();
    await telemetry.shutdown();
  };
  const cache = new ResponseCache({ immutableBytes: config.immutableCacheBytes, volatileMs: config.volatileCacheMs });

  const https = config.httpsCertFile !== undefined && config.httpsKeyFile !== undefined;
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    tls = https ? { cert: readFileSync(config.httpsCertFile as string), key: readFileSync(config.httpsKeyFile as string) } : undefined;
  } catch (error) {
    await closeClients();
    throw error;
  }
  const trustProxy = config.trustProxy.trim();
  // Typed as the plain HTTP instance: the routes and hooks do not depend on the transport.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // The per-request line is hardening.ts's (method, route, status, latency), not fastify's two lines.
    logController: new LogController({ disableRequestLogging: true }),
    ...(tls === undefined ? {} : { https: tls }),
    ...(trustProxy === '' ? {} : { trustProxy }),
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    // Slow clients cannot hold a connection for long; upstream deadlines are shorter than this.
    requestTimeout: 30_000,
    // Errors the router raises before any route or hook (a path parameter over maxParamLength, a
    // malformed URL) would otherwise get fastify's own body, echoing the URL, without the API
    // version header: they get the reference's shape and headers like every other error.
    frameworkErrors: (error, _request, reply) => {
      const restError =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new RestError(414, 'uri_too_long', 'a path parameter of the URL is too long (hashes are 64 characters)')
          : error.code === 'FST_ERR_BAD_URL'
            ? badRequest('the URL is malformed (invalid percent-encoding)')
            : asRestError(error);
      // Written on the raw response, as fastify's own handler does: the router has no route (so no
      // hooks) for this request.
      const body = restError.body();
      reply.raw
        .writeHead(restError.status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
          [API_VERSION_HEADER]: OPENAPI_VERSION,
        })
        .end(body);
    },
  });

  // serde_json's reading of request bodies: integers beyond 2^53 stay exact, bad JSON is a 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (error) {
      done(badRequest(`the body is not JSON: ${(error as Error).message}`, error), undefined);
    }
  });

  // First, so that refusals (412, 413, 404) are readable by the browser too.
  const anyOrigin = config.corsOrigins.includes('*');
  await app.register(cors, {
    origin: anyOrigin ? '*' : config.corsOrigins,
    methods: ['GET', 'HEAD'],
    allowedHeaders: ['content-type', API_VERSION_HEADER, 'if-none-match'],
    exposedHeaders: [API_VERSION_HEADER, 'etag'],
    maxAge: 600,
  });

  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header(API_VERSION_HEADER, OPENAPI_VERSION);
    done(null, payload);
  });
  app.addHook('onRequest', (request, _reply, done) => {
    // A preflight carries no API version of its own; the browser's request that follows does.
    done(request.method === 'OPTIONS' ? undefined : apiVersionRejection(request.headers[API_VERSION_HEADER]));
  });

  app.setErrorHandler((error, request, reply) => {
    const restError = asRestError(error);
    if (restError.status >= 500) {
      const log = restError.status === 500 ? logger.error.bind(logger) : logger.warn.bind(logger);
      log({ err: restError.cause ?? restError, method: request.method, url: request.url, status: restError.status }, restError.message);
    }
    return reply.code(restError.status).header('cache-control', 'no-store').type('application/json').send(restError.body());
  });
  app.setNotFoundHandler((request, reply) => {
    // The path is not echoed: it is the client's own (and may be megabytes long).
    const error = new RestError(
      404,
      'not_found',
      `no route for ${request.method} at this path: the API is under /aggregator (GET /aggregator lists what it serves)`,
    );
    return reply.code(404).header('cache-control', 'no-store').type('application/json').send(error.body());
  });

  await registerHardening(app, {
    writeMax: config.rateLimitWriteMax,
    expensiveReadMax: config.rateLimitExpensiveReadMax,
    windowMs: config.rateLimitWindowMs,
    https,
  });

  // Every answer, refusals included; the route is fastify's pattern (never the raw path: bounded labels).
  const requestDuration = telemetry.meter.createHistogram('mithril_rest_gateway_request_duration_seconds', {
    description: 'REST requests answered, by method, route pattern and status',
    unit: 's',
    advice: { explicitBucketBoundaries: QUICK_DURATION_BUCKETS_SECONDS },
  });
  app.addHook('onResponse', (request, reply, done) => {
    requestDuration.record(reply.elapsedTime / 1000, {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
    done();
  });

  registerHealthRoute(app, aggregator);
  registerRoutes(app, {
    aggregator,
    signerGateway,
    cache,
    listPageSize: config.listPageSize,
    volatileMaxAgeSeconds: config.volatileMaxAgeSeconds,
    signedEntityTypes: config.signedEntityTypes,
  });

  try {
    if (config.explorerDirectory !== '') await registerExplorer(app, config.explorerDirectory ?? defaultExplorerDirectory(), logger);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await closeClients();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info(
    { host: config.host, port, metricsPort: telemetry.metricsPort, https, aggregator: config.aggregatorAddress, signerGateway: config.signerGatewayAddress },
    'REST gateway listening',
  );
  let closing: Promise<void> | undefined;
  return {
    port,
    metricsPort: telemetry.metricsPort,
    close() {
      // Requests in flight get the drain time (a slow client must not hold the stop), then the upstream channels close.
      closing ??= closeDraining(() => app.close(), app.server).then(closeClients);
      return closing;
    },
  };
}
