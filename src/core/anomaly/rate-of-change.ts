import { ewVariance, ewVarianceAdd, type EwVariance } from '../stats/ew-variance';
import { normalTwoSidedTail } from '../stats/normal';
import { WARMING_UP, type Detector } from './detector';

/**
 * Rate of change: the slope between consecutive samples, per second of their timestamps (so irregular sampling and
 * gaps do not fake a jump), judged against an exponentially weighted mean and variance of past slopes. Catches a
 * temperature climbing too fast long before it crosses a limit.
 */
export interface RateParams {
  alpha: number;
  warmup: number;
  minStd: number;
}

export interface RateState {
  n: number;
  lastX: number;
  lastT: number;
  /** Exponentially weighted mean and variance of the slopes, per second. */
  slopes: EwVariance;
}

export const rateOfChange: Detector<RateParams, RateState> = {
  name: 'rate',
  defaults: { alpha: 0.05, warmup: 30, minStd: 1e-9 },
  init: () => ({ n: 0, lastX: 0, lastT: 0, slopes: ewVariance() }),
  update(state, x, t, p, learn) {
    if (state.n === 0 || t <= state.lastT) {
      // First sample, or a repeated/backwards timestamp: no slope to judge.
      if (state.n === 0 || learn) {
        state.lastX = x;
        state.lastT = Math.max(t, state.lastT);
        state.n = Math.max(state.n, 1);
      }
      return { state, result: WARMING_UP(x) };
    }
    const rate = ((x - state.lastX) / (t - state.lastT)) * 1000;
    const { mean, variance } = state.slopes;
    const std = Math.max(Math.sqrt(variance), p.minStd);
    const dtSeconds = (t - state.lastT) / 1000;
    const result =
      state.n > p.warmup
        ? {
            score: 1 - normalTwoSidedTail((rate - mean) / std),
            expected: state.lastX + mean * dtSeconds,
            lower: state.lastX + (mean - 3 * std) * dtSeconds,
            upper: state.lastX + (mean + 3 * std) * dtSeconds,
            warmingUp: false,
          }
        : WARMING_UP(x);
    state.lastX = x;
    state.lastT = t;
    if (learn) {
      ewVarianceAdd(state.slopes, rate, p.alpha);
      state.n += 1;
    }
    return { state, result };
  },
};
