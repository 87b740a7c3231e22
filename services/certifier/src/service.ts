/**
 * The certifier's use case: certify one registration, with spans and counters by outcome. The
 * rules are in ./certification.ts; this composes them with the chain observer and the counter store.
 */
import { SpanStatusCode, type Counter, type Meter, type Tracer } from '@opentelemetry/api';
import { singleFlight, type Logger } from '@mithril-ts/service-kit';
import { CertificationError, checkOpcertCounter, parseRegistration, stakeOf, verifyRegistration, type RegistrationRequest } from './certification.js';
import type { ChainObserver, OpcertCounterStore } from './ports.js';

export interface Certification {
  readonly partyId: string;
  readonly poolIdHex: string;
  readonly stake: bigint;
  readonly epoch: bigint;
}

export interface CertifierDependencies {
  readonly chain: ChainObserver;
  readonly counters: OpcertCounterStore;
  readonly slotsPerKesPeriod: bigint;
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly logger: Logger;
}

export class Certifier {
  private readonly outcomes: Counter;
  /** One tip read shared by the registrations that need it at the same time. */
  private readonly currentTip: () => Promise<{ readonly slot: bigint }>;

  constructor(private readonly deps: CertifierDependencies) {
    this.currentTip = singleFlight(() => deps.chain.currentTip());
    this.outcomes = deps.meter.createCounter('mithril_certifier_certifications_total', {
      description: 'Registrations certified (outcome=accepted) or rejected (outcome=rejected, reason=the failed check)',
    });
  }

  async certify(request: RegistrationRequest): Promise<Certification> {
    return this.deps.tracer.startActiveSpan('certifier.certify', async (span) => {
      span.setAttribute('mithril.epoch', request.epoch.toString());
      span.setAttribute('mithril.party_id', request.partyId.slice(0, 64));
      try {
        const registration = parseRegistration(request);
        const pool = verifyRegistration(registration, (await this.currentTip()).slot, this.deps.slotsPerKesPeriod);
        const stake = stakeOf(await this.deps.chain.stakeDistribution(registration.epoch), pool, registration.epoch);
        // Last, and one atomic check-and-raise in the store shared by the replicas: a counter is
        // raised only by a registration otherwise accepted, and two replicas racing on one pool
        // cannot both accept an older certificate than one already recorded.
        checkOpcertCounter(await this.deps.counters.raise(pool.hex, registration.opcert.issueNumber), registration.opcert);
        this.outcomes.add(1, { outcome: 'accepted' });
        span.setStatus({ code: SpanStatusCode.OK });
        return { partyId: pool.bech32, poolIdHex: pool.hex, stake, epoch: registration.epoch };
      } catch (error) {
        if (error instanceof CertificationError) {
          this.outcomes.add(1, { outcome: 'rejected', reason: error.check });
          span.setAttribute('mithril.rejection', error.check);
          this.deps.logger.info({ partyId: request.partyId.slice(0, 64), check: error.check, reason: error.message }, 'registration rejected');
        }
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  }
}
