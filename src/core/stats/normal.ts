import { errorFunction } from 'simple-statistics';

/**
 * Two-sided tail probability of a standard normal: P(|Z| >= |z|). The anomaly detectors' score is 1 minus this,
 * so a score of 0.99 means "a value this far out happens 1% of the time under the learned normal behaviour".
 * @example Math.round(normalTwoSidedTail(1.959964) * 1000) / 1000 // => 0.05
 */
export function normalTwoSidedTail(z: number): number {
  if (!Number.isFinite(z)) return 0;
  return Math.max(0, 1 - errorFunction(Math.abs(z) / Math.SQRT2));
}

/** One-sided upper tail P(Z >= z). */
export function normalUpperTail(z: number): number {
  if (z === Infinity) return 0;
  return Math.max(0, Math.min(1, 0.5 * (1 - errorFunction(z / Math.SQRT2))));
}
