import { normalTwoSidedTail } from '../stats/normal';
import { welford, welfordAdd, welfordVariance, type Welford } from '../stats/welford';
import { WARMING_UP, type Detector } from './detector';

/**
 * Two-sided tabular CUSUM (Page 1954): accumulates standardised deviations beyond a slack `k` in both directions;
 * small persistent shifts (a slow leak, a drifting sensor) add up where a z-score sees nothing. The reference mean
 * and sigma are learned during warm-up and afterwards while the sums stay below the decision interval. The score maps the larger sum through the
 * normal tail relative to the decision interval `h` (sum = h gives about 3 sigma). The default h = 8 with k = 0.5
 * keeps in-control false alarms rare (average run length in the thousands) while a 1-sigma shift shows within
 * about 15 samples.
 */
export interface CusumParams {
  k: number;
  h: number;
  warmup: number;
  minStd: number;
}

export interface CusumState {
  reference: Welford;
  high: number;
  low: number;
}

export const cusum: Detector<CusumParams, CusumState> = {
  name: 'cusum',
  defaults: { k: 0.5, h: 10, warmup: 50, minStd: 1e-9 },
  init: () => ({ reference: welford(), high: 0, low: 0 }),
  update(state, x, _t, p, learn) {
    const ref = state.reference;
    if (ref.n < p.warmup) {
      if (learn) welfordAdd(ref, x);
      return { state, result: WARMING_UP(ref.n > 0 ? ref.mean : x) };
    }
    const std = Math.max(Math.sqrt(welfordVariance(ref)), p.minStd);
    const z = (x - ref.mean) / std;
    state.high = Math.max(0, state.high + z - p.k);
    state.low = Math.max(0, state.low - z - p.k);
    const sum = Math.max(state.high, state.low);
    // The reference keeps learning below the decision interval, so it is not frozen at an early, biased estimate;
    // a real shift reaches h long before the reference could follow it.
    if (learn && sum < p.h) welfordAdd(ref, x);
    return {
      state,
      result: {
        score: 1 - normalTwoSidedTail((3 * sum) / p.h),
        expected: ref.mean,
        lower: ref.mean - 3 * std,
        upper: ref.mean + 3 * std,
        warmingUp: false,
      },
    };
  },
};
