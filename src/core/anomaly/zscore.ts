import { normalTwoSidedTail } from '../stats/normal';
import { ring, ringPush, type Ring } from '../stats/ring';
import { welford, welfordAdd, welfordRemove, welfordVariance, type Welford } from '../stats/welford';
import { WARMING_UP, type Detector } from './detector';

/**
 * Windowed z-score: the observation against the mean and standard deviation of the last `window` values (sliding
 * Welford, O(1) per point). The classic hand-written detector, done numerically stably.
 */
export interface ZScoreParams {
  window: number;
  /** Values needed before scoring. */
  warmup: number;
  /** Floor for the standard deviation, so a perfectly flat signal does not make every change infinite. */
  minStd: number;
}

export interface ZScoreState {
  stats: Welford;
  window: Ring;
}

export const zscore: Detector<ZScoreParams, ZScoreState> = {
  name: 'zscore',
  defaults: { window: 100, warmup: 30, minStd: 1e-9 },
  init: (p) => ({ stats: welford(), window: ring(p.window) }),
  update(state, x, _t, p, learn) {
    const { stats } = state;
    const std = Math.max(Math.sqrt(welfordVariance(stats)), p.minStd);
    const ready = stats.n >= p.warmup;
    const result = ready
      ? {
          score: 1 - normalTwoSidedTail((x - stats.mean) / std),
          expected: stats.mean,
          lower: stats.mean - 3 * std,
          upper: stats.mean + 3 * std,
          warmingUp: false,
        }
      : WARMING_UP(stats.n > 0 ? stats.mean : x);
    if (learn) {
      const evicted = ringPush(state.window, x);
      if (evicted !== undefined) welfordRemove(stats, evicted);
      welfordAdd(stats, x);
      // Removal leaves rounding residue (an extreme value gone can leave a trace); once per full turn of the window
      // the statistics are recomputed from the window itself, so the residue never accumulates: O(1) amortised.
      if (evicted !== undefined && state.window.start === 0) {
        state.stats = state.window.values.reduce(welfordAdd, welford());
      }
    }
    return { state, result };
  },
};
