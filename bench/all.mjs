// `npm run bench`: every benchmark in turn, each in its own process, then one summary table of the headline figures
// against their targets. Writes bench/results/summary.json (and each benchmark its own file). Measures; asserts nothing.
// Options: --quick (shorter runs, for a first look).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../scripts/runtime.mjs';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const results = join(repoRoot, 'bench', 'results');
const read = (file) => JSON.parse(readFileSync(join(results, file), 'utf8'));
const steps = [
  [
    'per-node cost (bench/nodes.mjs)',
    ['bench/nodes.mjs', ...(values.quick ? ['--messages', '2000', '--rounds', '1'] : [])],
  ],
  ['scale series (bench/scale.mjs)', ['bench/scale.mjs']],
  ['simulation speed (bench/sim-speed.ts)', ['bench/.build/sim-speed.js']],
  [
    'OPC UA, 10,000 items (bench/opcua-scale.ts)',
    ['bench/.build/opcua-scale.mjs', '--seconds', values.quick ? '10' : '30'],
  ],
  ['UNS, 10,000 twins x 10 (bench/uns-scale.mjs)', ['bench/uns-scale.mjs']],
];
const esbuild = join(repoRoot, 'node_modules', '.bin', 'esbuild');
execFileSync(
  esbuild,
  [
    'bench/sim-speed.ts',
    '--bundle',
    '--platform=node',
    '--target=node20',
    '--outfile=bench/.build/sim-speed.js',
    '--log-level=warning',
  ],
  { cwd: repoRoot, stdio: 'inherit' },
);
execFileSync(
  esbuild,
  [
    'bench/opcua-scale.ts',
    '--bundle',
    '--platform=node',
    '--target=node20',
    '--format=esm',
    '--packages=external',
    '--outfile=bench/.build/opcua-scale.mjs',
    '--log-level=warning',
  ],
  { cwd: repoRoot, stdio: 'inherit' },
);
for (const [label, args] of steps) {
  console.log(`\n=== ${label}`);
  execFileSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
}

const nodes = read('nodes.json').table;
const scale = read('scale.json');
const sim = read('sim-speed.json');
const opcua = read('opcua-scale.json');
const uns = read('uns-scale.json');
const nab = existsSync(join(results, 'nab.json')) ? read('nab.json') : undefined;
const pct = (x) => `${(x * 100).toFixed(1)} %`;
const verdict = (ok, gap) => (ok ? 'met' : `missed${gap ? ` (${gap})` : ''}`);
const state100k = scale.twinState.at(-1);
const rows = [];
for (const [id, label] of [
  ['state', 'twin-state report'],
  ['zscore', 'twin-anomaly zscore'],
  ['auto', 'twin-anomaly auto'],
  ['sim', 'twin-sim step'],
]) {
  const r = nodes[id];
  rows.push([
    `${label}: µs per message, ÷ change node`,
    `${r.microseconds.toFixed(2)} µs, ${r.vsChange.toFixed(1)}x`,
    'at most 2x',
    verdict(r.vsChange <= 2, `${(r.vsChange / 2).toFixed(1)}x over`),
  ]);
  if (r.vsFunction !== undefined && r.vsFunction !== null)
    rows.push([
      `${label}: ÷ the function node users write`,
      `${r.vsFunction.toFixed(2)}x (${(1 / r.vsFunction).toFixed(2)}x cheaper)`,
      'at least 5x cheaper',
      verdict(1 / r.vsFunction >= 5, `${(1 / r.vsFunction).toFixed(2)}x`),
    ]);
}
rows.push([
  '100,000 twins x 10 properties: RSS',
  `${state100k.rssMB} MB`,
  'under 400 MB',
  verdict(state100k.rssMB < 400),
]);
rows.push(['twin-state flush of 100,000 twins', `${state100k.flushSeconds.toFixed(2)} s`, '', '']);
const keyed = scale.twinAnomaly.at(-1);
rows.push([
  'twin-anomaly with 10,000 keyed series',
  `${keyed.microseconds.toFixed(2)} µs/msg, RSS ${keyed.rssMB} MB`,
  '',
  '',
]);
rows.push([
  '10,000 OPC UA items, one session: CPU',
  pct(opcua.cpuShareOfOneCore),
  'under 20 % of a core',
  verdict(opcua.cpuShareOfOneCore < 0.2),
]);
rows.push([
  '10,000 OPC UA items: processing p99',
  `${opcua.processingMs.p99.toFixed(1)} ms`,
  'under 100 ms',
  verdict(opcua.processingMs.p99 < 100),
]);
const q1 = uns.results.find((r) => r.qos === 1);
rows.push([
  'UNS 10,000 twins x 10, QoS 1: updates/s',
  Math.round(q1.updatesPerSecond).toLocaleString(),
  '',
  '',
]);
rows.push(['UNS paced 10,000/s, QoS 1: round trip p99', `${q1.paced.roundTripMs.p99} ms`, '', '']);
rows.push([
  'RK4 steps/s, 4 states',
  `${(sim.rk4StepsPerSecond / 1e6).toFixed(2)} M`,
  'at least 1 M',
  verdict(sim.rk4StepsPerSecond >= 1e6),
]);
rows.push([
  'pump model real-time factor at 10 ms',
  `${Math.round(sim.pumpRealTimeFactor).toLocaleString()}x`,
  'at least 10,000x',
  verdict(sim.pumpRealTimeFactor >= 10_000),
]);
if (nab) {
  // From the last `npm run bench:nab` (it needs ../shared/data/nab, so it is not run here).
  const standard = nab.results.standard.score;
  rows.push([
    'NAB standard score (last bench:nab run)',
    standard.toFixed(2),
    'at least 70',
    verdict(standard >= 70, `by ${(70 - standard).toFixed(1)}`),
  ]);
}

console.log(`\n=== summary (Node ${process.version}, ${os.cpus().length} cores)`);
const widths = [52, 34, 22, 20];
console.log(['measure', 'figure', 'target', 'verdict'].map((h, i) => h.padEnd(widths[i])).join(' '));
for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join(' '));
for (const [k, v] of Object.entries(scale.statements)) console.log(`  growth, ${k}: ${v}`);
writeFileSync(
  join(results, 'summary.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cores: os.cpus().length,
      rows,
      growth: scale.statements,
    },
    null,
    2,
  ) + '\n',
);
