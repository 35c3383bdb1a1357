// Core speed of every detector (points per second on one core), not a test. `npm run bench:anomaly`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOTELLING_DEFAULTS, hotellingInit, hotellingUpdate } from '../src/core/anomaly/hotelling';
import { DETECTORS, type AnyDetector } from '../src/core/anomaly/registry';

const N = 2_000_000;
// A noisy daily sine with a little drift: realistic enough that no branch is always taken.
const values = new Float64Array(N);
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
for (let i = 0; i < N; i++) values[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + random() * 2 + i * 1e-6;

const results: Record<string, number> = {};
for (const [name, detector] of Object.entries(DETECTORS) as [string, AnyDetector][]) {
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
{
  const M = 200_000;
  let state = hotellingInit(5);
  const start = process.hrtime.bigint();
  for (let i = 0; i < M; i++) {
    const v = values[i];
    state = hotellingUpdate(
      state,
      [v, v * 0.5 + random(), 100 - v, random() * 3, v + random()],
      HOTELLING_DEFAULTS,
      true,
    ).state;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  results['hotelling (5 signals)'] = Math.round(M / seconds);
  console.log(
    `  ${'hotelling'.padEnd(10)} ${(M / seconds / 1e6).toFixed(2).padStart(6)} M vectors/s of 5 signals`,
  );
}
writeFileSync(
  join(__dirname, '..', '..', 'bench', 'results', 'anomaly-speed.json'),
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, pointsPerSecond: results },
    null,
    2,
  ) + '\n',
);
