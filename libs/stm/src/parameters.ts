import { StmError } from './errors.js';

/** STM protocol parameters: quorum `k` of the `m` lottery indices, and the lottery difficulty `phiF`. */
export interface Parameters {
  readonly k: bigint;
  readonly m: bigint;
  readonly phiF: number;
}

/** Signers play all m lotteries, so m beyond 2^32 is unplayable; indices stay exact JS numbers. */
export const MAX_M = 1n << 32n;

export function validateParameters(params: Parameters): Parameters {
  const { k, m, phiF } = params;
  if (typeof k !== 'bigint' || typeof m !== 'bigint') throw new StmError('INVALID_PARAMETERS', 'k and m must be bigints');
  if (m < 1n || m > MAX_M) throw new StmError('INVALID_PARAMETERS', `m must be in [1, ${MAX_M}], got ${m}`);
  if (k < 1n || k > m) throw new StmError('INVALID_PARAMETERS', `k must be in [1, m=${m}], got ${k}`);
  if (typeof phiF !== 'number' || !(phiF > 0 && phiF <= 1)) {
    throw new StmError('INVALID_PARAMETERS', `phi_f must be in (0, 1], got ${phiF}`);
  }
  return params;
}
