/**
 * Exponentially weighted mean and variance (West 1979, incremental form): stable, no sum of squares, O(1) memory.
 * The one implementation shared by the auto, ewma and rate-of-change detectors.
 *
 * Robust update: once a spread is known, a deviation is clipped at `clip` standard deviations (3: a normal sample is clipped 0.3 % of the time, which lowers the learned variance by about 1 %) before it is learned
 * (a Huber-style update), so one outlier moves the mean by at most alpha * clip * sigma and the variance by a
 * bounded factor, however extreme it is. A real level change is still followed, more slowly: each clipped step
 * widens the variance, which widens the next clip.
 */
export interface EwVariance {
  n: number;
  mean: number;
  variance: number;
}

/** Standard deviations beyond which a deviation is clipped before it is learned. */
export const EW_CLIP_SIGMAS = 3;

export function ewVariance(): EwVariance {
  return { n: 0, mean: 0, variance: 0 };
}

/**
 * Learns x with weight alpha. Mutates and returns the state.
 * @example ewVarianceAdd(ewVarianceAdd(ewVariance(), 10, 0.5), 12, 0.5) // => { n: 2, mean: 11, variance: 1 }
 */
export function ewVarianceAdd(s: EwVariance, x: number, alpha: number, clip = EW_CLIP_SIGMAS): EwVariance {
  if (s.n === 0) {
    s.mean = x;
  } else {
    let d = x - s.mean;
    const limit = clip * Math.sqrt(s.variance);
    if (limit > 0) d = Math.max(-limit, Math.min(limit, d));
    const incr = alpha * d;
    s.mean += incr;
    s.variance = (1 - alpha) * (s.variance + d * incr);
  }
  s.n = Math.min(s.n + 1, Number.MAX_SAFE_INTEGER);
  return s;
}
