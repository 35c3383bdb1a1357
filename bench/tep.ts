// `npm run bench:tep [-- --variables all|continuous] [--params JSON] [--raise K/N] [--clear M] [--save]`:
// the Tennessee Eastman benchmark (../shared/data/tep, protocol in SOURCE.md there). The twin-anomaly engine, as
// the node runs it, in train-then-monitor mode: trained on the normal run d00 (500 samples), then each test run
// (d00_te, d01_te ... d21_te, fault after sample 160) is monitored from a copy of the trained state. Reports the
// false alarm rate on d00_te (all 960 rows) and on the pooled pre-fault rows, the detection rate per fault (alarm
// share of rows 161-960) and the detection delay (first alarm at or after sample 161), beside the PCA reference
// (../shared/reference/tep.md). The alarm column scored is the node's (with its raise/clear rule).
// Results go to bench/results/tep.tmp/ (untracked), or to bench/results/tep.json with --save.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  createEngine,
  engineInit,
  engineRestore,
  engineUpdate,
  type SignalInput,
  type TwinAnomalyState,
} from '../src/core/anomaly/engine';
import { parse } from '../src/core/nodes/twin-anomaly';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: join(__dirname, '..', '..', '..', 'shared', 'data', 'tep') },
    variables: { type: 'string', default: 'continuous' },
    params: { type: 'string', default: '{}' },
    raise: { type: 'string' },
    clear: { type: 'string' },
    save: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

function load(name: string): { header: string[]; rows: number[][] } {
  const text = gunzipSync(readFileSync(join(args.data!, `${name}.csv.gz`))).toString('utf8');
  const [head, ...lines] = text.trim().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

const train = load('d00');
// "continuous": the 22 continuous measurements and 11 manipulated variables (Yin et al. 2012), leaving out the
// step-held analyser compositions xmeas_23-41, whose sample-and-hold breaks a per-sample model (reference, section 4).
const chosen = train.header.filter((h) =>
  args.variables === 'all'
    ? h.startsWith('xmeas_') || h.startsWith('xmv_')
    : (h.startsWith('xmeas_') && Number(h.slice(6)) <= 22) || h.startsWith('xmv_'),
);
const columns = chosen.map((h) => train.header.indexOf(h));
const settings: Record<string, unknown> = {
  detector: 'hotelling',
  params: args.params,
  signals: chosen.join(','),
  mode: 'train-then-monitor',
  train: String(train.rows.length),
  trainUnit: 'samples',
};
if (args.raise) [settings.raiseK, settings.raiseN] = args.raise.split('/');
if (args.clear) settings.clearM = args.clear;
const spec = parse(settings);
if ('errors' in spec) throw new Error(spec.errors.join('; '));
const engine = createEngine(spec.config.engine);
const SAMPLE_MS = 180_000;

function run(state: TwinAnomalyState, rows: number[][]): boolean[] {
  return rows.map((row, i) => {
    const inputs = Object.create(null) as Record<string, SignalInput>;
    chosen.forEach(
      (name, j) => (inputs[name] = { value: row[columns[j]], timestamp: i * SAMPLE_MS, skip: false }),
    );
    return engineUpdate(state, inputs, engine, i * SAMPLE_MS, true).result.alarm;
  });
}

const started = process.hrtime.bigint();
const trained = engineInit(engine);
run(trained, train.rows);
const snapshot = JSON.stringify(trained);
const fresh = (): TwinAnomalyState => engineRestore(JSON.parse(snapshot), engine)!;
const share = (a: boolean[]): number => (100 * a.filter(Boolean).length) / Math.max(1, a.length);

const normal = run(fresh(), load('d00_te').rows);
const hard = new Set([3, 9, 15]);
const faults: { fault: number; detection: number; delaySamples: number | null; preFaultAlarms: number }[] =
  [];
const preFault: boolean[] = [];
for (let f = 1; f <= 21; f++) {
  const alarms = run(fresh(), load(`d${String(f).padStart(2, '0')}_te`).rows);
  preFault.push(...alarms.slice(0, 160));
  const first = alarms.findIndex((a, i) => i >= 160 && a);
  faults.push({
    fault: f,
    detection: share(alarms.slice(160)),
    delaySamples: first < 0 ? null : first - 160,
    preFaultAlarms: alarms.slice(0, 160).filter(Boolean).length,
  });
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const main18 = faults.filter((f) => !hard.has(f.fault));
const delays = main18
  .map((f) => f.delaySamples)
  .filter((d): d is number => d !== null)
  .sort((a, b) => a - b);
const summary = {
  date: new Date().toISOString(),
  variables: chosen.length,
  params: engine.params,
  alarm: engine.config.alarm,
  components: (trained.vector?.unit.detector as { components?: number }).components,
  falseAlarmRate: { d00_te: share(normal), preFaultPooled: share(preFault) },
  meanDetectionRate: {
    without3915: mean(main18.map((f) => f.detection)),
    all21: mean(faults.map((f) => f.detection)),
  },
  medianDelaySamples: delays[Math.floor(delays.length / 2)] ?? null,
  faults,
  seconds,
};
console.log(
  `TEP, hotelling (PCA T² + Q) train-then-monitor on d00, ${chosen.length} variables, ${summary.components} components, alarm ${engine.config.alarm.raiseK}/${engine.config.alarm.raiseN} clear ${engine.config.alarm.clearM}`,
);
console.log(
  `  false alarm rate: d00_te ${summary.falseAlarmRate.d00_te.toFixed(1)} %, pre-fault rows pooled ${summary.falseAlarmRate.preFaultPooled.toFixed(1)} %`,
);
console.log(
  `  mean detection rate: 18 faults (without 3, 9, 15) ${summary.meanDetectionRate.without3915.toFixed(1)} %, all 21 ${summary.meanDetectionRate.all21.toFixed(1)} %; median delay ${summary.medianDelaySamples} samples (x 3 min)`,
);
if (!args.quiet) {
  for (const f of faults) {
    console.log(
      `  fault ${String(f.fault).padStart(2)}${hard.has(f.fault) ? ' (hard)' : '       '} detection ${f.detection.toFixed(1).padStart(5)} %  delay ${f.delaySamples === null ? '   -' : String(f.delaySamples).padStart(4)} samples`,
    );
  }
}
const dir = args.save ? join(__dirname, '..', 'results') : join(__dirname, '..', 'results', 'tep.tmp');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'tep.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`  results in ${join(dir, 'tep.json')} (${seconds.toFixed(1)} s)`);
