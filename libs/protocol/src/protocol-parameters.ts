/**
 * Protocol parameters as the protocol uses them: STM parameters, their hash (as the reference
 * computes it, phi_f in U8F24 fixed point), and the schedule that makes a change take effect at
 * a chosen epoch, so epoch settings can announce the parameters for N and N+1.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { validateParameters, type Parameters } from '@mithril-ts/stm';
import type { Epoch } from './epoch.js';
import { ProtocolError } from './errors.js';

export type ProtocolParameters = Parameters;

export function validateProtocolParameters(params: ProtocolParameters): ProtocolParameters {
  try {
    return validateParameters(params);
  } catch (cause) {
    throw new ProtocolError('INVALID_PARAMETERS', (cause as Error).message, { cause });
  }
}

/**
 * phi_f as the reference's U8F24 (the `fixed` crate's `from_num`): the nearest multiple of 2^-24,
 * ties to even. Scaling by a power of two is exact in f64, so only the rounding needs care.
 */
export function phiFFixedPoint(phiF: number): number {
  const scaled = phiF * 2 ** 24;
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  if (fraction > 0.5 || (fraction === 0.5 && floor % 2 === 1)) return floor + 1;
  return floor;
}

/** SHA-256(k u64 BE ‖ m u64 BE ‖ phi_f as U8F24 u32 BE), lowercase hex. */
export function protocolParametersHash(params: ProtocolParameters): string {
  const bytes = new Uint8Array(20);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, params.k);
  view.setBigUint64(8, params.m);
  view.setUint32(16, phiFFixedPoint(params.phiF));
  return bytesToHex(sha256(bytes));
}

export function sameProtocolParameters(a: ProtocolParameters, b: ProtocolParameters): boolean {
  return a.k === b.k && a.m === b.m && a.phiF === b.phiF;
}

/** Parameters in force from an epoch on, until the next entry. */
export interface ScheduledParameters {
  readonly fromEpoch: Epoch;
  readonly parameters: ProtocolParameters;
}

export class ProtocolParametersSchedule {
  private readonly entries: readonly ScheduledParameters[];

  constructor(entries: readonly ScheduledParameters[]) {
    if (entries.length === 0) throw new ProtocolError('INVALID_PARAMETERS', 'a parameter schedule needs at least one entry');
    const sorted = [...entries].sort((a, b) => (a.fromEpoch < b.fromEpoch ? -1 : a.fromEpoch > b.fromEpoch ? 1 : 0));
    sorted.forEach((entry, i) => {
      validateProtocolParameters(entry.parameters);
      if (i > 0 && entry.fromEpoch === sorted[i - 1]!.fromEpoch) {
        throw new ProtocolError('INVALID_PARAMETERS', `two parameter entries start at epoch ${entry.fromEpoch}`);
      }
    });
    this.entries = sorted;
  }

  /** The parameters that sign certificates of `epoch`. */
  at(epoch: Epoch): ProtocolParameters {
    let found: ScheduledParameters | undefined;
    for (const entry of this.entries) if (entry.fromEpoch <= epoch) found = entry;
    if (found === undefined) throw new ProtocolError('INVALID_EPOCH', `no protocol parameters are scheduled for epoch ${epoch}`);
    return found.parameters;
  }

  /** Parameters for `epoch` and `epoch + 1`, as epoch settings publish them. */
  transition(epoch: Epoch): { current: ProtocolParameters; next: ProtocolParameters } {
    return { current: this.at(epoch), next: this.at(epoch + 1n) };
  }

  /**
   * A schedule with a change at `fromEpoch`. Signers record their keys one epoch ahead and the
   * next parameters are announced one epoch ahead, so a change can take effect no sooner than two
   * epochs after the current one.
   */
  withChange(current: Epoch, fromEpoch: Epoch, parameters: ProtocolParameters): ProtocolParametersSchedule {
    if (fromEpoch < current + 2n) {
      throw new ProtocolError('INVALID_PARAMETERS', `a parameter change at epoch ${current} can take effect at ${current + 2n} at the earliest`);
    }
    return new ProtocolParametersSchedule([...this.entries.filter((e) => e.fromEpoch !== fromEpoch), { fromEpoch, parameters }]);
  }
}
