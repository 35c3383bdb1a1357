import { symmetricEigen } from '../stats/eigen';
import { fUpperTail, logBeta } from '../stats/f-distribution';
import { chiSquaredUpperTail } from '../stats/gamma';
import { normalUpperTail } from '../stats/normal';
import type { LearningPhase, MultivariateDetector, MultivariateResult } from './detector';

/**
 * Multivariate process monitoring for the correlated signals of one machine (motor current, temperature, vibration,
 * pressure, flow): a principal component (PCA) model of normal operation with Hotelling's T-squared and the Q
 * statistic (squared prediction error, SPE), the method process engineers know from MacGregor & Kourti (1995).
 * T-squared flags an unusual point inside the learned correlation structure (everything high together); Q flags a
 * broken relationship (current up, flow down).
 *
 * - Model: signals standardised by the training mean and standard deviation; components of the correlation matrix
 *   kept until they explain `explained` of the variance (at least one, and at least one left for Q).
 * - Control limits at `confidence` from the training data: T-squared by the F distribution,
 *   a(n-1)(n+1)/(n(n-a)) F(a, n-a) (Tracy, Young & Mason 1992); Q by Jackson & Mudholkar (1979) from the discarded
 *   eigenvalues (Box's scaled chi-squared where that approximation breaks down).
 * - `lags` > 0: dynamic PCA (Ku, Storer & Georgakis 1995), each sample with its `lags` predecessors, for
 *   autocorrelated processes.
 * - `smoothing` > 0: the statistics are smoothed (EWMA, weight `smoothing`) before they are judged, against limits
 *   of the smoothed statistic (scaled chi-squared with matched moments): small sustained shifts show, single noisy
 *   samples do not.
 * - Learning: in a training period (phase `training`) every sample has the same weight, and `freeze` fixes the model
 *   and its limits on the n training samples. Online, means and covariance are exponentially weighted (`alpha`)
 *   and the model is re-decomposed every `refresh` samples; the limits use the effective sample size.
 *
 * Score: the smaller tail probability p of the two statistics, mapped to 1 - 0.01 p / (1 - confidence) in [0, 1]:
 * 0.99 (the default alarm threshold) exactly at the control limit, higher beyond it. Contributions: the per-variable
 * split of T-squared (Kourti & MacGregor 1996) plus each variable's squared residual, as shares.
 */
export interface HotellingParams {
  /** Confidence level of the control limits. */
  confidence: number;
  /** Share of the (standardised) variance the retained components explain. */
  explained: number;
  /** Lagged copies of each signal in the model (dynamic PCA); 0 = static PCA. */
  lags: number;
  /** Weight of the newest value in the EWMA of the statistics; 0 = no smoothing. */
  smoothing: number;
  /** Online: weight of each new sample once warm (1/alpha ~ memory in samples). */
  alpha: number;
  /** Online: samples before the first model. */
  warmup: number;
  /** Online: samples between re-decompositions. */
  refresh: number;
  minStd: number;
}

export interface HotellingState {
  /** Samples learned. */
  n: number;
  mean: number[];
  covariance: number[][];
  /** The model: centre and scale at the last refresh, eigenvalues and eigenvectors of the correlation matrix. */
  center: number[];
  scale: number[];
  values: number[];
  vectors: number[][];
  components: number;
  /** Sample size the control limits rest on. */
  limitN: number;
  /** Per model, for the limits: the sums of the discarded eigenvalues, their squares and cubes; ln B for the F tail. */
  residual: number[];
  logBeta: number;
  sinceRefresh: number;
  frozen: boolean;
  /** The last `lags` raw vectors, newest first. */
  history: number[][];
  /** Smoothed T-squared and Q; empty until the first judged sample. */
  smoothed: number[];
}

/** Deviations beyond this many standard deviations are clipped before an online update learns them. */
const CLIP_SIGMAS = 6;
/** The score at the control limit: the default alarm threshold. */
const AT_LIMIT = 0.99;

const spread = (variance: number, mean: number, p: HotellingParams): number =>
  Math.max(Math.sqrt(Math.max(variance, 0)), p.minStd, 1e-12 * Math.abs(mean));

function refresh(state: HotellingState, p: HotellingParams): void {
  const d = state.mean.length;
  const scale = state.covariance.map((row, i) => spread(row[i], state.mean[i], p));
  const correlation = state.covariance.map((row, i) => row.map((c, j) => c / (scale[i] * scale[j])));
  const { values, vectors } = symmetricEigen(correlation);
  const total = values.reduce((a, b) => a + Math.max(b, 0), 0) || 1;
  let cumulative = 0;
  let k = 0;
  while (k < d && cumulative / total < p.explained - 1e-12) cumulative += Math.max(values[k++], 0);
  state.center = state.mean.slice();
  state.scale = scale;
  state.values = values.map((v) => Math.max(v, 1e-9));
  state.vectors = vectors;
  state.components = Math.min(Math.max(1, k), Math.max(1, d - 1));
  state.residual = [0, 0, 0];
  for (const l of state.values.slice(state.components)) {
    state.residual[0] += l;
    state.residual[1] += l * l;
    state.residual[2] += l * l * l;
  }
  state.sinceRefresh = 0;
}

function setLimitN(state: HotellingState, n: number): void {
  state.limitN = n;
  const k = state.components;
  state.logBeta = n > k ? logBeta((n - k) / 2, k / 2) : 0;
}

/** Q tail by Jackson & Mudholkar; Box's g chi-squared(h) when h0 <= 0 or when the statistic is smoothed. */
function qTail(q: number, [t1, t2, t3]: number[], smoothing: number): number {
  if (t1 <= 1e-12) return q > 1e-9 ? 0 : 1;
  const h0 = 1 - (2 * t1 * t3) / (3 * t2 * t2);
  if (smoothing === 0 && h0 > 0) {
    const c =
      (t1 * (Math.pow(q / t1, h0) - 1 - (t2 * h0 * (h0 - 1)) / (t1 * t1))) / Math.sqrt(2 * t2 * h0 * h0);
    return normalUpperTail(c);
  }
  const shrink = smoothing > 0 ? smoothing / (2 - smoothing) : 1;
  const g = (t2 / t1) * shrink;
  return chiSquaredUpperTail(q / g, (t1 * t1) / t2 / shrink);
}

/** T-squared tail: F for one sample; a chi-squared with matched mean and variance for the smoothed statistic. */
function t2Tail(t2: number, k: number, n: number, smoothing: number, lnBeta: number): number {
  if (smoothing === 0) return fUpperTail((t2 * n * (n - k)) / (k * (n - 1) * (n + 1)), k, n - k, lnBeta);
  const meanScale = ((n - 1) * (n + 1)) / (n * Math.max(1, n - k - 2));
  const shrink = smoothing / (2 - smoothing);
  return chiSquaredUpperTail(t2 / (meanScale * shrink), k / shrink);
}

function augmented(state: HotellingState, x: number[]): number[] | undefined {
  if (state.history.length * x.length + x.length < state.mean.length) return undefined;
  return state.history.length === 0 ? x : x.concat(...state.history);
}

function judge(
  state: HotellingState,
  z: number[],
  signals: number,
  p: HotellingParams,
  result: MultivariateResult,
): void {
  const d = z.length;
  const k = state.components;
  const scores = new Array<number>(k).fill(0);
  for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) scores[j] += state.vectors[i][j] * z[i];
  let t2 = 0;
  for (let j = 0; j < k; j++) t2 += (scores[j] * scores[j]) / state.values[j];
  let q = 0;
  const parts = new Array<number>(signals).fill(0);
  for (let i = 0; i < d; i++) {
    let reconstruction = 0;
    let t2Part = 0;
    for (let j = 0; j < k; j++) {
      reconstruction += scores[j] * state.vectors[i][j];
      t2Part += (scores[j] / state.values[j]) * state.vectors[i][j] * z[i];
    }
    const r = z[i] - reconstruction;
    q += r * r;
    parts[i % signals] += Math.max(0, t2Part) + r * r;
  }
  const lambda = p.smoothing;
  if (lambda > 0) {
    if (state.smoothed.length === 0) state.smoothed = [k, state.residual[0]];
    state.smoothed[0] = lambda * t2 + (1 - lambda) * state.smoothed[0];
    state.smoothed[1] = lambda * q + (1 - lambda) * state.smoothed[1];
    t2 = state.smoothed[0];
    q = state.smoothed[1];
  }
  const tail = Math.min(t2Tail(t2, k, state.limitN, lambda, state.logBeta), qTail(q, state.residual, lambda));
  result.score = Math.max(0, Math.min(1, 1 - ((1 - AT_LIMIT) * tail) / (1 - p.confidence)));
  const total = parts.reduce((a, b) => a + b, 0);
  result.contributions = parts.map((c) => (total > 0 ? c / total : 0));
}

function learnSample(state: HotellingState, x: number[], p: HotellingParams, phase: LearningPhase): void {
  const d = x.length;
  const w = phase === 'training' ? 1 / (state.n + 1) : Math.max(1 / (state.n + 1), p.alpha);
  const clip = phase === 'online' && state.components > 0;
  const delta = x.map((v, i) => {
    const dv = v - state.mean[i];
    if (!clip) return dv;
    const limit = CLIP_SIGMAS * state.scale[i];
    return Math.max(-limit, Math.min(limit, dv));
  });
  for (let i = 0; i < d; i++) state.mean[i] += w * delta[i];
  for (let i = 0; i < d; i++) {
    const row = state.covariance[i];
    for (let j = 0; j < d; j++) row[j] = (1 - w) * (row[j] + w * delta[i] * delta[j]);
  }
  state.n += 1;
  state.sinceRefresh += 1;
  if (
    phase === 'online' &&
    state.n >= p.warmup &&
    (state.components === 0 || state.sinceRefresh >= p.refresh)
  ) {
    refresh(state, p);
    setLimitN(state, Math.min(state.n, (2 - p.alpha) / p.alpha));
  }
}

export const hotelling: MultivariateDetector<HotellingParams, HotellingState> = {
  name: 'hotelling',
  multivariate: true,
  defaults: {
    confidence: 0.99,
    explained: 0.9,
    lags: 0,
    smoothing: 0,
    alpha: 0.01,
    warmup: 50,
    refresh: 100,
    minStd: 1e-9,
  },
  check(p) {
    const within = (v: number, lo: number, hi: number) => v >= lo && v <= hi;
    if (!within(p.confidence, 0.5, 1 - 1e-12)) return 'confidence must be at least 0.5 and below 1';
    if (!within(p.explained, 1e-6, 1)) return 'explained must be above 0 and at most 1';
    if (!Number.isInteger(p.lags) || !within(p.lags, 0, 20))
      return 'lags must be a whole number from 0 to 20';
    if (!within(p.smoothing, 0, 1 - 1e-12)) return 'smoothing must be at least 0 and below 1';
    if (!within(p.alpha, 1e-6, 1)) return 'alpha must be above 0 and at most 1';
    if (!Number.isInteger(p.refresh) || p.refresh < 1) return 'refresh must be a whole number >= 1';
    if (!(p.warmup >= 2)) return 'warmup must be at least 2';
    return undefined;
  },
  init(p, dimensions) {
    const d = dimensions * (1 + Math.max(0, Math.floor(p.lags)));
    return {
      n: 0,
      mean: new Array<number>(d).fill(0),
      covariance: Array.from({ length: d }, () => new Array<number>(d).fill(0)),
      center: [],
      scale: [],
      values: [],
      vectors: [],
      components: 0,
      limitN: 0,
      residual: [0, 0, 0],
      logBeta: 0,
      sinceRefresh: 0,
      frozen: false,
      history: [],
      smoothed: [],
    };
  },
  update(state, x, _t, p, learn, phase = 'online') {
    const signals = x.length;
    const result: MultivariateResult = {
      score: 0,
      warmingUp: true,
      contributions: new Array<number>(signals).fill(0),
      expected: x.slice(),
      lower: x.slice(),
      upper: x.slice(),
    };
    const sample = augmented(state, x);
    const ready = state.components > 0 && state.limitN > state.components + 2;
    if (sample && ready) {
      result.warmingUp = false;
      // Online, the live (exponentially weighted) mean and spread centre the sample, so a slow drift is followed
      // between re-decompositions; a trained model keeps its own.
      const center = state.frozen ? state.center : state.mean;
      let scale = state.scale;
      if (!state.frozen) {
        scale = new Array<number>(sample.length);
        for (let i = 0; i < sample.length; i++) scale[i] = spread(state.covariance[i][i], state.mean[i], p);
      }
      const z = new Array<number>(sample.length);
      for (let i = 0; i < sample.length; i++) z[i] = (sample[i] - center[i]) / scale[i];
      judge(state, z, signals, p, result);
      // Expected: the learned normal, the centre of its band (a reconstruction could lie outside the band).
      for (let i = 0; i < signals; i++) {
        result.expected[i] = center[i];
        result.lower[i] = center[i] - 3 * scale[i];
        result.upper[i] = center[i] + 3 * scale[i];
      }
    }
    if (sample && learn && !state.frozen) learnSample(state, sample, p, phase);
    const lags = state.mean.length / signals - 1;
    if (lags > 0) {
      state.history.unshift(x.slice());
      if (state.history.length > lags) state.history.length = lags;
    }
    return { state, result };
  },
  freeze(state, p) {
    if (state.n < 2) return;
    const unbias = state.n / (state.n - 1);
    for (const row of state.covariance) for (let j = 0; j < row.length; j++) row[j] *= unbias;
    refresh(state, p);
    setLimitN(state, state.n);
    state.frozen = true;
    state.smoothed = [];
  },
};
