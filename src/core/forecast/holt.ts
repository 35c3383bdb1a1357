/**
 * Holt's linear trend and Gardner-McKenzie damped trend exponential smoothing, streaming, with plain-JSON state.
 *
 * Component form with smoothing weights alpha (level), beta (trend) and damping phi (1: linear trend):
 *   level_t = alpha y_t + (1 - alpha)(level + phi trend)
 *   trend_t = beta (level_t - level_{t-1}) + (1 - beta) phi trend
 * Forecast h steps ahead: level + (phi + ... + phi^h) trend. Its variance is the innovations state-space one
 * (Hyndman et al., Forecasting with Exponential Smoothing, 2008, class 1 models):
 *   sigma^2 (1 + sum_{j=1}^{h-1} c_j^2),  c_j = alpha (1 + beta (phi + ... + phi^j))
 * with sigma^2 the mean squared one-step error, tracked here by an exponentially weighted mean.
 * Steps are samples; the mean time between samples converts steps to time for irregular streams.
 */
export interface HoltParams {
  alpha: number;
  beta: number;
  /** Damping in (0, 1]; 1 is Holt's linear trend. */
  phi: number;
}

export interface HoltState {
  n: number;
  level: number;
  trend: number;
  /** Time of the last sample. */
  last: number;
  /** Mean time between samples (exponentially weighted). */
  step: number;
  /** Mean squared one-step forecast error (exponentially weighted, after the first few samples). */
  mse: number;
}

export function holtInit(): HoltState {
  return { n: 0, level: 0, trend: 0, last: 0, step: 0, mse: 0 };
}

/** Weight of the newest error in the running mean square and of the newest gap in the mean step. */
const ERROR_WEIGHT = 0.05;

/** Adds one sample at time t (mutates and returns the state). */
export function holtUpdate(state: HoltState, t: number, y: number, p: HoltParams): HoltState {
  if (state.n === 0) {
    state.level = y;
  } else {
    const gap = t - state.last;
    state.step = state.n === 1 ? gap : state.step + ERROR_WEIGHT * (gap - state.step);
    if (state.n === 1) {
      state.trend = y - state.level;
      state.level = y;
    } else {
      const predicted = state.level + p.phi * state.trend;
      const error = y - predicted;
      // Average over the first samples, then exponentially: the early errors still carry the start-up transient.
      const w = Math.max(ERROR_WEIGHT, 1 / (state.n - 1));
      state.mse += w * (error * error - state.mse);
      const level = p.alpha * y + (1 - p.alpha) * predicted;
      state.trend = p.beta * (level - state.level) + (1 - p.beta) * p.phi * state.trend;
      state.level = level;
    }
  }
  state.last = t;
  state.n += 1;
  return state;
}

/** Sum of phi^1 .. phi^h (h for phi = 1). */
function dampedSum(phi: number, h: number): number {
  return phi === 1 ? h : (phi * (1 - phi ** h)) / (1 - phi);
}

/** Point forecast and its standard deviation `steps` samples ahead (steps may be fractional). */
export function holtForecast(state: HoltState, p: HoltParams, steps: number): { mean: number; sd: number } {
  const mean = state.level + dampedSum(p.phi, steps) * state.trend;
  const m = Math.max(0, steps - 1);
  let sum: number;
  if (p.phi === 1) {
    // sum_{j=1}^{m} (alpha + alpha beta j)^2 in closed form.
    const a = p.alpha;
    const b = p.alpha * p.beta;
    sum = m * a * a + a * b * m * (m + 1) + (b * b * m * (m + 1) * (2 * m + 1)) / 6;
  } else {
    // c_j = A - B phi^j with A = alpha (1 + beta phi / (1 - phi)), B = alpha beta phi / (1 - phi).
    const B = (p.alpha * p.beta * p.phi) / (1 - p.phi);
    const A = p.alpha + B;
    const s1 = (p.phi * (1 - p.phi ** m)) / (1 - p.phi);
    const s2 = (p.phi ** 2 * (1 - p.phi ** (2 * m))) / (1 - p.phi ** 2);
    sum = m * A * A - 2 * A * B * s1 + B * B * s2;
  }
  return { mean, sd: Math.sqrt(state.mse * (1 + Math.max(0, sum))) };
}
