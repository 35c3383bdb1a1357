// The in-flow cost of the prediction nodes, in one embedded Node-RED runtime, against a core change node in the same
// run (run by `npm run bench:rul` after bench/rul.ts, whose trained FD001 model it loads):
//   - twin-forecast in RUL mode: one C-MAPSS cycle (14 signals) per message, per twin;
//   - twin-forecast in trend mode: Holt and robust line, one signal with a 90 °C limit;
//   - twin-infer: one call of an ONNX model per message (batch of 1) and per batch of 64 twins.
// Writes rul-flow.json next to bench/rul.ts's results. A benchmark, not a test: nothing here asserts a time.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, startNodeRed } from '../scripts/runtime.mjs';

const { values } = parseArgs({
  options: {
    save: { type: 'boolean', default: false },
    messages: { type: 'string', default: '5000' },
  },
});
const out = values.save ? join(repoRoot, 'bench', 'results') : join(repoRoot, 'bench', 'results', 'rul.tmp');
const modelFile = join(repoRoot, 'bench', 'results', 'rul.tmp', 'rul-model.json');
if (!existsSync(modelFile)) {
  console.error('bench/predict-flow.mjs needs the model bench/rul.ts writes (run npm run bench:rul)');
  process.exit(2);
}
const model = JSON.parse(readFileSync(modelFile, 'utf8'));
const MESSAGES = Number(values.messages);
const BATCH = 250;

const userDir = mkdtempSync(join(os.tmpdir(), 'twinflow-bench-predict-'));
const runtime = await startNodeRed({
  userDir,
  editor: false,
  settings: { logging: { console: { level: 'warn', metrics: false, audit: false } } },
});
const { RED } = runtime;
const trend = (id, method) => ({
  id,
  type: 'twin-forecast',
  mode: 'trend',
  signals: 'temp',
  method,
  window: '60',
  level: '90',
  horizon: '10',
  lookAhead: '1000',
  timeUnit: 'min',
  limit: '90',
  report: 'change',
  change: '5',
  version: 1,
});
const flows = [
  { id: 'f1', type: 'tab', label: 'bench' },
  { id: 'change', type: 'change', rules: [{ t: 'set', p: 'seen', pt: 'msg', to: 'true', tot: 'bool' }] },
  {
    id: 'rul',
    type: 'twin-forecast',
    mode: 'rul',
    rulModel: modelFile,
    report: 'change',
    change: '5',
    version: 1,
  },
  trend('holt', 'holt'),
  trend('robust', 'robust'),
  {
    id: 'infer',
    type: 'twin-infer',
    modelFile: 'examples/twin-infer/pump-health.onnx',
    features: 'flow, pressure, current, vibration',
    window: '1',
    normalise: 'none',
    version: 1,
  },
].map((n, i) => (n.type === 'tab' ? n : { ...n, z: 'f1', x: 100, y: 40 * i, wires: [] }));
await RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' });
const ids = ['change', 'rul', 'holt', 'robust', 'infer'];
for (let waited = 0; !ids.every((id) => RED.nodes.getNode(id)); waited += 50) {
  if (waited > 20000) throw new Error('the benchmark flow did not start');
  await new Promise((r) => setTimeout(r, 50));
}
await new Promise((r) => setTimeout(r, 500)); // the ONNX session opens asynchronously

const completed = new Map();
RED.hooks.add('onComplete.bench', (event) =>
  completed.set(event.node.id, (completed.get(event.node.id) ?? 0) + 1),
);
const waitCompleted = async (id, count) => {
  while ((completed.get(id) ?? 0) < count) await new Promise((r) => setImmediate(r));
};

const sensors = (i) =>
  Object.fromEntries(model.signals.map((s, j) => [s, model.mean[j] + model.std[j] * Math.sin(i * 0.37 + j)]));
function message(id, i, batch = 1) {
  const twin = `E${i % 100}`;
  let payload;
  if (id === 'rul') payload = sensors(Math.floor(i / 100));
  else if (id === 'infer') {
    const one = (k) => ({
      flow: 40 + (k % 7),
      pressure: 2.5,
      current: 8 + (k % 3),
      vibration: 1.8 + (k % 5) / 10,
    });
    payload =
      batch === 1
        ? one(i)
        : Array.from({ length: batch }, (_, k) => ({ topic: `P${k}`, payload: one(i + k) }));
  } else payload = { temp: 60 + 0.001 * i + Math.sin(i) * 0.2 };
  return {
    _msgid: RED.util.generateId(),
    topic: twin,
    timestamp: Date.UTC(2026, 0, 1) + Math.floor(i / 100) * 60000,
    payload,
  };
}

async function measure(id, count, batch = 1) {
  const node = RED.nodes.getNode(id);
  completed.set(id, 0);
  const per = [];
  let sent = 0;
  const cpuStart = process.cpuUsage();
  for (let offset = 0; sent < count; offset += BATCH) {
    const n = Math.min(BATCH, count - sent);
    const msgs = Array.from({ length: n }, (_, k) => message(id, offset + k + runs * count, batch));
    const t0 = process.hrtime.bigint();
    for (const m of msgs) node.receive(m);
    await waitCompleted(id, sent + n);
    per.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
    sent += n;
  }
  const cpu = process.cpuUsage(cpuStart);
  // CPU time of this process per message: on a shared, loaded machine wall time also counts others' turns.
  cpuPer.push((cpu.user + cpu.system) / count);
  return per;
}
let runs = 0;
let cpuPer = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
const cases = [
  ['change', 'core change node (one rule)', 1],
  ['rul', 'twin-forecast RUL (14 signals, 100 twins)', 1],
  ['holt', 'twin-forecast trend, Holt, time to limit', 1],
  ['robust', 'twin-forecast trend, robust line (60)', 1],
  ['infer', 'twin-infer ONNX, 1 twin per call', 1],
  ['infer', 'twin-infer ONNX, 64 twins per call', 64],
];
for (const [id, , batch] of cases) await measure(id, Math.min(1000, MESSAGES), batch); // warm-up
for (let round = 0; round < 3; round++) {
  runs++;
  for (const [id, label, batch] of cases) {
    const count = batch > 1 ? Math.max(50, Math.floor(MESSAGES / batch)) : MESSAGES;
    cpuPer = [];
    const entry = (results[label] ??= { batch, samples: [], cpu: [] });
    entry.samples.push(...(await measure(id, count, batch)));
    entry.cpu.push(...cpuPer);
  }
}
await runtime.stop();
rmSync(userDir, { recursive: true, force: true });

const change = median(results['core change node (one rule)'].samples);
console.log(
  `\nper-message cost in one Node-RED runtime, Node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}; medians of batches of ${BATCH} messages, 3 rounds`,
);
console.log(
  `${'node'.padEnd(44)} ${'µs/msg'.padStart(9)} ${'CPU µs/msg'.padStart(11)} ${'µs/twin'.padStart(9)} ${'÷ change'.padStart(9)}`,
);
const table = {};
for (const [label, { batch, samples, cpu }] of Object.entries(results)) {
  const us = median(samples);
  const cpuUs = Math.min(...cpu);
  table[label] = { perMessageUs: us, cpuPerMessageUs: cpuUs, perTwinUs: us / batch, batch };
  console.log(
    `${label.padEnd(44)} ${us.toFixed(1).padStart(9)} ${cpuUs.toFixed(1).padStart(11)} ${(us / batch).toFixed(1).padStart(9)} ${(us / change).toFixed(1).padStart(9)}`,
  );
}
writeFileSync(join(out, 'rul-flow.json'), JSON.stringify({ when: new Date().toISOString(), table }, null, 2));
console.log(`results in ${out}`);
process.exit(0);
