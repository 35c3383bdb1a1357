// `npm run bench:scale`: how each cost grows with the work, each point in a fresh process.
//  - twin-state with 1,000 / 10,000 / 100,000 twins of 10 properties: RSS, load rate, per-message report cost, the
//    file store's flush time (bench/twin-state.mjs);
//  - twin-anomaly (z-score) keyed by 100 / 1,000 / 10,000 twins: per-message cost and RSS (bench/nodes.mjs --only).
// Prints the series with a growth statement and writes bench/results/scale.json. A benchmark, not a test.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../scripts/runtime.mjs';

const results = join(repoRoot, 'bench', 'results');
const run = (args) =>
  execFileSync(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
const read = (file) => JSON.parse(readFileSync(join(results, file), 'utf8'));

/** Per unit of work from the first to the last point: "constant" within 1.5x, else the exponent of the power law. */
function growth(points, key) {
  const [a, b] = [points[0], points.at(-1)];
  const exponent = Math.log(b[key] / a[key]) / Math.log(b.n / a.n);
  if (Math.abs(exponent) < 0.1)
    return `constant (x${(b[key] / a[key]).toFixed(2)} over ${b.n / a.n}x the work)`;
  if (exponent < 0)
    return `constant or falling (x${(b[key] / a[key]).toFixed(2)} over ${b.n / a.n}x the work)`;
  if (Math.abs(exponent - 1) < 0.2) return `linear (exponent ${exponent.toFixed(2)})`;
  if (exponent < 0.5)
    return `sub-linear (exponent ${exponent.toFixed(2)}; the runtime's fixed footprint dominates)`;
  return `exponent ${exponent.toFixed(2)}`;
}

const state = [];
for (const n of [1_000, 10_000, 100_000]) {
  process.stderr.write(`twin-state with ${n.toLocaleString()} twins...\n`);
  run(['--expose-gc', 'bench/twin-state.mjs', '--twins', String(n), '--messages', '10000']);
  const r = read('twin-state.json');
  state.push({
    n,
    rssMB: r.twins.rssMB,
    rssGrowthMB: r.twins.rssGrowthMB,
    loadPerSecond: n / r.twins.loadSeconds,
    reportMicroseconds: r.perMessageMicroseconds.state.median,
    changeMicroseconds: r.perMessageMicroseconds.change.median,
    flushSeconds: r.twins.flushSeconds,
  });
}
const anomaly = [];
for (const n of [100, 1_000, 10_000]) {
  process.stderr.write(`twin-anomaly keyed by ${n.toLocaleString()} twins...\n`);
  run([
    'bench/nodes.mjs',
    '--keys',
    String(n),
    '--messages',
    String(Math.max(10_000, 20 * n)),
    '--rounds',
    '1',
    '--only',
    'zscore',
    '--out',
    'nodes-keys.json',
  ]);
  const r = read('nodes-keys.json');
  anomaly.push({
    n,
    microseconds: r.table.zscore.microseconds,
    changeMicroseconds: r.table.change.microseconds,
    rssMB: r.rssMB,
  });
}

console.log('\ntwin-state, 10-property twins in one store (file context store)');
console.log(
  `${'twins'.padStart(8)} ${'RSS MB'.padStart(7)} ${'of which twins'.padStart(15)} ${'load twins/s'.padStart(13)} ${'report µs'.padStart(10)} ${'flush s'.padStart(8)}`,
);
for (const p of state)
  console.log(
    `${p.n.toLocaleString().padStart(8)} ${String(p.rssMB).padStart(7)} ${String(p.rssGrowthMB).padStart(15)} ${Math.round(p.loadPerSecond).toLocaleString().padStart(13)} ${p.reportMicroseconds.toFixed(2).padStart(10)} ${p.flushSeconds.toFixed(2).padStart(8)}`,
  );
const statements = {
  twinStateMemory: growth(
    state.map((p) => ({ n: p.n, v: Math.max(p.rssGrowthMB, 1) })),
    'v',
  ),
  twinStateReport: growth(
    state.map((p) => ({ n: p.n, v: p.reportMicroseconds })),
    'v',
  ),
  twinStateFlush: growth(
    state.map((p) => ({ n: p.n, v: p.flushSeconds })),
    'v',
  ),
  anomalyPerMessage: growth(
    anomaly.map((p) => ({ n: p.n, v: p.microseconds })),
    'v',
  ),
  anomalyMemory: growth(
    anomaly.map((p) => ({ n: p.n, v: p.rssMB })),
    'v',
  ),
};
console.log(`  memory of the twins: ${statements.twinStateMemory}`);
console.log(`  report cost per message: ${statements.twinStateReport}`);
console.log(`  flush of the whole store: ${statements.twinStateFlush}`);
console.log('\ntwin-anomaly z-score, keyed state per twin');
console.log(
  `${'twins'.padStart(8)} ${'µs/msg'.padStart(8)} ${'÷ change'.padStart(9)} ${'RSS MB'.padStart(7)}`,
);
for (const p of anomaly)
  console.log(
    `${p.n.toLocaleString().padStart(8)} ${p.microseconds.toFixed(2).padStart(8)} ${(p.microseconds / p.changeMicroseconds).toFixed(1).padStart(8)}x ${String(p.rssMB).padStart(7)}`,
  );
console.log(`  cost per message: ${statements.anomalyPerMessage}`);
console.log(`  process memory: ${statements.anomalyMemory}`);
writeFileSync(
  join(results, 'scale.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      twinState: state,
      twinAnomaly: anomaly,
      statements,
    },
    null,
    2,
  ) + '\n',
);
