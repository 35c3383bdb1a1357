import { normalUpperTail } from '../stats/normal';
import { ring, ringPush, type Ring } from '../stats/ring';
import { WARMING_UP, type Detector } from './detector';

/**
 * The default detector, one parameter set for all data (chosen by a grid search on the NAB corpus,
 * bench/nab/tune.ts; no per-stream parameters):
 *
 * 1. A raw surprise per sample, the mean of two terms: how far the value is from an exponentially weighted level,
 *    in exponentially weighted spreads; and how novel it is, -log of the share of the last `memory` values within
 *    `bandwidth` spreads of it (a density estimate, so a value in a range the signal visits is not surprising, even
 *    far from the mean).
 * 2. An anomaly likelihood in the manner of Numenta's (Ahmad et al. 2017): the mean surprise of the last `short`
 *    samples against the distribution of past surprises (exponentially weighted, memory about `long` samples). One large error in noisy data is
 *    not an anomaly; a sustained rise in surprise is. Score = 1 - the one-sided normal tail probability of that mean.
 *    A single sample `spike` deviations above the usual surprise scores on its own (mapped so that exactly `spike`
 *    deviations gives the 3-sigma score, 0.99865).
 * 3. After a detection the score is held at or below 0.5 for `cooldown` samples: one event is reported once.
 */
export interface AutoParams {
  alpha: number;
  short: number;
  long: number;
  warmup: number;
  /** Score that counts as a detection, for the cooldown. */
  detection: number;
  cooldown: number;
  /** Relative floor on the spread, so flat signals do not make every change infinitely surprising. */
  minRelativeStd: number;
  /** Values kept for the novelty term. */
  memory: number;
  /** Neighbourhood for the novelty's density, in spreads. */
  bandwidth: number;
  /**
   * A single sample whose surprise is this many standard deviations above the usual is an anomaly on its own (a
   * spike), even though the likelihood, which averages, would miss it.
   */
  spike: number;
}

export interface AutoState {
  n: number;
  mean: number;
  variance: number;
  recent: Ring;
  recentSum: number;
  /** Exponentially weighted mean and variance of past surprises (memory about `long` samples, O(1) space). */
  historyN: number;
  historyMean: number;
  historyVariance: number;
  cooldown: number;
  memory: Ring;
  /** The values of `memory`, sorted, for the density count. */
  sorted: number[];
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const auto: Detector<AutoParams, AutoState> = {
  name: 'auto',
  defaults: {
    alpha: 0.1,
    short: 16,
    long: 4000,
    warmup: 60,
    detection: 0.9995,
    cooldown: 100,
    minRelativeStd: 1e-3,
    memory: 500,
    bandwidth: 1,
    spike: 7,
  },
  init: (p) => ({
    n: 0,
    mean: 0,
    variance: 0,
    recent: ring(p.short),
    recentSum: 0,
    historyN: 0,
    historyMean: 0,
    historyVariance: 0,
    cooldown: 0,
    memory: ring(p.memory),
    sorted: [],
  }),
  update(state, x, _t, p, learn) {
    const spread = Math.max(Math.sqrt(state.variance), p.minRelativeStd * (Math.abs(state.mean) + 1));
    const expected = state.n > 0 ? state.mean : x;
    let surprise = 0;
    if (state.n > 0) {
      const h = p.bandwidth * spread;
      const near = lowerBound(state.sorted, x + h) - lowerBound(state.sorted, x - h);
      const novelty = -Math.log((near + 1) / (state.sorted.length + 1));
      surprise = 0.5 * (Math.abs(x - state.mean) / spread) + 0.5 * novelty;
    }
    if (learn) {
      if (state.n === 0) state.mean = x;
      else {
        // West (1979) incremental exponentially weighted variance.
        const d = x - state.mean;
        const incr = p.alpha * d;
        state.mean += incr;
        state.variance = (1 - p.alpha) * (state.variance + d * incr);
      }
      state.n += 1;
      const forgotten = ringPush(state.memory, x);
      if (forgotten !== undefined) state.sorted.splice(lowerBound(state.sorted, forgotten), 1);
      state.sorted.splice(lowerBound(state.sorted, x), 0, x);
    }
    const evictedRecent = ringPush(state.recent, surprise);
    state.recentSum += surprise - (evictedRecent ?? 0);
    const recentMean = state.recentSum / state.recent.values.length;
    let score = 0;
    if (state.n > p.warmup && state.historyN >= p.short) {
      const sd = Math.max(Math.sqrt(state.historyVariance), 1e-6);
      const likelihood = 1 - normalUpperTail((recentMean - state.historyMean) / (sd / Math.sqrt(p.short)));
      const single = 1 - normalUpperTail((surprise - state.historyMean) / sd - p.spike + 3);
      score = Math.max(likelihood, single);
    }
    // Surprises from the warm-up, while level and spread are still forming, would inflate the baseline for a whole
    // `long` window, so they are not learned.
    if (learn && state.n > p.warmup) {
      // Equal weights until `long` samples, then exponential forgetting.
      state.historyN += 1;
      const w = Math.max(1 / state.historyN, 1 / p.long);
      const d = surprise - state.historyMean;
      state.historyMean += w * d;
      state.historyVariance = (1 - w) * (state.historyVariance + w * d * d);
    }
    if (state.cooldown > 0) {
      state.cooldown -= 1;
      score = Math.min(score, 0.5);
    } else if (score >= p.detection) state.cooldown = p.cooldown;
    if (state.n <= p.warmup) return { state, result: WARMING_UP(expected) };
    return {
      state,
      result: {
        score,
        expected,
        lower: expected - 3 * spread,
        upper: expected + 3 * spread,
        warmingUp: false,
      },
    };
  },
};
