/**
 * Security level of a set of STM parameters: the probability that an adversary holding a share
 * `s` of the stake wins `k` or more of the `m` lottery indices on its own, i.e. can produce a
 * valid multi-signature without any honest signer. By the independence property of
 * `phi(w) = 1 - (1 - phi_f)^w`, splitting stake across many keys does not help: each index is
 * won by some adversarial key with probability exactly `phi(s)`, independently, so the count of
 * adversarial wins is Binomial(m, phi(s)).
 */
import { StmError } from './errors.js';
import type { Parameters } from './parameters.js';

export interface SecurityLevel {
  /** Probability that the adversary alone reaches the quorum `k` (a float; may underflow to 0). */
  forgeryProbability: number;
  /** `-log2(forgeryProbability)`, finite even when the probability underflows. */
  securityBits: number;
  /** Expected number of indices the adversary wins, `m * phi(s)`. */
  expectedAdversarialWins: number;
}

function logFactorialTable(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let i = 2; i <= n; i += 1) table[i] = table[i - 1]! + Math.log(i);
  return table;
}

/** log(P[Binomial(n, p) >= k]) by log-sum-exp over the exact terms. */
function logBinomialUpperTail(n: number, p: number, k: number): number {
  if (k <= 0) return 0;
  if (k > n || p <= 0) return -Infinity;
  if (p >= 1) return 0;
  const logFact = logFactorialTable(n);
  const logP = Math.log(p);
  const log1mP = Math.log1p(-p);
  const logTerm = (i: number): number => logFact[n]! - logFact[i]! - logFact[n - i]! + i * logP + (n - i) * log1mP;
  let max = -Infinity;
  for (let i = k; i <= n; i += 1) max = Math.max(max, logTerm(i));
  let sum = 0;
  for (let i = k; i <= n; i += 1) sum += Math.exp(logTerm(i) - max);
  return Math.min(0, max + Math.log(sum));
}

export function securityLevel(params: Parameters, adversarialStakeShare: number): SecurityLevel {
  if (!(adversarialStakeShare >= 0 && adversarialStakeShare <= 1)) {
    throw new StmError('INVALID_STAKE', `adversarial stake share must be in [0, 1], got ${adversarialStakeShare}`);
  }
  const m = Number(params.m);
  const k = Number(params.k);
  // phi(s) = 1 - (1 - phi_f)^s, with 0^0 = 1 (no stake wins nothing, even when phi_f = 1).
  const phi = adversarialStakeShare === 0 ? 0 : params.phiF === 1 ? 1 : -Math.expm1(adversarialStakeShare * Math.log1p(-params.phiF));
  const logTail = logBinomialUpperTail(m, phi, k);
  return {
    forgeryProbability: Math.exp(logTail),
    securityBits: -logTail / Math.LN2,
    expectedAdversarialWins: m * phi,
  };
}
