/**
 * The AggregatorService: its handlers, one module per part of the API (epoch.ts, certificates.ts,
 * artifacts.ts, intake.ts, watch.ts), each one decoding the request, asking the runtime or the
 * store, and mapping refusals to typed gRPC errors (shared.ts). The unary handlers check the
 * caller's versions first (withVersionCheck).
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Meter, Tracer } from '@opentelemetry/api';
import * as proto from '@mithril-ts/proto';
import { withVersionCheck } from '@mithril-ts/proto';
import type { HostedService, Logger } from '@mithril-ts/service-kit';
import type { AggregatorStore } from '../store/index.js';
import type { AggregatorRuntime } from '../runtime/aggregator-runtime.js';
import type { Snapshotter } from '../snapshots.js';
import { artifactHandlers } from './artifacts.js';
import { certificateHandlers } from './certificates.js';
import { epochHandlers } from './epoch.js';
import { intakeHandlers } from './intake.js';
import { unaryWrapper } from './shared.js';
import { watchCertificatesHandler } from './watch.js';

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

export function aggregatorGrpcService(options: AggregatorGrpcOptions): HostedService {
  const { runtime, store, logger, tracer, meter } = options;
  const unary = unaryWrapper(tracer, logger);
  const implementation = {
    ...epochHandlers(runtime, store, unary),
    ...certificateHandlers(store, unary),
    ...artifactHandlers(store, options.snapshotter, unary),
    ...intakeHandlers(runtime, meter, unary),
  };
  const versioned = withVersionCheck(implementation as unknown as UntypedServiceImplementation, options.nodeVersion);
  return {
    name: 'mithril.v1.AggregatorService',
    definition: proto.AggregatorServiceService,
    implementation: { ...versioned, watchCertificates: watchCertificatesHandler(runtime, options.nodeVersion, logger) } as UntypedServiceImplementation,
  };
}
