/**
 * The signer's composition root: configuration in, a running daemon out. One cycle every
 * `runIntervalMs`, counted from the end of the previous one, so cycles never overlap.
 */
import type { EventEmitter } from 'node:events';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import {
  createChainObserver,
  EraChecker,
  ImmutableDbDigester,
  eraReaderFromSettings,
  channelCredentials,
  createLogger,
  startTelemetry,
  type Logger,
  type Telemetry,
} from '@mithril-ts/service-kit';
import { GrpcAggregator } from './adapters/grpc-aggregator.js';
import { GrpcSignerGateway } from './adapters/grpc-signer-gateway.js';
import { PoolKeyFiles } from './adapters/pool-key-files.js';
import type { SignerConfig } from './config.js';
import { SignerRuntime } from './runtime.js';
import { describeState, type SignerEvent, type SignerState, type SignerStatus } from './state.js';
import { openSignerStore } from './store/index.js';

export const SIGNER_VERSION = '0.1.0';

export interface SignerHandle {
  state(): SignerState;
  status(): SignerStatus;
  /** Emits 'event' with each SignerEvent. */
  readonly events: EventEmitter<{ event: [SignerEvent] }>;
  /** Subscribes to the events; returns the unsubscribe function. */
  onEvent(listener: (event: SignerEvent) => void): () => void;
  /** Bound port of the Prometheus endpoint (also the liveness probe of a signer sidecar), when configured. */
  readonly metricsPort: number | undefined;
  /** Lets the cycle in progress finish, then releases everything. */
  stop(): Promise<void>;
}

export interface StartSignerOptions {
  /** Subscribed before the first cycle, so no event is missed. */
  readonly onEvent?: (event: SignerEvent) => void;
  readonly logger?: Logger;
}

const text = (value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

function logEvent(logger: Logger, event: SignerEvent): void {
  switch (event.type) {
    case 'state-changed':
      return logger.info(
        { from: describeState(event.from), to: describeState(event.to), ...(event.to.kind === 'RegisteredNotAbleToSign' ? { reason: event.to.reason } : {}) },
        'state changed',
      );
    case 'registered':
      return logger.info(
        {
          epoch: text(event.epoch),
          recordingEpoch: text(event.recordingEpoch),
          partyId: event.partyId,
          stake: text(event.stake),
          kesEvolutions: event.kesEvolutions,
        },
        'registered a fresh Mithril key',
      );
    case 'signed':
      return logger.info(
        { signedEntityType: event.signedEntityType, signedMessage: event.signedMessage, wonIndexes: event.wonIndexes, status: event.status },
        'single signature sent',
      );
    case 'lottery-lost':
      return logger.info({ signedEntityType: event.signedEntityType, signedMessage: event.signedMessage }, 'no lottery index won: nothing to send');
    case 'signature-deferred':
      return logger.debug({ signedEntityType: event.signedEntityType, reason: event.message }, 'signature not delivered yet, retried next cycle');
    case 'signature-dropped':
      return logger.warn({ signedEntityType: event.signedEntityType, status: event.status, reason: event.message }, 'signature dropped');
    case 'waiting':
      return logger.warn({ reason: event.reason }, event.message);
    case 'resumed':
      return logger.info('cycles run fully again');
    case 'pruned':
      return logger.info({ epoch: text(event.epoch), initializers: event.initializers, handledEntities: event.handledEntities }, 'pruned old keys and records');
    case 'error':
      return logger.error({ stage: event.stage, err: event.error instanceof Error ? event.error : undefined }, event.message);
  }
}

/** Series derived from the events: registrations, signatures by outcome, the last signed epoch, waits by reason, errors. */
function countEvents(telemetry: Telemetry): (event: SignerEvent) => void {
  const registrations = telemetry.meter.createCounter('mithril_signer_registrations_total', { description: 'Mithril keys registered' });
  const signatures = telemetry.meter.createCounter('mithril_signer_signatures_total', { description: 'Signed entities handled, by outcome' });
  const waits = telemetry.meter.createCounter('mithril_signer_waits_total', { description: 'Times the signer started waiting, by reason' });
  const errors = telemetry.meter.createCounter('mithril_signer_errors_total', { description: 'Unexpected errors' });
  let lastSignedEpoch: bigint | undefined;
  telemetry.meter
    .createObservableGauge('mithril_signer_last_signed_epoch', { description: 'Epoch of the last single signature the signer gateway took' })
    .addCallback((result) => {
      if (lastSignedEpoch !== undefined) result.observe(Number(lastSignedEpoch));
    });
  return (event) => {
    switch (event.type) {
      case 'registered':
        return registrations.add(1);
      case 'signed':
        if (lastSignedEpoch === undefined || event.signedEntityType.epoch > lastSignedEpoch) lastSignedEpoch = event.signedEntityType.epoch;
        return signatures.add(1, { outcome: event.status, kind: event.signedEntityType.kind });
      case 'lottery-lost':
        return signatures.add(1, { outcome: 'lottery-lost', kind: event.signedEntityType.kind });
      case 'signature-dropped':
        return signatures.add(1, { outcome: event.status, kind: event.signedEntityType.kind });
      case 'waiting':
        return waits.add(1, { reason: event.reason });
      case 'error':
        return errors.add(1, { stage: event.stage });
    }
  };
}

export async function startSigner(config: SignerConfig, options: StartSignerOptions = {}): Promise<SignerHandle> {
  const logger = options.logger ?? createLogger('signer', config.logLevel);
  const poolKeys = new PoolKeyFiles(config.keysDirectory, { allowInsecurePermissions: config.allowInsecureKeyPermissions });
  await poolKeys.refuseInsecureKesKey();
  // Then the store: if the key is refused or the store cannot be opened (or migrated), nothing else has been started.
  const opened = await openSignerStore({ url: config.storeUrl });
  let telemetry: Telemetry;
  try {
    telemetry = await startTelemetry('mithril-signer', SIGNER_VERSION, config);
  } catch (error) {
    await opened.close();
    throw error;
  }
  if (opened.migrations.applied.length > 0) logger.info({ applied: opened.migrations.applied }, 'signer store migrated');
  const versions = { nodeVersion: SIGNER_VERSION, protocolVersion: PROTOCOL_VERSION };
  const aggregatorCredentials = channelCredentials({ ...config, serverCertificateFingerprint: config.aggregatorCertificateFingerprint });
  const gatewayCredentials = channelCredentials({ ...config, serverCertificateFingerprint: config.gatewayCertificateFingerprint });
  const aggregator = new GrpcAggregator(config.aggregatorAddress, aggregatorCredentials, versions, config.aggregatorDeadlineMs, telemetry.tracer);
  const gateway = new GrpcSignerGateway(config.signerGatewayAddress, gatewayCredentials, versions, config.gatewayDeadlineMs, telemetry.tracer);
  // Connects lazily (Ogmios): nothing is held open before the first cycle.
  const observer = createChainObserver(config, { minSyncProgress: config.minSyncProgress });
  const runtime = new SignerRuntime({
    chain: observer.chain,
    aggregator,
    gateway,
    digester: new ImmutableDbDigester(config.immutableDirectory),
    poolKeys,
    store: opened.store,
    era: new EraChecker(eraReaderFromSettings(config, observer.datums), { logger }),
    slotsPerKesPeriod: config.slotsPerKesPeriod,
    minSyncProgress: config.minSyncProgress,
    handledRetentionEpochs: config.handledRetentionEpochs,
    tracer: telemetry.tracer,
  });
  runtime.onEvent((event) => logEvent(logger, event));
  runtime.onEvent(countEvents(telemetry));
  if (options.onEvent) runtime.onEvent(options.onEvent);

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const loop = (): void => {
    timer = undefined;
    current = runtime.cycle().then(() => {
      if (!stopping) timer = setTimeout(loop, config.runIntervalMs);
    });
  };
  logger.info(
    { aggregator: config.aggregatorAddress, gateway: config.signerGatewayAddress, runIntervalMs: config.runIntervalMs, metricsPort: telemetry.metricsPort },
    'signer started',
  );
  loop();

  let stopped: Promise<void> | undefined;
  return {
    metricsPort: telemetry.metricsPort,
    state: () => runtime.state,
    status: () => runtime.status(),
    events: runtime.events,
    onEvent: (listener) => runtime.onEvent(listener),
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        if (timer !== undefined) clearTimeout(timer);
        await current;
        aggregator.close();
        gateway.close();
        await observer.close();
        await opened.close();
        await telemetry.shutdown();
        logger.info('signer stopped');
      })()),
  };
}
