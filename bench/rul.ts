/**
 * `npm run bench:rul`: the remaining-useful-life model and the trend forecast on NASA C-MAPSS FD001 training data
 * (../shared/data/cmapss, see ../shared/reference/cmapss.md). A development benchmark: the FD001 test set and its
 * true RULs are held out, so this splits the 100 training units.
 *
 * Split (stated): units 1-80 train, units 81-100 validate. Each validation unit is cut at 5 seeded random points
 * (true RUL uniform between 7 and min(145, life - 31) cycles, so at least 31 cycles are seen, as in the test set),
 * giving 100 validation series like the 100 test units. RMSE and the NASA score are computed at the last cycle of
 * each series against the true RUL, not clipped (clipped at the cap also shown). With --folds 5 it also runs a
 * unit-wise 5-fold cross-validation (units i with i mod 5 = k held out), which takes five trainings.
 *
 * Trend check: the health index of each validation unit (the model's own, a blend of the z-scored sensors) is
 * watched by a robust line over the last 30 cycles; from each cut the time for it to reach 0.1 is forecast and
 * compared with when the unit's smoothed health index really did.
 *
 * Writes results to bench/results/rul.tmp/ (untracked) unless --save (bench/results/rul.json). Measures, asserts
 * nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  forecastCrossing,
  forecastInit,
  forecastUpdate,
  type ForecastSettings,
} from '../src/core/forecast/engine';
import { parseCmapss, type Dataset, type UnitSeries } from '../src/core/rul/dataset';
import { nasaScore, rmse } from '../src/core/rul/metrics';
import { rulEstimate, rulUnitAdd, rulUnitInit, transformRow, type RulModel } from '../src/core/rul/model';
import { predictLastCycle, trainRulModel } from '../src/core/rul/train';
import { rng, uniform } from '../src/core/sim/rng';

const { values } = parseArgs({
  options: {
    data: {
      type: 'string',
      default: join(__dirname, '..', '..', '..', 'shared', 'data', 'cmapss', 'train_FD001.txt.gz'),
    },
    folds: { type: 'string', default: '0' },
    save: { type: 'boolean', default: false },
  },
});
const root = join(__dirname, '..', '..');
const out = values.save ? join(root, 'bench', 'results') : join(root, 'bench', 'results', 'rul.tmp');
mkdirSync(out, { recursive: true });
// The trained model (700 kB) always goes to the untracked folder, where bench/predict-flow.mjs loads it.
const scratch = join(root, 'bench', 'results', 'rul.tmp');
mkdirSync(scratch, { recursive: true });

let text: string;
try {
  text = gunzipSync(readFileSync(values.data as string)).toString('utf8');
} catch (err) {
  process.stderr.write(`bench:rul needs the FD001 training data (--data PATH): ${(err as Error).message}\n`);
  process.exit(2);
}
const data = parseCmapss(text);
const byNumber = (n: number): UnitSeries => data.units.find((u) => u.unit === String(n))!;

/** Cuts each unit at `per` seeded points; returns the cut series and the true RUL at each cut. */
function cuts(
  units: UnitSeries[],
  per: number,
  seed: number,
): { series: Dataset; truth: number[]; at: number[] } {
  const random = rng(seed);
  const series: Dataset = { signals: data.signals, units: [] };
  const truth: number[] = [];
  const at: number[] = [];
  for (const u of units) {
    for (let k = 0; k < per; k++) {
      const life = u.rows.length;
      const rul = Math.round(7 + uniform(random) * (Math.min(145, life - 31) - 7));
      const keep = life - rul;
      series.units.push({
        unit: `${u.unit}.${k + 1}`,
        cycles: u.cycles.slice(0, keep),
        rows: u.rows.slice(0, keep),
      });
      truth.push(rul);
      at.push(keep);
    }
  }
  return { series, truth, at };
}

function evaluate(model: RulModel, validation: UnitSeries[], seed: number) {
  const { series, truth } = cuts(validation, 5, seed);
  const predicted = predictLastCycle(model, series);
  const p = predicted.map((x) => x.rul);
  const covered = predicted.filter(
    (x, i) => x.lower <= Math.min(truth[i], model.cap) && Math.min(truth[i], model.cap) <= x.upper,
  ).length;
  return {
    series: p.length,
    rmse: rmse(p, truth),
    rmseClipped: rmse(
      p,
      truth.map((t) => Math.min(t, model.cap)),
    ),
    score: nasaScore(p, truth),
    intervalCoverage: covered / p.length,
  };
}

const say = (s: string): boolean => process.stderr.write(s);
const train: Dataset = {
  signals: data.signals,
  units: Array.from({ length: 80 }, (_, i) => byNumber(i + 1)),
};
const validation = Array.from({ length: 20 }, (_, i) => byNumber(i + 81));
say(
  `FD001 training data: ${data.units.length} units, ${data.units.reduce((a, u) => a + u.rows.length, 0)} cycles\n`,
);
const started = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const model = trainRulModel(train, {}, (stage, done, total) => {
  if (done === total) say(`  ${stage}: ${total}\n`);
});
const cpu = process.cpuUsage(cpu0);
const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
const split = evaluate(model, validation, 42);
writeFileSync(join(scratch, 'rul-model.json'), JSON.stringify(model));

// Streaming cost: every cycle of the validation units through the node's per-twin path (add a cycle, estimate).
const samples = validation.flatMap((u) =>
  u.rows.map((row) => model.signals.map((s) => row[data.signals.indexOf(s)])),
);
let streamNs = 0;
let streamCpuUs = Infinity;
for (let round = 0; round < 3; round++) {
  const cpuStart = process.cpuUsage();
  const states = validation.map(() => rulUnitInit());
  let i = 0;
  const t0 = process.hrtime.bigint();
  validation.forEach((u, k) => {
    for (let c = 0; c < u.rows.length; c++) {
      rulUnitAdd(model, states[k], samples[i++]);
      rulEstimate(model, states[k]);
    }
  });
  const ns = Number(process.hrtime.bigint() - t0);
  const used = process.cpuUsage(cpuStart);
  streamCpuUs = Math.min(streamCpuUs, used.user + used.system);
  streamNs = round === 0 ? ns : Math.min(streamNs, ns);
}
const perSampleUs = streamNs / samples.length / 1000;
// CPU time too: on a shared, loaded machine the wall time also counts other processes' turns.
const perSampleCpuUs = streamCpuUs / samples.length;

// Trend check on the health index: time for it to fall to 0.1, forecast from each cut, against when it did.
const trend: ForecastSettings = {
  method: 'robust',
  alpha: 0.3,
  beta: 0.05,
  phi: 0.98,
  window: 30,
  level: 0.9,
  horizon: 30,
  lookAhead: 1000,
  minSamples: 10,
};
const HEALTH_LIMIT = 0.1;
const tttErrors: number[] = [];
const tttByBand: Record<string, number[]> = { 'truth <= 30': [], '31-60': [], '> 60': [] };
let tttCovered = 0;
let tttNone = 0;
const { series: cutSeries, at } = cuts(validation, 5, 42);
cutSeries.units.forEach((cut, k) => {
  const unit = validation[Math.floor(k / 5)];
  const health = unit.rows.map(
    (row) =>
      transformRow(
        model,
        model.signals.map((s) => row[data.signals.indexOf(s)]),
      )[model.signals.length],
  );
  // When the health index really reached the limit: its 10-cycle moving mean first at or below it.
  let reached = health.length - 1;
  for (let c = 9; c < health.length; c++) {
    const mean = health.slice(c - 9, c + 1).reduce((a, b) => a + b) / 10;
    if (mean <= HEALTH_LIMIT) {
      reached = c;
      break;
    }
  }
  const state = forecastInit(trend);
  for (let c = 0; c < at[k]; c++) forecastUpdate(state, trend, c, health[c]);
  const crossing = forecastCrossing(state, trend, HEALTH_LIMIT, 'below');
  const truth = reached - (at[k] - 1);
  if (!crossing || crossing.expected === null || truth <= 0) {
    if (truth > 0) tttNone++;
    return;
  }
  tttErrors.push(crossing.expected - truth);
  tttByBand[truth <= 30 ? 'truth <= 30' : truth <= 60 ? '31-60' : '> 60'].push(crossing.expected - truth);
  if (
    crossing.lower !== null &&
    crossing.lower <= truth &&
    (crossing.upper === null || crossing.upper >= truth)
  )
    tttCovered++;
});
const ttt = {
  series: tttErrors.length,
  noCrossingForecast: tttNone,
  medianAbsError: [...tttErrors.map(Math.abs)].sort((a, b) => a - b)[Math.floor(tttErrors.length / 2)],
  rmse: Math.sqrt(tttErrors.reduce((a, e) => a + e * e, 0) / tttErrors.length),
  intervalCoverage: tttCovered / tttErrors.length,
  medianAbsErrorByTruth: Object.fromEntries(
    Object.entries(tttByBand).map(([band, e]) => [
      band,
      { series: e.length, median: [...e.map(Math.abs)].sort((a, b) => a - b)[Math.floor(e.length / 2)] },
    ]),
  ),
};

let cv: { folds: number; rmse: number; score: number; series: number } | undefined;
const folds = Number(values.folds);
if (folds > 1) {
  const predicted: number[] = [];
  const truths: number[] = [];
  for (let f = 0; f < folds; f++) {
    say(`  fold ${f + 1}/${folds}\n`);
    const foldModel = trainRulModel({
      signals: data.signals,
      units: data.units.filter((_, i) => i % folds !== f),
    });
    const { series, truth } = cuts(
      data.units.filter((_, i) => i % folds === f),
      5,
      100 + f,
    );
    predicted.push(...predictLastCycle(foldModel, series).map((x) => x.rul));
    truths.push(...truth);
  }
  cv = {
    folds,
    rmse: rmse(predicted, truths),
    score: (nasaScore(predicted, truths) * 100) / predicted.length,
    series: predicted.length,
  };
}

const result = {
  when: new Date().toISOString(),
  machine: `Node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
  split: 'train units 1-80, validate units 81-100 cut at 5 seeded points each (100 series)',
  model: {
    signals: model.signals,
    cap: model.cap,
    window: model.window,
    trees: model.boosted.trees.length,
    trainWallSeconds: trainSeconds,
    trainCpuSeconds: (cpu.user + cpu.system) / 1e6,
  },
  lastCycle: split,
  crossValidation: cv,
  streamingMicrosecondsPerSample: { wall: perSampleUs, cpu: perSampleCpuUs },
  healthIndexTimeToLimit: ttt,
};
writeFileSync(join(out, 'rul.json'), JSON.stringify(result, null, 2));

const f = (x: number, d = 2): string => x.toFixed(d);
console.log(
  `\nC-MAPSS FD001 (training data), ${result.split}; cap ${model.cap}, window ${model.window}, ${model.boosted.trees.length} trees`,
);
console.log(`signals kept: ${model.signals.join(' ')}`);
console.log(
  `training on 80 units: ${f(trainSeconds, 1)} s wall, ${f(result.model.trainCpuSeconds, 1)} s CPU (${result.machine})\n`,
);
console.log('method                                   FD001 RMSE   score   where');
console.log(
  `twinflow-rul (boosted trees, this run)   ${f(split.rmse).padStart(10)}   ${f(split.score, 0).padStart(5)}   validation split above (true RUL not clipped)`,
);
console.log(`  same, true RUL clipped at ${model.cap}           ${f(split.rmseClipped).padStart(10)}`);
if (cv)
  console.log(
    `  ${cv.folds}-fold unit-wise CV, ${cv.series} series   ${f(cv.rmse).padStart(10)}   ${f(cv.score, 0).padStart(5)}   (score per 100 series)`,
  );
for (const [name, r, s] of [
  ['CNN (Babu et al. 2016)', 18.45, 1299],
  ['Deep LSTM (Zheng et al. 2017)', 16.14, 338],
  ['DCNN (Li et al. 2018)', 12.61, 274],
  ['MTSTAN (best found in a named source)', 10.97, 175],
] as const) {
  console.log(
    `${name.padEnd(40)} ${f(r).padStart(10)}   ${String(s).padStart(5)}   published, FD001 test set`,
  );
}
console.log(
  `\n90% interval of the RUL covered the (clipped) truth in ${f(split.intervalCoverage * 100, 0)}% of the validation series`,
);
console.log(
  `streaming (one cycle in, estimate out, as in twin-forecast): ${f(perSampleUs, 1)} µs per sample in core`,
);
console.log(
  `trend check, health index to ${HEALTH_LIMIT} by a robust line over 30 cycles: ${ttt.series} series with a crossing in sight (${ttt.noCrossingForecast} without), median |error| ${f(ttt.medianAbsError, 1)} cycles, RMSE ${f(ttt.rmse, 1)}, 90% interval covered ${f(ttt.intervalCoverage * 100, 0)}%`,
);
console.log(
  `  median |error| by true time to the limit: ${Object.entries(ttt.medianAbsErrorByTruth)
    .map(([band, v]) => `${band} cycles: ${f(v.median ?? NaN, 1)} (${v.series})`)
    .join(', ')}`,
);
console.log(`\nresults in ${out}`);

// The same model in a flow: per-message cost of the prediction nodes against a core change node.
spawnSync(process.execPath, [join(root, 'bench', 'predict-flow.mjs'), ...(values.save ? ['--save'] : [])], {
  stdio: 'inherit',
});
