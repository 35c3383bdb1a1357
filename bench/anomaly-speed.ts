// Core speed of every detector (points per second on one core), the cost per sample of the PCA T² + Q detector on
// 8 signals (through the engine the node runs), the memory per key, and the alarms each default detector raises on
// 100,000 samples of seeded Gaussian noise (seeds 42, 7, 1234; the same check is a test). Not a test. `npm run bench:anomaly`
// (add `-- --save` to update bench/results/anomaly-speed.json; otherwise bench/results/anomaly-speed.tmp/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Detector } from '../src/core/anomaly/detector';
import {
  createEngine,
  engineInit,
  engineUpdate,
  type SignalInput,
  type TwinAnomalyState,
} from '../src/core/anomaly/engine';
import { DETECTOR_NAMES, DETECTORS, UNIVARIATE_NAMES } from '../src/core/anomaly/registry';
import { parse } from '../src/core/nodes/twin-anomaly';

const N = 2_000_000;
// A noisy daily sine with a little drift: realistic enough that no branch is always taken.
const values = new Float64Array(N);
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
for (let i = 0; i < N; i++) values[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + random() * 2 + i * 1e-6;

const results: Record<string, number> = {};
for (const name of UNIVARIATE_NAMES) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any univariate detector
  const detector = DETECTORS[name] as Detector<any, any>;
  let state = detector.init(detector.defaults);
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const step = detector.update(state, values[i], i * 300_000, detector.defaults, true);
    state = step.state;
    sink += step.result.score;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  results[name] = Math.round(N / seconds);
  console.log(
    `  ${name.padEnd(10)} ${(N / seconds / 1e6).toFixed(2).padStart(6)} M points/s  (checksum ${sink.toFixed(1)})`,
  );
}

const SIGNALS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
function engineFor(settings: Record<string, unknown>) {
  const spec = parse(settings);
  if ('errors' in spec) throw new Error(spec.errors.join('; '));
  return createEngine(spec.config.engine);
}
function vector(i: number): Record<string, SignalInput> {
  const inputs = Object.create(null) as Record<string, SignalInput>;
  const v = values[i];
  const x = [v, v * 0.5 + random(), 100 - v, random() * 3, v + random(), 2 * v - random(), random(), v * 0.1];
  SIGNALS.forEach((name, j) => (inputs[name] = { value: x[j], timestamp: i * 1000, skip: false }));
  return inputs;
}
const perSample: Record<string, number> = {};
for (const mode of ['online', 'train-then-monitor'] as const) {
  const engine = engineFor({ detector: 'hotelling', signals: SIGNALS.join(','), mode, train: '1000' });
  const state = engineInit(engine);
  for (let i = 0; i < 2000; i++) engineUpdate(state, vector(i), engine, i * 1000, true);
  const M = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < M; i++) engineUpdate(state, vector(i % N), engine, i * 1000, true);
  const micro = Number(process.hrtime.bigint() - start) / 1e3 / M;
  perSample[`hotelling 8 signals, ${mode}`] = micro;
  console.log(
    `  hotelling (PCA T² + Q), 8 signals, ${mode}: ${micro.toFixed(2)} µs per sample (engine, incl. alarm)`,
  );
}

// Memory per key: 10,000 keys of learned state, as the node holds them.
const gc = (globalThis as { gc?: () => void }).gc;
const memory: Record<string, { heapBytesPerKey: number; jsonBytesPerKey: number }> = {};
for (const [label, settings, sample] of [
  ['auto, 1 signal', { detector: 'auto' }, (i: number) => ({ v: values[i] })],
  ['zscore, 1 signal', { detector: 'zscore' }, (i: number) => ({ v: values[i] })],
  [
    'hotelling, 8 signals',
    { detector: 'hotelling', signals: SIGNALS.join(',') },
    (i: number) => Object.fromEntries(Object.entries(vector(i)).map(([k, s]) => [k, s.value])),
  ],
] as [string, Record<string, unknown>, (i: number) => Record<string, number>][]) {
  const engine = engineFor(settings);
  const KEYS = 10_000;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const keys = new Map<string, TwinAnomalyState>();
  for (let k = 0; k < KEYS; k++) {
    const state = engineInit(engine);
    // Enough samples to fill the windows and memories (auto: 500 patterns needs many; 600 samples is typical).
    for (let i = 0; i < 600; i++) {
      const inputs = Object.create(null) as Record<string, SignalInput>;
      for (const [name, value] of Object.entries(sample((k * 7 + i) % N)))
        inputs[name] = { value, timestamp: i * 1000, skip: false };
      engineUpdate(state, inputs, engine, i * 1000, true);
    }
    keys.set(`key${k}`, state);
  }
  gc?.();
  const heap = (process.memoryUsage().heapUsed - before) / KEYS;
  const json = JSON.stringify(keys.get('key1')).length;
  memory[label] = { heapBytesPerKey: Math.round(heap), jsonBytesPerKey: json };
  console.log(
    `  memory per key, ${label}: ${(heap / 1024).toFixed(1)} KiB heap, ${(json / 1024).toFixed(1)} KiB as JSON`,
  );
  keys.clear();
}

// False alarms on noise: seeded Gaussian noise (mulberry32 + Box-Muller, as in test/core/anomaly/learning.test.ts),
// one sample a second, through the engine with each detector's default settings (hotelling: 3 signals).
function gaussian(seedValue: number): () => number {
  let s = seedValue >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
const NOISE_SEEDS = [42, 7, 1234];
const noiseAlarms: Record<string, number[]> = {};
for (const detector of DETECTOR_NAMES) {
  const names = detector === 'hotelling' ? ['a', 'b', 'c'] : ['a'];
  const engine = engineFor({ detector, signals: detector === 'hotelling' ? names.join(',') : '' });
  noiseAlarms[detector] = NOISE_SEEDS.map((noiseSeed) => {
    const noise = gaussian(noiseSeed);
    const state = engineInit(engine);
    let raises = 0;
    for (let i = 0; i < 100_000; i++) {
      const inputs = Object.create(null) as Record<string, SignalInput>;
      for (const name of names) inputs[name] = { value: noise(), timestamp: i * 1000, skip: false };
      if (engineUpdate(state, inputs, engine, i * 1000, true).result.event === 'raise') raises++;
    }
    return raises;
  });
  console.log(
    `  alarms on 100,000 samples of Gaussian noise, ${detector.padEnd(9)} ${noiseAlarms[detector].join(' / ')} (seeds ${NOISE_SEEDS.join(' / ')})`,
  );
}

const save = process.argv.includes('--save');
const dir = join(__dirname, '..', '..', 'bench', 'results', ...(save ? [] : ['anomaly-speed.tmp']));
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'anomaly-speed.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      pointsPerSecond: results,
      microsecondsPerSample: perSample,
      memory,
      noiseAlarms: { seeds: NOISE_SEEDS, samples: 100_000, raises: noiseAlarms },
    },
    null,
    2,
  ) + '\n',
);
