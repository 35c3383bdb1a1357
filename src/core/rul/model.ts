import { TwinFlowError } from '../errors';
import { featureCount, windowFeatures } from './features';
import { predictBoosted, type Boosted } from './gbt';

/**
 * A trained remaining-useful-life model, as the `twinflow-rul` CLI writes it and twin-forecast loads it: plain JSON
 * with a format name and a version, so a file written today is recognised (and refused clearly) by a later release.
 *
 * Pipeline per cycle: signals -> z-scores (training mean and deviation) -> health index (a linear blend of the
 * z-scores fitted to the capped RUL as a share of the cap: 1 healthy, 0 at failure) -> window features of the
 * z-scores and the health index -> boosted trees -> RUL in cycles, clamped to [0, cap], with an interval from the
 * residual quantiles that training measured on units it held out.
 */
export const RUL_MODEL_FORMAT = 'twinflow-rul';
export const RUL_MODEL_VERSION = 1;

export interface RulInterval {
  /** Nominal coverage, e.g. 0.9. */
  level: number;
  /** Upper edges of the predicted-RUL bins (ascending; the last bin is open). */
  edges: number[];
  /** Residual (true - predicted) quantiles per bin. */
  lower: number[];
  upper: number[];
}

export interface RulModel {
  format: typeof RUL_MODEL_FORMAT;
  version: number;
  signals: string[];
  mean: number[];
  std: number[];
  /** Cap of the piecewise-linear training target (cycles). */
  cap: number;
  window: number;
  recent: number;
  health: { weights: number[]; bias: number };
  boosted: Boosted;
  interval: RulInterval;
  /** What it was trained on (informative only). */
  training: Record<string, string | number>;
}

export interface RulEstimate {
  rul: number;
  lower: number;
  upper: number;
  /** Health index of the latest cycle: about 1 healthy, 0 at failure. */
  health: number;
}

/** Plain-JSON streaming state for one unit (one twin): the last `window` transformed rows and the age in cycles. */
export interface RulUnitState {
  rows: number[][];
  age: number;
}

export function rulUnitInit(): RulUnitState {
  return { rows: [], age: 0 };
}

/** The z-scores of one cycle's signals followed by its health index (one channel row for the window features). */
export function transformRow(model: RulModel, values: ArrayLike<number>): number[] {
  const row = new Array<number>(model.signals.length + 1);
  let health = model.health.bias;
  for (let j = 0; j < model.signals.length; j++) {
    const z = (values[j] - model.mean[j]) / model.std[j];
    row[j] = z;
    health += model.health.weights[j] * z;
  }
  row[model.signals.length] = health;
  return row;
}

/** Adds one cycle to a unit's state (mutates and returns it). `values` follow model.signals. */
export function rulUnitAdd(model: RulModel, state: RulUnitState, values: ArrayLike<number>): RulUnitState {
  state.rows.push(transformRow(model, values));
  if (state.rows.length > model.window) state.rows.splice(0, state.rows.length - model.window);
  state.age += 1;
  return state;
}

/** The estimate for a unit's latest cycle; undefined before its first cycle. */
export function rulEstimate(model: RulModel, state: RulUnitState): RulEstimate | undefined {
  if (state.rows.length === 0) return undefined;
  const features = new Float64Array(featureCount(model.signals.length + 1));
  windowFeatures(state.rows, state.rows.length, state.age, model, features);
  return estimateFromFeatures(model, features, state.rows[state.rows.length - 1][model.signals.length]);
}

export function estimateFromFeatures(
  model: RulModel,
  features: ArrayLike<number>,
  health: number,
  offset = 0,
): RulEstimate {
  const rul = clamp(predictBoosted(model.boosted, features, offset), 0, model.cap);
  const { edges, lower, upper } = model.interval;
  let bin = 0;
  while (bin < edges.length - 1 && rul > edges[bin]) bin++;
  return {
    rul,
    lower: clamp(rul + lower[bin], 0, model.cap),
    upper: clamp(rul + upper[bin], 0, model.cap),
    health,
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

const isNumberArray = (x: unknown, length?: number): x is number[] =>
  Array.isArray(x) &&
  (length === undefined || x.length === length) &&
  x.every((v) => typeof v === 'number' && Number.isFinite(v));

/**
 * Checks a parsed JSON value is a RUL model this release can run; throws a TwinFlowError naming what is wrong
 * (wrong file, newer version, missing or malformed part) rather than failing later on the first sample.
 */
export function parseRulModel(json: unknown): RulModel {
  const bad = (what: string): never => {
    throw new TwinFlowError('badRulModel', `not a usable RUL model: ${what}`, { what });
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('not a JSON object');
  const m = json as Partial<RulModel>;
  if (m.format !== RUL_MODEL_FORMAT) return bad(`format is not ${RUL_MODEL_FORMAT}`);
  if (typeof m.version !== 'number' || m.version > RUL_MODEL_VERSION || m.version < 1) {
    return bad(`version ${String(m.version)} (this release reads version ${RUL_MODEL_VERSION})`);
  }
  if (!Array.isArray(m.signals) || m.signals.length === 0 || !m.signals.every((s) => typeof s === 'string')) {
    return bad('signals');
  }
  const d = m.signals.length;
  if (!isNumberArray(m.mean, d) || !isNumberArray(m.std, d) || m.std.some((s) => s <= 0))
    return bad('mean or std');
  if (typeof m.cap !== 'number' || !(m.cap > 0)) return bad('cap');
  if (!Number.isInteger(m.window) || (m.window as number) < 1 || (m.window as number) > 10000)
    return bad('window');
  if (!Number.isInteger(m.recent) || (m.recent as number) < 1) return bad('recent');
  if (!m.health || !isNumberArray(m.health.weights, d) || typeof m.health.bias !== 'number')
    return bad('health');
  const features = featureCount(d + 1);
  if (!m.boosted || typeof m.boosted.base !== 'number' || !Array.isArray(m.boosted.trees))
    return bad('boosted');
  for (const t of m.boosted.trees) {
    const n = t?.feature?.length;
    if (
      !n ||
      !isNumberArray(t.feature, n) ||
      !isNumberArray(t.threshold, n) ||
      !isNumberArray(t.left, n) ||
      !isNumberArray(t.right, n) ||
      !isNumberArray(t.value, n) ||
      t.feature.some(
        (f, i) =>
          f >= features || (f >= 0 && !(t.left[i] > i && t.right[i] > i && t.right[i] < n && t.left[i] < n)),
      )
    ) {
      return bad('a tree');
    }
  }
  const iv = m.interval;
  if (
    !iv ||
    !isNumberArray(iv.edges) ||
    iv.edges.length === 0 ||
    !isNumberArray(iv.lower, iv.edges.length) ||
    !isNumberArray(iv.upper, iv.edges.length)
  ) {
    return bad('interval');
  }
  return m as RulModel;
}
