/**
 * The era check a service makes before acting in an epoch: the markers (re-read at most every
 * `refreshMs`; they change rarely and are announced epochs ahead) resolved against the epoch the
 * service is in, so a switch scheduled at epoch N takes effect exactly when the service reaches
 * N. An active era this binary does not support throws UNSUPPORTED_ERA (a ProtocolError naming
 * the era, its epoch and what the binary supports): the signer stops signing, the aggregator
 * blocks. Changes (a new active era, a newly scheduled one) are logged once.
 */
import { ProtocolError, SUPPORTED_ERAS, resolveEra, type Epoch, type EraMarker, type EraState } from '@mithril-ts/protocol';
import type { Logger } from '../logger.js';
import type { EraReader } from './era-reader.js';

export interface EraCheckerOptions {
  /** Eras this binary runs; SUPPORTED_ERAS unless a test needs two. */
  readonly supported?: readonly string[];
  /** How long read markers are reused. */
  readonly refreshMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export class EraChecker {
  #markers: { readonly markers: readonly EraMarker[]; readonly readAt: number } | undefined;
  #reported: string | undefined;
  readonly #supported: readonly string[];
  readonly #refreshMs: number;
  readonly #now: () => number;

  constructor(
    private readonly reader: EraReader,
    private readonly options: EraCheckerOptions = {},
  ) {
    this.#supported = options.supported ?? SUPPORTED_ERAS;
    this.#refreshMs = options.refreshMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get source(): string {
    return this.reader.source;
  }

  /** The era active at `epoch`; throws UNSUPPORTED_ERA, or the reader's error when the markers cannot be read. */
  async check(epoch: Epoch): Promise<EraState> {
    const markers = await this.#read();
    let state: EraState;
    try {
      state = resolveEra(markers, epoch, this.#supported);
    } catch (error) {
      if (error instanceof ProtocolError)
        this.#report(`unsupported:${error.message}`, () => this.options.logger?.error({ epoch: String(epoch), source: this.source }, error.message));
      throw error;
    }
    const { next } = state;
    this.#report(`${state.current}@${state.since}|${next ? `${next.name}@${next.epoch}` : ''}`, () => {
      const logger = this.options.logger;
      if (logger === undefined) return;
      const fields = { epoch: String(epoch), era: state.current, since: String(state.since), source: this.source };
      if (next === undefined) logger.info(fields, `Mithril era ${state.current}`);
      else if (next.supported)
        logger.info(
          { ...fields, nextEra: next.name, nextEpoch: String(next.epoch) },
          `Mithril era ${state.current}; ${next.name} activates at epoch ${next.epoch}`,
        );
      else
        logger.warn(
          { ...fields, nextEra: next.name, nextEpoch: String(next.epoch) },
          `Mithril era ${state.current}; ${next.name} activates at epoch ${next.epoch} and this binary supports only ${this.#supported.join(', ')}: upgrade before then`,
        );
    });
    return state;
  }

  async #read(): Promise<readonly EraMarker[]> {
    const cached = this.#markers;
    if (cached !== undefined && this.#now() - cached.readAt < this.#refreshMs) return cached.markers;
    const markers = await this.reader.read();
    this.#markers = { markers, readAt: this.#now() };
    return markers;
  }

  #report(key: string, log: () => void): void {
    if (key === this.#reported) return;
    this.#reported = key;
    log();
  }
}
