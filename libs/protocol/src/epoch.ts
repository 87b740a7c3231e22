/**
 * Epochs and the offsets between them (the reference design):
 * - signers register during epoch N into the recording epoch N+1 (with the stake read at N);
 * - signing at N uses the signers recorded at N-1 (registered during N-2);
 * - the next AVK announced at N comes from the signers recorded at N (they sign at N+1).
 */
import { ProtocolError } from './errors.js';

export type Epoch = bigint;

const U64_MAX = (1n << 64n) - 1n;

export function epoch(value: bigint | number): Epoch {
  const e = BigInt(value);
  if (e < 0n || e > U64_MAX) throw new ProtocolError('INVALID_EPOCH', `epoch must be a u64, got ${value}`);
  return e;
}

/** The epoch a registration made during `current` is recorded for. */
export function registrationRecordingEpoch(current: Epoch): Epoch {
  return current + 1n;
}

/** The recording epoch of the signers that sign during `current`; null before any can exist. */
export function signingSignersEpoch(current: Epoch): Epoch | null {
  return current >= 1n ? current - 1n : null;
}

/** The recording epoch of the signers whose AVK is announced as "next" during `current`. */
export function nextSignersEpoch(current: Epoch): Epoch {
  return current;
}

/** The epoch whose stake distribution a registration during `current` is certified against. */
export function registrationStakeEpoch(current: Epoch): Epoch {
  return current;
}
