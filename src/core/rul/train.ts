import { rng, uniform } from '../sim/rng';
import { TwinFlowError } from '../errors';
import type { Dataset, UnitSeries } from './dataset';
import { featureCount, windowFeatures } from './features';
import { BOOST_DEFAULTS, trainBoosted, type BoostParams } from './gbt';
import { ridge } from './linear';
import {
  estimateFromFeatures,
  RUL_MODEL_FORMAT,
  RUL_MODEL_VERSION,
  transformRow,
  type RulInterval,
  type RulModel,
} from './model';

/**
 * Training of the RUL model from run-to-failure data (every unit's last cycle is its failure), pure and shared by
 * the CLI, the benchmark and the tests.
 */
export interface TrainOptions {
  /** Cap of the piecewise-linear target min(RUL, cap) (Heimes 2008; 125 in most C-MAPSS papers). */
  cap: number;
  window: number;
  recent: number;
  /** Signals whose absolute correlation with the capped target is below this are dropped (noise, settings). */
  minCorrelation: number;
  /** Share of units held out to measure the residuals behind the interval (the final model uses every unit). */
  calibrationShare: number;
  intervalLevel: number;
  boost: BoostParams;
  seed: number;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  cap: 125,
  window: 60,
  recent: 5,
  minCorrelation: 0.1,
  calibrationShare: 0.2,
  intervalLevel: 0.9,
  boost: BOOST_DEFAULTS,
  seed: 1,
};

export type Progress = (stage: string, done: number, total: number) => void;

/** min(last cycle - cycle, cap) for every cycle of a run-to-failure unit. */
export function cappedTarget(unit: UnitSeries, cap: number): number[] {
  const last = unit.cycles[unit.cycles.length - 1];
  return unit.cycles.map((c) => Math.min(last - c, cap));
}

function pearson(x: number[], y: number[]): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Picks the informative signals and their normalisation: constant and uncorrelated columns are dropped. */
function chooseSignals(
  data: Dataset,
  options: TrainOptions,
): { index: number[]; mean: number[]; std: number[] } {
  const target = data.units.flatMap((u) => cappedTarget(u, options.cap));
  const index: number[] = [];
  const mean: number[] = [];
  const std: number[] = [];
  data.signals.forEach((_, j) => {
    const column = data.units.flatMap((u) => u.rows.map((r) => r[j]));
    const distinct = new Set(column.slice(0, 5000)).size;
    const m = column.reduce((a, b) => a + b, 0) / column.length;
    const s = Math.sqrt(column.reduce((a, b) => a + (b - m) ** 2, 0) / column.length);
    if (distinct < 3 || !(s > 1e-9 * Math.max(1, Math.abs(m)))) return;
    if (Math.abs(pearson(column, target)) < options.minCorrelation) return;
    index.push(j);
    mean.push(m);
    std.push(s);
  });
  if (index.length === 0)
    throw new TwinFlowError('noSignals', 'no signal varies with the remaining life', {});
  return { index, mean, std };
}

/** Feature matrix (row-major) of every cycle of the given units under a partly built model. */
function featureMatrix(
  model: RulModel,
  units: UnitSeries[],
  index: number[],
): { x: Float64Array; health: number[] } {
  const cols = featureCount(index.length + 1);
  const total = units.reduce((a, u) => a + u.rows.length, 0);
  const x = new Float64Array(total * cols);
  const health: number[] = [];
  let r = 0;
  for (const unit of units) {
    const transformed = unit.rows.map((row) =>
      transformRow(
        model,
        index.map((j) => row[j]),
      ),
    );
    for (let t = 1; t <= transformed.length; t++) {
      windowFeatures(transformed, t, t, model, x, r * cols);
      health.push(transformed[t - 1][index.length]);
      r++;
    }
  }
  return { x, health };
}

/** Residual quantiles per predicted-RUL bin on held-out units (true capped RUL minus prediction). */
function calibrate(model: RulModel, units: UnitSeries[], index: number[], level: number): RulInterval {
  const { x, health } = featureMatrix(model, units, index);
  const cols = featureCount(index.length + 1);
  const truth = units.flatMap((u) => cappedTarget(u, model.cap));
  const edges = [20, 40, 60, 80, 100, model.cap];
  const residuals: number[][] = edges.map(() => []);
  truth.forEach((y, r) => {
    const { rul } = estimateFromFeatures(model, x, health[r], r * cols);
    let bin = 0;
    while (bin < edges.length - 1 && rul > edges[bin]) bin++;
    residuals[bin].push(y - rul);
  });
  const all = residuals.flat();
  const quantile = (values: number[], q: number): number => {
    const sorted = [...(values.length >= 30 ? values : all)].sort((a, b) => a - b);
    if (sorted.length === 0) return 0;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
  };
  const tail = (1 - level) / 2;
  return {
    level,
    edges,
    lower: residuals.map((v) => quantile(v, tail)),
    upper: residuals.map((v) => quantile(v, 1 - tail)),
  };
}

/** Trains a RUL model on run-to-failure units. `progress` hears of each stage (for a CLI on stderr). */
export function trainRulModel(
  data: Dataset,
  partial: Partial<TrainOptions> = {},
  progress?: Progress,
): RulModel {
  const options: TrainOptions = {
    ...TRAIN_DEFAULTS,
    ...partial,
    boost: { ...TRAIN_DEFAULTS.boost, ...partial.boost },
  };
  const units = data.units.filter((u) => u.rows.length > 0);
  if (units.length < 2)
    throw new TwinFlowError('tooFewUnits', 'training needs at least two run-to-failure units', {});
  const { index, mean, std } = chooseSignals({ ...data, units }, options);
  const model: RulModel = {
    format: RUL_MODEL_FORMAT,
    version: RUL_MODEL_VERSION,
    signals: index.map((j) => data.signals[j]),
    mean,
    std,
    cap: options.cap,
    window: options.window,
    recent: options.recent,
    health: { weights: index.map(() => 0), bias: 0 },
    boosted: { base: 0, trees: [] },
    interval: { level: options.intervalLevel, edges: [options.cap], lower: [0], upper: [0] },
    training: {},
  };
  // Health index: z-scores -> capped RUL as a share of the cap.
  const z = units.flatMap((u) => u.rows.map((row) => index.map((j, k) => (row[j] - mean[k]) / std[k])));
  const share = units.flatMap((u) => cappedTarget(u, options.cap).map((y) => y / options.cap));
  model.health = ridge(z, share, 1);
  progress?.('health index', 1, 1);

  const cols = featureCount(index.length + 1);
  const fit = (subset: UnitSeries[], stage: string): void => {
    const { x } = featureMatrix(model, subset, index);
    const y = subset.flatMap((u) => cappedTarget(u, options.cap));
    model.boosted = trainBoosted(x, y, cols, options.boost, (done) =>
      progress?.(stage, done, options.boost.trees),
    );
  };
  // Interval: fit on most units, measure residuals on the rest, then fit the final model on every unit.
  const random = rng(options.seed);
  const shuffled = units
    .map((u) => ({ u, k: uniform(random) }))
    .sort((a, b) => a.k - b.k)
    .map((e) => e.u);
  const held = Math.max(1, Math.round(units.length * options.calibrationShare));
  fit(shuffled.slice(held), 'calibration trees');
  model.interval = calibrate(model, shuffled.slice(0, held), index, options.intervalLevel);
  fit(units, 'trees');
  model.training = {
    units: units.length,
    cycles: units.reduce((a, u) => a + u.rows.length, 0),
    trees: options.boost.trees,
    depth: options.boost.depth,
    learningRate: options.boost.learningRate,
    seed: options.seed,
  };
  return model;
}

/** The estimate at the last cycle of each unit (the C-MAPSS test protocol). */
export function predictLastCycle(
  model: RulModel,
  data: Dataset,
): { unit: string; rul: number; lower: number; upper: number }[] {
  const index = model.signals.map((name) => {
    const j = data.signals.indexOf(name);
    if (j < 0)
      throw new TwinFlowError('missingSignal', `the data have no signal ${name} that the model needs`, {
        signal: name,
      });
    return j;
  });
  return data.units
    .filter((u) => u.rows.length > 0)
    .map((unit) => {
      const end = unit.rows.length;
      const rows = unit.rows.slice(Math.max(0, end - model.window)).map((row) =>
        transformRow(
          model,
          index.map((j) => row[j]),
        ),
      );
      const features = new Float64Array(featureCount(index.length + 1));
      windowFeatures(rows, rows.length, end, model, features);
      const e = estimateFromFeatures(model, features, rows[rows.length - 1][index.length]);
      return { unit: unit.unit, rul: e.rul, lower: e.lower, upper: e.upper };
    });
}
