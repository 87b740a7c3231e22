/**
 * The aggregator's series besides the intake's (grpc/intake.ts): certificates, round latency, the
 * runtime's epoch and state, and the store's latency. Names and labels are listed in
 * services/kit/README.md; every label value is from a fixed set.
 */
import type { Meter } from '@opentelemetry/api';
import { LONG_DURATION_BUCKETS_SECONDS, QUICK_DURATION_BUCKETS_SECONDS } from '@mithril-ts/service-kit';
import type { Epoch } from '@mithril-ts/protocol';
import type { AggregatorRuntime } from './runtime/aggregator-runtime.js';
import type { AggregatorState } from './runtime/state.js';
import type { PrismaAggregatorStore } from './store/index.js';

const STATES: readonly AggregatorState['kind'][] = ['idle', 'ready', 'signing', 'blocked', 'broken'];

export function observeAggregator(meter: Meter, runtime: AggregatorRuntime, store: PrismaAggregatorStore): void {
  const certificates = meter.createCounter('mithril_aggregator_certificates_total', {
    description: 'Certificates sealed (genesis=true: genesis certificates saved)',
  });
  const roundDuration = meter.createHistogram('mithril_aggregator_round_duration_seconds', {
    description: 'From the open message created to its certificate sealed',
    unit: 's',
    advice: { explicitBucketBoundaries: LONG_DURATION_BUCKETS_SECONDS },
  });
  runtime.on('certificate', (certificate) => {
    const genesis = certificate.previousHash === '';
    certificates.add(1, { kind: certificate.signedEntityType.kind, genesis: String(genesis) });
    const seconds = Number(certificate.metadata.sealedAt - certificate.metadata.initiatedAt) / 1e9;
    if (!genesis) roundDuration.record(seconds, { kind: certificate.signedEntityType.kind });
  });

  let epoch: Epoch | undefined;
  runtime.on('epoch', (context) => (epoch = context.epoch));
  meter.createObservableGauge('mithril_aggregator_current_epoch', { description: 'The epoch the runtime has entered' }).addCallback((result) => {
    if (epoch !== undefined) result.observe(Number(epoch));
  });
  meter
    .createObservableGauge('mithril_aggregator_runtime_state', { description: "1 for the runtime's current state, 0 for the others" })
    .addCallback((result) => {
      const current = runtime.state.kind;
      for (const state of STATES) result.observe(state === current ? 1 : 0, { state });
    });

  const storeDuration = meter.createHistogram('mithril_aggregator_store_operation_duration_seconds', {
    description: 'Duration of each store (repository) operation',
    unit: 's',
    advice: { explicitBucketBoundaries: QUICK_DURATION_BUCKETS_SECONDS },
  });
  // The operation names are the repositories' fixed descriptions ("save certificate"): a bounded set.
  store.observeOperations((operation, seconds, failed) =>
    storeDuration.record(seconds, { operation: operation.replaceAll(' ', '_'), outcome: failed ? 'error' : 'ok' }),
  );
}
