/**
 * The AggregatorService: its handlers, one module per part of the API (epoch.ts, certificates.ts,
 * artifacts.ts, intake.ts, watch.ts, status.ts), each one decoding the request, asking the runtime or the
 * store, and mapping refusals to typed gRPC errors (shared.ts). The kit's `hostedService` checks
 * the caller's versions first, then runs each unary call in a span continuing the caller's trace;
 * registrations and signatures are counted by outcome (intake.ts).
 */
import type { Meter, Tracer } from '@opentelemetry/api';
import * as proto from '@mithril-ts/proto';
import { hostedService, type ClientAuthorization, type HostedService, type Logger } from '@mithril-ts/service-kit';
import type { AggregatorStore } from '../store/index.js';
import type { ServingNode } from './shared.js';
import type { Snapshotter } from '../snapshots.js';
import { artifactHandlers } from './artifacts.js';
import { certificateHandlers } from './certificates.js';
import { epochHandlers } from './epoch.js';
import { intakeHandlers, intakeOutcomeCounter } from './intake.js';
import { errorOptions, unaryWrapper } from './shared.js';
import { statusHandlers } from './status.js';
import { watchCertificatesHandler } from './watch.js';

export interface AggregatorGrpcOptions {
  /** What answers the epoch settings, the intake and the certificate stream: the runtime, or the replica in front of it (leadership/replica.ts). */
  readonly node: ServingNode;
  readonly store: AggregatorStore;
  /** Where the immutable file digests of a snapshot come from; without it they are not served. */
  readonly snapshotter?: Snapshotter | undefined;
  readonly nodeVersion: string;
  /** Cardano network name, reported in the status. */
  readonly network: string;
  /** The cardano-node version the chain observer talks to, reported in the status. */
  readonly cardanoNodeVersion: string;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** The RPCs reserved to identified internal callers (the intake); undefined when the aggregator runs insecure. */
  readonly authorization?: ClientAuthorization | undefined;
}

export function aggregatorGrpcService(options: AggregatorGrpcOptions): HostedService {
  const { node, store, logger, tracer, meter } = options;
  const errors = errorOptions(logger);
  const unary = unaryWrapper(errors);
  const implementation = {
    ...epochHandlers(node, store, unary),
    ...certificateHandlers(store, unary),
    ...artifactHandlers(store, options.snapshotter, unary),
    ...intakeHandlers(node, unary),
    ...statusHandlers(node, { network: options.network, cardanoNodeVersion: options.cardanoNodeVersion, nodeVersion: options.nodeVersion }, unary),
    watchCertificates: watchCertificatesHandler(node, options.nodeVersion, errors),
  } satisfies proto.AggregatorServiceServer;
  return hostedService({
    definition: proto.AggregatorServiceService,
    implementation,
    nodeVersion: options.nodeVersion,
    tracing: { tracer, onOutcome: intakeOutcomeCounter(meter) },
    authorization: options.authorization,
  });
}
