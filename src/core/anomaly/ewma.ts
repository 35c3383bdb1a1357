import { ewVariance, ewVarianceAdd, type EwVariance } from '../stats/ew-variance';
import { normalTwoSidedTail } from '../stats/normal';
import { WARMING_UP, type Detector } from './detector';

/**
 * EWMA control chart (Roberts 1959): an exponentially weighted mean and variance; the observation is judged
 * against them. Reacts to shifts faster than a long window and needs no buffer. `alpha` is the weight of the newest
 * value (0.05 ~ a memory of 20 samples).
 */
export interface EwmaParams {
  alpha: number;
  warmup: number;
  minStd: number;
}

export type EwmaState = EwVariance;

export const ewma: Detector<EwmaParams, EwmaState> = {
  name: 'ewma',
  defaults: { alpha: 0.05, warmup: 30, minStd: 1e-9 },
  init: ewVariance,
  update(state, x, _t, p, learn) {
    const std = Math.max(Math.sqrt(state.variance), p.minStd);
    const result =
      state.n >= p.warmup
        ? {
            score: 1 - normalTwoSidedTail((x - state.mean) / std),
            expected: state.mean,
            lower: state.mean - 3 * std,
            upper: state.mean + 3 * std,
            warmingUp: false,
          }
        : WARMING_UP(state.n > 0 ? state.mean : x);
    if (learn) ewVarianceAdd(state, x, p.alpha);
    return { state, result };
  },
};
