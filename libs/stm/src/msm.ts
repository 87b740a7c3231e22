/**
 * Multi-scalar multiplication Σ s_i·P_i (Pippenger's bucket method) over @noble/curves points,
 * for public inputs only (verification), using nothing but the library's point addition,
 * doubling and negation.
 *
 * Why not noble's own `pippenger`: it always walks all 255 bits of the scalar field and adds
 * points into the zero bucket, so the short random coefficients of batch verification (64 or
 * 128 bits) cost as much as full scalars. Here the windows cover only the scalars' actual bit
 * length, digits are signed (half as many buckets; negation is free), and empty buckets are
 * never added.
 */
export interface MsmPoint<P> {
  add(other: P): P;
  double(): P;
  negate(): P;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Window width minimising windows·(n + 2^(c-1)) for n points of `bits`-bit scalars. */
function windowWidth(n: number, bits: number): number {
  let best = 2;
  let bestCost = Infinity;
  for (let c = 2; c <= 16; c += 1) {
    const cost = Math.ceil((bits + 1) / c) * (n + 2 ** (c - 1) * 2);
    if (cost < bestCost) {
      bestCost = cost;
      best = c;
    }
  }
  return best;
}

export function msm<P extends MsmPoint<P>>(zero: P, points: readonly P[], scalars: readonly bigint[]): P {
  if (points.length !== scalars.length) throw new Error('msm: points and scalars differ in length');
  const n = points.length;
  if (n === 0) return zero;
  let bits = 0;
  for (const s of scalars) {
    if (s < 0n) throw new Error('msm: negative scalar');
    bits = Math.max(bits, bitLength(s));
  }
  if (bits === 0) return zero;
  const c = windowWidth(n, bits);
  const windows = Math.ceil((bits + 1) / c);
  const half = 1 << (c - 1);
  const full = 1 << c;
  const mask = BigInt(full - 1);
  const shift = BigInt(c);
  // Signed digits in (-2^(c-1), 2^(c-1)]: a digit above half borrows from the next window.
  const digits = new Int32Array(n * windows);
  for (let j = 0; j < n; j += 1) {
    let s = scalars[j]!;
    let carry = 0;
    for (let w = 0; w < windows; w += 1) {
      let d = Number(s & mask) + carry;
      s >>= shift;
      if (d > half) {
        d -= full;
        carry = 1;
      } else {
        carry = 0;
      }
      digits[j * windows + w] = d;
    }
  }
  const negated: (P | undefined)[] = new Array(n);
  let result: P | undefined;
  const buckets: (P | undefined)[] = new Array(half);
  for (let w = windows - 1; w >= 0; w -= 1) {
    if (result !== undefined) for (let i = 0; i < c; i += 1) result = result.double();
    buckets.fill(undefined);
    for (let j = 0; j < n; j += 1) {
      const d = digits[j * windows + w]!;
      if (d === 0) continue;
      const point = d > 0 ? points[j]! : (negated[j] ??= points[j]!.negate());
      const b = (d > 0 ? d : -d) - 1;
      const current = buckets[b];
      buckets[b] = current === undefined ? point : current.add(point);
    }
    // Σ_b (b+1)·bucket_b as a running sum from the top bucket down.
    let running: P | undefined;
    let windowSum: P | undefined;
    for (let b = half - 1; b >= 0; b -= 1) {
      const bucket = buckets[b];
      if (bucket !== undefined) running = running === undefined ? bucket : running.add(bucket);
      if (running !== undefined) windowSum = windowSum === undefined ? running : windowSum.add(running);
    }
    if (windowSum !== undefined) result = result === undefined ? windowSum : result.add(windowSum);
  }
  return result ?? zero;
}
