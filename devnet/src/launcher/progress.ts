/** Readable live progress of a running network: one line per thing that happened, and a running tally. */
import type { NetworkEvent } from './network.js';

const short = (text: string) => (text.length > 20 ? `${text.slice(0, 12)}…${text.slice(-6)}` : text);

function describeDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

export class ProgressPrinter {
  #epoch: bigint | undefined;
  #registrations = 0;
  #signatures = 0;
  #certificates = 0;
  /** Pools whose signer is waiting for the aggregator: one line when the first starts waiting, not one per pool. */
  #waitingForAggregator = new Set<number>();

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  readonly handle = (event: NetworkEvent): void => {
    const time = new Date().toISOString().slice(11, 19);
    const line = (text: string) => this.write(`${time} ${this.#epoch === undefined ? '' : `[epoch ${this.#epoch}] `}${text}`);
    switch (event.type) {
      case 'started':
        for (const text of event.summary) this.write(text);
        return;
      case 'resumed':
        return line(
          `resuming the devnet at epoch ${event.epoch}, slot ${event.slot + 1n}: it was stopped ${describeDuration(event.stoppedForMs)} ago and its clock carries on from there, so the certificate chain continues`,
        );
      case 'chain':
        return event.chain === 'first'
          ? line(`certificate chain begins: genesis certificate ${short(event.genesisCertificateHash)} at epoch ${event.epoch}`)
          : line(`A NEW CERTIFICATE CHAIN BEGAN at epoch ${event.epoch} (genesis ${short(event.genesisCertificateHash)}): ${event.reason}`);
      case 'epoch':
        this.#epoch = event.epoch;
        this.#registrations = 0;
        this.#signatures = 0;
        return line(
          `new epoch: ${event.currentSigners} signers sign now, ${event.nextSigners} announced for the next epoch; k=${event.k} m=${event.m} phi_f=${event.phiF}`,
        );
      case 'aggregator-state':
        // ready ⇄ signing flips with every round; only what needs attention is shown.
        if (event.description.startsWith('blocked: no-genesis'))
          return line('aggregator waiting for a genesis certificate (devnet mode: it signs one itself when the next epoch starts)');
        if (event.description.startsWith('blocked: genesis-epoch'))
          return line('aggregator waiting: this is the genesis epoch, signers sign from the next one');
        if (event.description.startsWith('blocked') || event.description.startsWith('broken')) line(`aggregator ${event.description}`);
        return;
      case 'registration':
        this.#registrations += 1;
        return line(`registered ${short(event.partyId)} for epoch ${event.recordingEpoch} (stake ${event.stake}) — ${this.#registrations} this epoch`);
      case 'signature':
        this.#signatures += 1;
        return;
      case 'certificate': {
        this.#certificates += 1;
        const { certificate } = event;
        const what =
          certificate.signedEntityType.kind === 'CardanoDatabase'
            ? `CardanoDatabase up to immutable ${certificate.signedEntityType.immutableFileNumber}`
            : `MithrilStakeDistribution of epoch ${certificate.signedEntityType.epoch}`;
        const signers =
          certificate.previousHash === '' ? 'genesis' : `${certificate.metadata.signers.length} signers, ${this.#signatures} signatures received this epoch`;
        return line(`certificate #${this.#certificates} ${short(certificate.hash)} ${what} (${signers})`);
      }
      case 'signer':
        // At each epoch boundary a signer briefly sees another epoch than the aggregator: not worth a line.
        if (event.event.type === 'waiting' && event.event.reason === 'aggregator-epoch-mismatch') return;
        // Until its first epoch settings the aggregator answers NOT_READY: expected at start, so one
        // calm line for all the signers instead of each one's error code.
        if (event.event.type === 'waiting' && (event.event.reason === 'aggregator-not-ready' || event.event.reason === 'aggregator-unavailable')) {
          const first = this.#waitingForAggregator.size === 0;
          this.#waitingForAggregator.add(event.pool);
          if (first) line('signers waiting for the aggregator to be ready (normal while it starts: they retry on their own)');
          return;
        }
        if (event.event.type !== 'waiting' && event.event.type !== 'error') this.#waitingForAggregator.delete(event.pool);
        if (event.event.type === 'waiting' || event.event.type === 'error') return line(`signer pool-${event.pool}: ${event.event.message}`);
        return;
      case 'aggregator-restarted':
        return line('aggregator restarted');
    }
  };
}
