/** Readable live progress of a running network: one line per thing that happened, and a running tally. */
import type { NetworkEvent } from './network.js';

const short = (text: string) => (text.length > 20 ? `${text.slice(0, 12)}…${text.slice(-6)}` : text);

export class ProgressPrinter {
  #epoch: bigint | undefined;
  #registrations = 0;
  #signatures = 0;
  #certificates = 0;

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  readonly handle = (event: NetworkEvent): void => {
    const time = new Date().toISOString().slice(11, 19);
    const line = (text: string) => this.write(`${time} ${this.#epoch === undefined ? '' : `[epoch ${this.#epoch}] `}${text}`);
    switch (event.type) {
      case 'started':
        line(
          `network up: ${event.pools} pools, aggregator on 127.0.0.1:${event.aggregatorPort}, signer gateway on 127.0.0.1:${event.gatewayPort}, REST API on http://127.0.0.1:${event.restPort}/aggregator${event.snapshotterHttpPort === undefined ? '' : `, snapshot downloads on http://127.0.0.1:${event.snapshotterHttpPort}`}; logs in ${event.root}/logs; ${event.caFile === undefined ? 'gRPC in plaintext (--insecure)' : `gRPC over TLS, CA ${event.caFile}`}`,
        );
        return line(`explorer (verifies certificates in your browser): ${event.explorerUrl}`);
      case 'epoch':
        this.#epoch = event.epoch;
        this.#registrations = 0;
        this.#signatures = 0;
        return line(
          `new epoch: ${event.currentSigners} signers sign now, ${event.nextSigners} announced for the next epoch; k=${event.k} m=${event.m} phi_f=${event.phiF}`,
        );
      case 'aggregator-state':
        // ready ⇄ signing flips with every round; only what needs attention is shown.
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
        if (event.event.type === 'waiting' || event.event.type === 'error') return line(`signer pool-${event.pool}: ${event.event.message}`);
        return;
      case 'aggregator-restarted':
        return line('aggregator restarted');
    }
  };
}
