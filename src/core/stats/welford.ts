/**
 * Running mean and variance by Welford's method: numerically stable where the textbook Σx² formula cancels
 * catastrophically (node-red-node-smooth's sliding SD does). Plain JSON state, so it persists in any context store.
 * Reference: B. P. Welford, "Note on a method for calculating corrected sums of squares and products", 1962.
 */
export interface Welford {
  n: number;
  mean: number;
  m2: number;
}

export function welford(): Welford {
  return { n: 0, mean: 0, m2: 0 };
}

/**
 * Adds x. Mutates and returns the state (the caller owns it; see src/core/anomaly/README in detector.ts).
 * @example welfordVariance([1, 2, 3, 4].reduce(welfordAdd, welford())) // => 1.6666666666666667
 */
export function welfordAdd(s: Welford, x: number): Welford {
  s.n += 1;
  const d = x - s.mean;
  s.mean += d / s.n;
  s.m2 += d * (x - s.mean);
  return s;
}

/** Removes x, which must have been added before: the sliding-window form. */
export function welfordRemove(s: Welford, x: number): Welford {
  if (s.n <= 1) {
    s.n = 0;
    s.mean = 0;
    s.m2 = 0;
    return s;
  }
  const d = x - s.mean;
  s.n -= 1;
  s.mean -= d / s.n;
  s.m2 -= d * (x - s.mean);
  if (s.m2 < 0) s.m2 = 0; // rounding can leave a tiny negative
  return s;
}

/** Sample variance (n - 1 in the denominator, Bessel's correction); 0 below two values. */
export function welfordVariance(s: Welford): number {
  return s.n > 1 ? s.m2 / (s.n - 1) : 0;
}
