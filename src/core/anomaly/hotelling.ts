import { symmetricEigen } from '../stats/eigen';
import { chiSquaredUpperTail } from '../stats/gamma';
import { normalUpperTail } from '../stats/normal';

/**
 * Multivariate detector for correlated signals of one machine (motor current, temperature, vibration, pressure,
 * flow): Hotelling's T-squared on a principal component model plus the Q statistic (squared prediction error).
 * T-squared flags unusual combinations inside the learned correlation structure (everything high together); Q flags
 * a broken relationship (current up, flow down). The PCA is streaming: exponentially weighted means and covariance,
 * re-decomposed every `refresh` samples.
 *
 * Score: 1 - min(1, 2 * min(pT2, pQ)), the Bonferroni-combined tail probability of the two statistics (T-squared
 * against chi-squared with k degrees of freedom, Q by Jackson & Mudholkar 1979). Contributions: the classic
 * per-variable split of T-squared (Kourti & MacGregor 1996) plus each variable's squared residual, as shares.
 */
export interface HotellingParams {
  /** Weight of each new sample once warm (1/alpha ~ memory in samples). */
  alpha: number;
  warmup: number;
  /** Fraction of the (standardised) variance the retained components must explain. */
  explained: number;
  refresh: number;
  minStd: number;
}

export interface HotellingState {
  n: number;
  mean: number[];
  covariance: number[][];
  /** Eigen-decomposition of the correlation matrix at the last refresh. */
  values: number[];
  vectors: number[][];
  components: number;
  sinceRefresh: number;
}

export interface HotellingResult {
  score: number;
  t2: number;
  q: number;
  components: number;
  /** Share of the anomaly per signal (same order as the input), summing to 1 when anything contributes. */
  contributions: number[];
  /** The learned normal (running mean) per signal, with the band 3 standard deviations around it. */
  expected: number[];
  lower: number[];
  upper: number[];
  warmingUp: boolean;
}

export const HOTELLING_DEFAULTS: HotellingParams = {
  alpha: 0.01,
  warmup: 50,
  explained: 0.9,
  refresh: 10,
  minStd: 1e-9,
};

export function hotellingInit(dimensions: number): HotellingState {
  return {
    n: 0,
    mean: new Array<number>(dimensions).fill(0),
    covariance: Array.from({ length: dimensions }, () => new Array<number>(dimensions).fill(0)),
    values: [],
    vectors: [],
    components: 0,
    sinceRefresh: 0,
  };
}

function refreshModel(state: HotellingState, p: HotellingParams): void {
  const d = state.mean.length;
  const std = state.covariance.map((row, i) => Math.max(Math.sqrt(row[i]), p.minStd));
  const correlation = state.covariance.map((row, i) => row.map((c, j) => c / (std[i] * std[j])));
  const { values, vectors } = symmetricEigen(correlation);
  const total = values.reduce((a, b) => a + Math.max(b, 0), 0) || 1;
  let cumulative = 0;
  let k = 0;
  while (k < d && cumulative / total < p.explained) cumulative += Math.max(values[k++], 0);
  state.values = values.map((v) => Math.max(v, 1e-9));
  state.vectors = vectors;
  state.components = Math.max(1, k);
  state.sinceRefresh = 0;
}

function qUpperTail(q: number, residualValues: number[]): number {
  if (residualValues.length === 0) return 1;
  const t1 = residualValues.reduce((a, l) => a + l, 0);
  const t2 = residualValues.reduce((a, l) => a + l * l, 0);
  const t3 = residualValues.reduce((a, l) => a + l * l * l, 0);
  if (t1 <= 1e-12 || t2 <= 1e-24) return q > 1e-9 ? 0 : 1;
  const h0 = 1 - (2 * t1 * t3) / (3 * t2 * t2);
  const c =
    (t1 * (Math.pow(q / t1, h0) - 1 - (t2 * h0 * (h0 - 1)) / (t1 * t1))) / Math.sqrt(2 * t2 * h0 * h0);
  return normalUpperTail(c);
}

/** Scores a vector against the model, then (if `learn`) learns it. Mutates and returns the state. */
export function hotellingUpdate(
  state: HotellingState,
  x: number[],
  p: HotellingParams,
  learn: boolean,
): { state: HotellingState; result: HotellingResult } {
  const d = state.mean.length;
  const std = state.covariance.map((row, i) => Math.max(Math.sqrt(row[i]), p.minStd));
  const warmingUp = state.n < p.warmup || state.components === 0;
  // Before the first sample nothing is learned: the sample itself is the best guess of normal.
  const normal = state.n > 0 ? state.mean : x;
  const result: HotellingResult = {
    score: 0,
    t2: 0,
    q: 0,
    components: state.components,
    contributions: new Array<number>(d).fill(0),
    expected: normal.slice(),
    lower: normal.map((m, i) => m - 3 * std[i]),
    upper: normal.map((m, i) => m + 3 * std[i]),
    warmingUp,
  };
  if (!warmingUp) {
    const z = x.map((v, i) => (v - state.mean[i]) / std[i]);
    const k = state.components;
    const scores = new Array<number>(k).fill(0);
    for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) scores[j] += state.vectors[i][j] * z[i];
    const reconstruction = new Array<number>(d).fill(0);
    for (let j = 0; j < k; j++)
      for (let i = 0; i < d; i++) reconstruction[i] += scores[j] * state.vectors[i][j];
    let t2 = 0;
    for (let j = 0; j < k; j++) t2 += (scores[j] * scores[j]) / state.values[j];
    let q = 0;
    const raw = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) {
      const r = z[i] - reconstruction[i];
      q += r * r;
      let t2Part = 0;
      for (let j = 0; j < k; j++) t2Part += (scores[j] / state.values[j]) * state.vectors[i][j] * z[i];
      raw[i] = Math.max(0, t2Part) + r * r;
    }
    const pT2 = chiSquaredUpperTail(t2, k);
    const pQ = qUpperTail(q, state.values.slice(k));
    result.score = 1 - Math.min(1, 2 * Math.min(pT2, pQ));
    result.t2 = t2;
    result.q = q;
    const total = raw.reduce((a, b) => a + b, 0);
    result.contributions = raw.map((c) => (total > 0 ? c / total : 0));
  }
  if (learn) {
    const w = Math.max(1 / (state.n + 1), p.alpha);
    const delta = x.map((v, i) => v - state.mean[i]);
    for (let i = 0; i < d; i++) state.mean[i] += w * delta[i];
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++)
        state.covariance[i][j] = (1 - w) * (state.covariance[i][j] + w * delta[i] * delta[j]);
    }
    state.n += 1;
    state.sinceRefresh += 1;
    if (state.n >= p.warmup && (state.components === 0 || state.sinceRefresh >= p.refresh))
      refreshModel(state, p);
  }
  return { state, result };
}
