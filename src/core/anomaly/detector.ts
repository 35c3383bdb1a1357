import type { AlarmParams } from './alarm';

/**
 * The shape every streaming anomaly detector shares. A detector is a pure reducer over plain-JSON state:
 * `update(state, x, t, params, learn, phase)` returns the new state and a result, so it runs the same in the
 * twin-anomaly node (state in Node-RED context, surviving restarts), the replay CLI and the benchmarks.
 *
 * Univariate detectors take one number per signal; a multivariate detector (`multivariate: true`) takes the vector
 * of a key's signals, in a fixed order, and says how much each signal contributed. The engine treats both through
 * this one interface; nothing asks for a detector by name.
 *
 * Ownership: for speed (millions of points per second) `update` mutates the state it is given and returns it. A
 * caller that must keep the previous state (to stay unchanged on bad input) validates the input first, or clones.
 *
 * Time: `t` is the sample's timestamp in ms (irregular sampling and gaps are normal in plant data); detectors that
 * do not need time ignore it. `learn: false` freezes learning (machine stopped, signal in alarm, or a trained model
 * being monitored) while still scoring. `phase` says how the engine learns: `online` (forgetting old data) or
 * `training` (a training period that ends with `freeze`); univariate detectors learn the same way in both.
 */
export interface DetectorResult {
  /**
   * In [0, 1]: for the statistical detectors, 1 minus the tail probability of the observation under the learned
   * normal behaviour; for auto, a novelty calibrated so that 0.99 is its tuned detection level, and above 0.99
   * 1 - 0.01 p^(1/3) for the tail probability p of the detection under the signal's learned null; for hotelling, 0.99
   * at the control limit.
   */
  score: number;
  /** What the detector expected (for plotting). */
  expected: number;
  /** The band considered normal (for plotting), at about 3 sigma or the detector's own limit. */
  lower: number;
  upper: number;
  /** True until the detector has seen enough data to judge; the score is 0 meanwhile. */
  warmingUp: boolean;
}

export type LearningPhase = 'online' | 'training';

export interface Detector<P, S> {
  /** Stable name used in configuration and persisted state. */
  readonly name: string;
  readonly defaults: P;
  readonly multivariate?: false;
  /**
   * Alarm settings that suit this detector's score where they differ from ALARM_DEFAULTS (auto reports each event
   * once, so one detection must raise the alarm).
   */
  readonly alarm?: Partial<AlarmParams>;
  init(params: P): S;
  update(
    state: S,
    x: number,
    t: number,
    params: P,
    learn: boolean,
    phase?: LearningPhase,
  ): { state: S; result: DetectorResult };
  /** Ends a training period (train-then-monitor): fixes the model and its limits. */
  freeze?(state: S, params: P): void;
}

export interface MultivariateResult {
  score: number;
  warmingUp: boolean;
  /** Share of the anomaly per signal (input order), summing to 1 when anything contributes. */
  contributions: number[];
  expected: number[];
  lower: number[];
  upper: number[];
}

export interface MultivariateDetector<P, S> {
  readonly name: string;
  readonly defaults: P;
  readonly multivariate: true;
  readonly alarm?: Partial<AlarmParams>;
  /** The first parameter that is out of range, as a message; undefined when all are usable. */
  check?(params: P): string | undefined;
  init(params: P, dimensions: number): S;
  update(
    state: S,
    x: number[],
    t: number,
    params: P,
    learn: boolean,
    phase?: LearningPhase,
  ): { state: S; result: MultivariateResult };
  freeze?(state: S, params: P): void;
}

export const WARMING_UP = (expected: number): DetectorResult => ({
  score: 0,
  expected,
  lower: expected,
  upper: expected,
  warmingUp: true,
});
