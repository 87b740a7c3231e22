/**
 * The aggregator's epoch settings as the gateway verifies signatures against them: the current
 * parameters and the current signers closed into a registration (a clerk). Closing costs about a
 * second for 3000 signers (batched proof-of-possession checks), so it happens once per signer set,
 * not once per fetch. Settings are reused while fresh, refetched early when a signature names a
 * newer epoch, and concurrent callers share one fetch.
 */
import { WireError, protocolParametersFromProto } from '@mithril-ts/proto';
import { createHash } from 'node:crypto';
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { EpochSettings } from '@mithril-ts/proto';
import { ProtocolError, closeSignerSet, type EpochKeyCache, type ProtocolParameters, type SignerRecord, type SignerSet } from '@mithril-ts/protocol';
import { Clerk } from '@mithril-ts/stm';
import { notReady } from './errors.js';

/** One epoch's verification material. */
export interface EpochView {
  readonly epoch: bigint;
  readonly parameters: ProtocolParameters;
  /** Undefined when no signer is recorded to sign during the epoch. */
  readonly signers: SignerSet | undefined;
  readonly clerk: Clerk | undefined;
  readonly partyIds: ReadonlySet<string>;
  /** Names the epoch, parameters and signer set: signatures are only batched within one view. */
  readonly id: string;
}

export interface EpochSettingsCacheOptions {
  /** `trace` is the trace context of the caller that asked for the fetch. */
  readonly fetch: (trace: Context) => Promise<EpochSettings>;
  readonly ttlMs: number;
  /**
   * Least time between two fetches asked for by signatures naming a newer epoch, so that a flood of
   * signatures from the future does not turn into a flood of fetches.
   */
  readonly minRefetchMs?: number;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
  /** Keys decoded when their registrations went through this gateway: the set closes without decoding them again. */
  readonly keys?: EpochKeyCache;
}

export class EpochSettingsCache {
  private cached: { view: EpochView; fetchedAt: number } | undefined;
  private inFlight: Promise<EpochView> | undefined;
  private readonly now: () => number;
  private readonly minRefetchMs: number;

  constructor(private readonly options: EpochSettingsCacheOptions) {
    this.now = options.now ?? (() => performance.now());
    this.minRefetchMs = Math.min(options.minRefetchMs ?? 100, options.ttlMs);
  }

  /**
   * The current view; fetched again when stale, or when `atLeastEpoch` is newer than the cached
   * epoch (at most once per `minRefetchMs`). The answer may still be older than `atLeastEpoch`.
   */
  async current(atLeastEpoch?: bigint, trace: Context = ROOT_CONTEXT): Promise<EpochView> {
    const cached = this.cached;
    if (cached !== undefined) {
      const age = this.now() - cached.fetchedAt;
      const behind = atLeastEpoch !== undefined && cached.view.epoch < atLeastEpoch;
      if (age < this.options.ttlMs && (!behind || age < this.minRefetchMs)) return cached.view;
    }
    this.inFlight ??= this.refresh(trace).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async refresh(trace: Context): Promise<EpochView> {
    const settings = await this.options.fetch(trace);
    const view = this.viewOf(settings, this.cached?.view);
    this.cached = { view, fetchedAt: this.now() };
    return view;
  }

  private viewOf(settings: EpochSettings, previous: EpochView | undefined): EpochView {
    let parameters: ProtocolParameters;
    try {
      parameters = protocolParametersFromProto(settings.currentProtocolParameters, 'current_protocol_parameters');
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      throw notReady(`the aggregator's epoch settings are unusable: ${error.message}`, { cause: error });
    }
    const records: SignerRecord[] = settings.currentSigners.map((signer) => ({
      partyId: signer.partyId,
      verificationKey: signer.verificationKey,
      stake: signer.stake,
    }));
    const id = `${settings.epoch}:${fingerprint(settings.epoch, parameters, records)}`;
    if (previous?.id === id) return previous;
    // Keys recorded for E−1 sign during E; those of E and E+1 are still to come.
    this.options.keys?.evictBefore(settings.epoch - 1n);
    const signers =
      previous !== undefined && sameSigners(previous, settings.epoch, records) ? previous.signers : closeSigners(settings.epoch, records, this.options.keys);
    return {
      epoch: settings.epoch,
      parameters,
      signers,
      clerk: signers === undefined ? undefined : new Clerk(signers.closed, parameters),
      partyIds: new Set(records.map((record) => record.partyId)),
      id,
    };
  }
}

function closeSigners(epoch: bigint, records: readonly SignerRecord[], keys: EpochKeyCache | undefined): SignerSet | undefined {
  if (records.length === 0) return undefined;
  try {
    return closeSignerSet(records, keys);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    throw notReady(`the aggregator's current signers of epoch ${epoch} cannot be closed: ${error.message}`, { cause: error });
  }
}

function sameSigners(previous: EpochView, epoch: bigint, records: readonly SignerRecord[]): boolean {
  const known = previous.signers?.signers ?? [];
  return (
    previous.epoch === epoch &&
    known.length === records.length &&
    known.every((signer, i) => {
      const record = records[i]!;
      return signer.partyId === record.partyId && signer.stake === record.stake && Buffer.compare(signer.verificationKey, record.verificationKey) === 0;
    })
  );
}

/** SHA-256 of everything verification depends on, to tell one view from another cheaply. */
function fingerprint(epoch: bigint, parameters: ProtocolParameters, records: readonly SignerRecord[]): string {
  const hash = createHash('sha256').update(`${epoch}|${parameters.k}|${parameters.m}|${parameters.phiF}|${records.length}`);
  for (const record of records) hash.update(`|${record.partyId}|${record.stake}|`).update(record.verificationKey);
  return hash.digest('hex');
}
