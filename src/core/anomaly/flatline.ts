import type { Detector } from './detector';

/**
 * Stuck value / flatline: a sensor that repeats the same value (within `epsilon`) for longer than it normally does.
 * The detector learns how often consecutive values are equal (p, Laplace-smoothed and exponentially forgotten), so
 * a run of k equal values has probability p^k under normal behaviour; the score is 1 - p^k. A signal that is
 * often flat (a setpoint) learns a p near 1 and rarely scores high; a noisy analogue value learns p near 0, and
 * three repeats are already suspicious.
 */
export interface FlatlineParams {
  epsilon: number;
  /** Weight of each new step in the learned repeat probability. */
  alpha: number;
  warmup: number;
}

export interface FlatlineState {
  n: number;
  /** Steps seen (for the equal-weight start of the repeat probability). */
  steps: number;
  last: number;
  run: number;
  pSame: number;
}

export const flatline: Detector<FlatlineParams, FlatlineState> = {
  name: 'flatline',
  defaults: { epsilon: 0, alpha: 0.01, warmup: 30 },
  init: () => ({ n: 0, steps: 0, last: 0, run: 0, pSame: 0.5 }),
  update(state, x, _t, p, learn) {
    const same = state.n > 0 && Math.abs(x - state.last) <= p.epsilon;
    state.run = same ? state.run + 1 : 0;
    if (learn && state.n > 0) {
      // Equal weights until 1/alpha steps (a plain average), then exponential forgetting.
      state.steps += 1;
      state.pSame += Math.max(1 / state.steps, p.alpha) * ((same ? 1 : 0) - state.pSame);
    }
    state.last = x;
    state.n += 1;
    // Laplace-style floor and ceiling: never certain either way.
    const pSame = Math.min(0.999, Math.max(0.001, state.pSame));
    const warmingUp = state.n <= p.warmup;
    return {
      state,
      result: {
        score: warmingUp || state.run === 0 ? 0 : 1 - Math.pow(pSame, state.run),
        expected: x,
        lower: x,
        upper: x,
        warmingUp,
      },
    };
  },
};
