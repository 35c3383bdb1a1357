import { timeToThreshold, type BandAt, type Crossing, type Direction } from './crossing';
import { holtForecast, holtInit, holtUpdate, type HoltParams, type HoltState } from './holt';
import { fitLine, lineAt, lineForecast, quantileFor, type LineFit } from './line';

/**
 * The streaming trend forecast of one signal: state in, sample in, state out (plain JSON), and on request the
 * forecast at the horizon and the time to a limit. Times are in whatever unit the caller uses (twin-forecast uses
 * seconds), and so are the horizon, the look-ahead and the results.
 */
export const FORECAST_METHODS = ['holt', 'damped', 'linear', 'robust'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

export interface ForecastSettings {
  method: ForecastMethod;
  alpha: number;
  beta: number;
  /** Damping of the 'damped' method (the 'holt' method uses 1). */
  phi: number;
  /** Samples in the window of the 'linear' and 'robust' methods. */
  window: number;
  /** Two-sided interval level, e.g. 0.9. */
  level: number;
  horizon: number;
  /** How far ahead to look for a crossing. */
  lookAhead: number;
  /** Samples before the first result. */
  minSamples: number;
}

export interface SignalForecastState {
  n: number;
  holt?: HoltState;
  t?: number[];
  y?: number[];
}

export interface ForecastResult {
  samples: number;
  /** Current estimate of the level (at the latest sample) and of the trend per unit of time. */
  level: number;
  trend: number;
  at: number;
  horizon: { at: number; value: number; lower: number; upper: number };
}

export function forecastInit(settings: ForecastSettings): SignalForecastState {
  return settings.method === 'holt' || settings.method === 'damped'
    ? { n: 0, holt: holtInit() }
    : { n: 0, t: [], y: [] };
}

function holtParams(settings: ForecastSettings): HoltParams {
  return { alpha: settings.alpha, beta: settings.beta, phi: settings.method === 'damped' ? settings.phi : 1 };
}

/** Adds one sample (finite value, time not before the last one: the caller checks). Mutates and returns the state. */
export function forecastUpdate(
  state: SignalForecastState,
  settings: ForecastSettings,
  t: number,
  y: number,
): SignalForecastState {
  if (state.holt) holtUpdate(state.holt, t, y, holtParams(settings));
  if (state.t && state.y) {
    state.t.push(t);
    state.y.push(y);
    if (state.t.length > settings.window) {
      state.t.splice(0, state.t.length - settings.window);
      state.y.splice(0, state.y.length - settings.window);
    }
  }
  state.n += 1;
  return state;
}

/** The uncertainty band of the signal's expected path h time units after the latest sample. */
type Model =
  { kind: 'line'; fit: LineFit; last: number } | { kind: 'holt'; state: HoltState; params: HoltParams };

function modelOf(state: SignalForecastState, settings: ForecastSettings): Model | undefined {
  if (state.n < Math.max(3, settings.minSamples)) return undefined;
  if (state.holt)
    return state.holt.step > 0
      ? { kind: 'holt', state: state.holt, params: holtParams(settings) }
      : undefined;
  const fit = state.t && state.y ? fitLine(state.t, state.y, settings.method === 'robust') : undefined;
  return fit && state.t ? { kind: 'line', fit, last: state.t[state.t.length - 1] } : undefined;
}

/** Band of the expected path (a line's mean; Holt's forecast distribution), h after the latest sample. */
function bandOf(model: Model, settings: ForecastSettings): (h: number) => BandAt {
  if (model.kind === 'line') {
    const q = quantileFor(settings.level, model.fit.dof);
    return (h) => {
      const { mean, se } = lineAt(model.fit, model.last + h);
      return { mean, sd: se, half: q * se };
    };
  }
  const q = quantileFor(settings.level);
  return (h) => {
    const { mean, sd } = holtForecast(model.state, model.params, h / model.state.step);
    return { mean, sd, half: q * sd };
  };
}

/** The forecast at the horizon with a prediction interval for a new sample; undefined while warming up. */
export function forecastResult(
  state: SignalForecastState,
  settings: ForecastSettings,
): ForecastResult | undefined {
  const model = modelOf(state, settings);
  if (!model) return undefined;
  if (model.kind === 'line') {
    const at = model.last + settings.horizon;
    const f = lineForecast(model.fit, at, settings.level);
    return {
      samples: state.n,
      level: lineAt(model.fit, model.last).mean,
      trend: model.fit.slope,
      at: model.last,
      horizon: { at, value: f.mean, lower: f.lower, upper: f.upper },
    };
  }
  const { state: holt, params } = model;
  const f = holtForecast(holt, params, settings.horizon / holt.step);
  const half = quantileFor(settings.level) * f.sd;
  return {
    samples: state.n,
    level: holt.level,
    trend: holt.trend / holt.step,
    at: holt.last,
    horizon: { at: holt.last + settings.horizon, value: f.mean, lower: f.mean - half, upper: f.mean + half },
  };
}

/** Time to a limit from the latest sample; undefined while warming up. */
export function forecastCrossing(
  state: SignalForecastState,
  settings: ForecastSettings,
  limit: number,
  direction: Direction,
): Crossing | undefined {
  const model = modelOf(state, settings);
  if (!model) return undefined;
  return timeToThreshold(bandOf(model, settings), limit, direction, settings.horizon, settings.lookAhead);
}

/** Points of the forecast path for a chart: time, value, lower and upper edge of the prediction interval. */
export function forecastPath(
  state: SignalForecastState,
  settings: ForecastSettings,
  points: number,
): { t: number; value: number; lower: number; upper: number }[] {
  const model = modelOf(state, settings);
  if (!model) return [];
  const start = model.kind === 'line' ? model.last : model.state.last;
  const path: { t: number; value: number; lower: number; upper: number }[] = [];
  for (let k = 0; k <= points; k++) {
    const h = (settings.horizon * k) / points;
    let mean: number;
    let half: number;
    if (model.kind === 'line') {
      const f = lineForecast(model.fit, start + h, settings.level);
      mean = f.mean;
      half = f.upper - f.mean;
    } else {
      const f = holtForecast(model.state, model.params, h / model.state.step);
      mean = f.mean;
      half = quantileFor(settings.level) * f.sd;
    }
    path.push({ t: start + h, value: mean, lower: mean - half, upper: mean + half });
  }
  return path;
}

/**
 * Whether a new estimate differs enough from the last one reported to report it: a change by more than `change`
 * (a share, e.g. 0.05) of the larger of the two values and of `floor`, or a change between "some" and "none".
 */
export function movedEnough(
  previous: number | null | undefined,
  current: number | null,
  change: number,
  floor: number,
): boolean {
  if (previous === undefined) return true;
  if (previous === null || current === null) return previous !== current;
  return Math.abs(current - previous) > change * Math.max(Math.abs(previous), Math.abs(current), floor);
}
