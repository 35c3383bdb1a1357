import { ewVarianceAdd, type EwVariance } from '../stats/ew-variance';
import { WARMING_UP, type Detector } from './detector';
import {
  DETECTION,
  RARE_DETECTION,
  patternMemoryInit,
  patternMemoryUpdate,
  type PatternMemoryParams,
  type PatternMemoryState,
} from './pattern-memory';

/**
 * The default detector: how novel the signal's recent shape is, at several time scales at once. One parameter set
 * for all data, chosen on the NAB corpus (bench/nab/tune.ts); no per-stream parameters.
 *
 * A pattern memory (pattern-memory.ts) learns the short shapes of the samples themselves; others learn the shapes
 * of block means of `scales` samples (8 and 64 by default), so a slow change (a temperature creeping in a way it
 * never did, a daily profile that changed) is a new shape at a coarser scale even when every single step looks
 * familiar. The score is the highest of the scales' scores; a coarse scale scores when its block completes. A
 * detection (score >= 0.99) at any scale starts the quiet period at all of them.
 *
 * Above 0.99 the score says how rare such a detection is in this signal, at its scale: 1 - 0.01 p^(1/3) for a tail
 * probability p per sample under the signal's own learned distribution of new shapes (pattern-memory.ts, item 5). The
 * node's default alarm threshold, 0.9999, is p = 1e-6: on stationary noise, which sooner or later makes a shape the
 * memory has not seen, about one false alarm per million samples. 0.99 (every detection, the NAB operating point)
 * raises about one per 3,000 samples of Gaussian noise.
 *
 * Expected value and band (for plotting) come from an exponentially weighted level and spread (`alpha`).
 */
export interface AutoParams extends PatternMemoryParams {
  /** Block lengths, in samples, of the time scales (1 = every sample). */
  scales: number[];
  /** Samples before the finest scale scores. */
  warmup: number;
  /**
   * `beyond` at the coarser scales. Block means vary less than samples, so their range is narrow and a mean a little
   * outside it is common: there it takes a whole range.
   */
  coarseBeyond: number;
  /** Blocks before a coarser scale scores. */
  coarseWarmup: number;
  alpha: number;
  /** Relative floor on the band's spread. */
  minRelativeStd: number;
}

export interface AutoScaleState {
  /** Sum and count of the block being filled. */
  sum: number;
  count: number;
  memory: PatternMemoryState;
}

export interface AutoState extends EwVariance {
  scales: AutoScaleState[];
}

export const auto: Detector<AutoParams, AutoState> = {
  name: 'auto',
  // One event is one report (the quiet period), so k of n would never be met: one rare detection raises.
  alarm: { threshold: RARE_DETECTION, raiseK: 1, raiseN: 1 },
  defaults: {
    scales: [1, 8, 64],
    window: 3,
    vigilance: 0.08,
    patterns: 500,
    learningRate: 0.05,
    quiet: 25,
    noveltyRate: 0.001,
    ratePenalty: 2,
    beyond: 0.3,
    coarseBeyond: 1,
    warmup: 60,
    coarseWarmup: 20,
    alpha: 0.1,
    minRelativeStd: 1e-3,
  },
  init: (p) => ({
    n: 0,
    mean: 0,
    variance: 0,
    scales: p.scales.map(() => ({ sum: 0, count: 0, memory: patternMemoryInit() })),
  }),
  update(state, x, _t, p, learn) {
    const spread = Math.max(Math.sqrt(state.variance), p.minRelativeStd * (Math.abs(state.mean) + 1));
    const expected = state.n > 0 ? state.mean : x;
    if (learn) ewVarianceAdd(state, x, p.alpha);
    let score = 0;
    for (let i = 0; i < p.scales.length; i++) {
      const scale = state.scales[i];
      scale.sum += x;
      scale.count += 1;
      if (scale.count < p.scales[i]) continue;
      const mean = scale.sum / scale.count;
      scale.sum = 0;
      scale.count = 0;
      const s = patternMemoryUpdate(scale.memory, mean, p, learn, i === 0 ? p.beyond : p.coarseBeyond);
      const warm = p.scales[i] === 1 ? p.warmup : p.coarseWarmup;
      if (scale.memory.n > warm) score = Math.max(score, s);
    }
    // One event, one report: a detection at any scale starts the quiet period at every scale, so the same event
    // is not reported again when a coarser block completes.
    if (score >= DETECTION) for (const scale of state.scales) scale.memory.calm = 0;
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
