// `npm run bench`: the per-message cost of every TwinFlow node in one embedded Node-RED runtime (not the test
// helper, whose spies record every call), against a core change node and against the function-node code users write
// today for the same job, measured in the same run. Prints one table and writes bench/results/nodes.json.
// A benchmark, not a test: nothing here asserts a time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, startNodeRed } from '../scripts/runtime.mjs';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    // Distinct twins (msg.topic values) the messages cycle through: the keyed-state scale series uses 10,000.
    keys: { type: 'string', default: '100' },
    // Comma-separated node ids to measure (default: all); the change node is always measured, for the ratios.
    only: { type: 'string', default: '' },
    out: { type: 'string', default: 'nodes.json' },
  },
});
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);
const BATCH = 500;
const TWINS = Number(values.keys);

const PROPERTIES = Array.from({ length: 10 }, (_, i) => ({
  name: `p${i}`,
  type: 'number',
  unit: 'degC',
  min: -1e6,
  max: 1e6,
}));
const userDir = mkdtempSync(join(os.tmpdir(), 'twinflow-bench-nodes-'));
const runtime = await startNodeRed({
  userDir,
  editor: false,
  settings: { logging: { console: { level: 'warn', metrics: false, audit: false } } },
});
const { RED } = runtime;

const ZSCORE_FUNCTION = [
  // What users write today for a z-score per twin: a windowed mean and standard deviation kept in context.
  "const key = 'z_' + msg.topic;",
  'const s = context.get(key) || { values: [] };',
  'const x = msg.payload.p0;',
  "if (typeof x !== 'number' || !isFinite(x)) { node.error('bad value', msg); return null; }",
  'const n = s.values.length;',
  'const mean = n ? s.values.reduce((a, b) => a + b, 0) / n : x;',
  'const sd = n > 1 ? Math.sqrt(s.values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1)) : 0;',
  'msg.score = sd > 0 ? Math.abs(x - mean) / sd : 0;',
  's.values.push(x); if (s.values.length > 100) s.values.shift();',
  'context.set(key, s);',
  'return msg;',
].join('\n');
const TWIN_FUNCTION = [
  "const twins = global.get('twins') || {};",
  'const twin = twins[msg.topic] || { version: 0, reported: {} };',
  'for (const [k, v] of Object.entries(msg.payload)) {',
  "  if (typeof v !== 'number' || !Number.isFinite(v)) { node.error('bad value ' + k, msg); return null; }",
  '  twin.reported[k] = { value: v, timestamp: Date.now() };',
  '}',
  'twin.version++;',
  "twins[msg.topic] = twin; global.set('twins', twins);",
  'msg.twin = twin;',
  'return msg;',
].join('\n');

const flows = [
  { id: 'f1', type: 'tab', label: 'bench' },
  { id: 'model', type: 'twin-model', name: 'Bench', properties: JSON.stringify(PROPERTIES), store: '' },
  { id: 'change', type: 'change', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'Pump', tot: 'str' }] },
  { id: 'fnTwin', type: 'function', func: TWIN_FUNCTION, outputs: 1 },
  { id: 'fnZ', type: 'function', func: ZSCORE_FUNCTION, outputs: 1 },
  {
    id: 'state',
    type: 'twin-state',
    model: 'model',
    action: 'report',
    twinId: 'topic',
    twinIdType: 'msg',
    version: 1,
  },
  {
    id: 'zscore',
    type: 'twin-anomaly',
    detector: 'zscore',
    params: '{}',
    signals: 'p0',
    signalName: 'value',
    threshold: '0.99',
    raiseK: '3',
    raiseN: '5',
    clearM: '10',
    store: '',
    version: 1,
  },
  {
    id: 'auto',
    type: 'twin-anomaly',
    detector: 'auto',
    params: '{}',
    signals: '',
    signalName: 'value',
    threshold: '0.99',
    raiseK: '3',
    raiseN: '5',
    clearM: '10',
    store: '',
    version: 1,
  },
  {
    id: 'sim',
    type: 'twin-sim',
    model: 'pump',
    ode: '',
    params: '{}',
    initialInputs: '{}',
    step: '1',
    mode: 'message',
    speed: '1',
    seed: '1',
    twin: 'P',
    version: 1,
  },
].map((n, i) =>
  n.type === 'tab' || n.type === 'twin-model' ? n : { ...n, z: 'f1', x: 100, y: 40 * i, wires: [] },
);
await RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' });
const allIds = ['change', 'fnTwin', 'fnZ', 'state', 'zscore', 'auto', 'sim'];
const ids = values.only ? ['change', ...values.only.split(',').filter((id) => id !== 'change')] : allIds;
for (let waited = 0; !allIds.every((id) => RED.nodes.getNode(id)); waited += 50) {
  if (waited > 20000) throw new Error('the benchmark flow did not start');
  await new Promise((r) => setTimeout(r, 50));
}

const completed = new Map();
RED.hooks.add('onComplete.bench', (event) =>
  completed.set(event.node.id, (completed.get(event.node.id) ?? 0) + 1),
);
const waitCompleted = async (id, count) => {
  while ((completed.get(id) ?? 0) < count) await new Promise((r) => setImmediate(r));
};

function message(i, id) {
  const payload = {};
  for (let p = 0; p < 10; p++) payload[`p${p}`] = 50 + ((i * 7 + p * 13) % 100) / 10;
  return {
    _msgid: RED.util.generateId(),
    topic: `Pump${i % TWINS}`,
    payload: id === 'sim' ? { speed: 90 + (i % 10) } : payload,
  };
}

async function run(id) {
  const node = RED.nodes.getNode(id);
  completed.set(id, 0);
  const perMessage = [];
  for (let sent = 0; sent < MESSAGES; sent += BATCH) {
    const msgs = Array.from({ length: BATCH }, (_, k) => message(sent + k, id));
    const start = process.hrtime.bigint();
    for (const msg of msgs) node.receive(msg);
    await waitCompleted(id, sent + BATCH);
    perMessage.push(Number(process.hrtime.bigint() - start) / 1000 / BATCH);
  }
  return perMessage;
}

// One unrecorded pass first, so the JIT has compiled each node's path before anything is measured.
const warmup = Math.min(MESSAGES, 2000);
for (const id of ids) {
  const node = RED.nodes.getNode(id);
  completed.set(id, 0);
  for (let i = 0; i < warmup; i++) node.receive(message(i, id));
  await waitCompleted(id, warmup);
}
const samples = Object.fromEntries(ids.map((id) => [id, []]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const id of ids) samples[id].push(...(await run(id)));
  process.stderr.write(`\r  round ${round}/${ROUNDS} of ${MESSAGES.toLocaleString()} messages per node`);
}
process.stderr.write('\n');
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const cost = Object.fromEntries(
  ids.map((id) => [id, { median: quantile(samples[id], 0.5), p99: quantile(samples[id], 0.99) }]),
);
const rows = [
  ['core change node (one rule)', 'change', null],
  ['function: twin in global context', 'fnTwin', null],
  ['function: windowed z-score in context', 'fnZ', null],
  ['twin-state report (10 properties)', 'state', 'fnTwin'],
  ['twin-anomaly zscore (1 signal)', 'zscore', 'fnZ'],
  ['twin-anomaly auto (10 signals)', 'auto', null],
  ['twin-sim pump step', 'sim', null],
];
console.log(
  `\nper-message cost in one Node-RED ${(await import('node-red/package.json', { with: { type: 'json' } })).default.version} runtime, Node ${process.version}, ${os.cpus().length} cores; ${ROUNDS} x ${MESSAGES.toLocaleString()} messages per node in batches of ${BATCH}, ${TWINS} twins`,
);
console.log(
  `${'node'.padEnd(40)} ${'µs/msg'.padStart(8)} ${'msg/s'.padStart(9)} ${'batch p99'.padStart(10)} ${'÷ change'.padStart(9)} ${'÷ function'.padStart(11)}`,
);
const table = {};
for (const [label, id, fn] of rows) {
  if (!ids.includes(id)) continue;
  const c = cost[id];
  const vsChange = c.median / cost.change.median;
  const vsFunction = fn && cost[fn] ? c.median / cost[fn].median : undefined;
  table[id] = {
    label,
    microseconds: c.median,
    messagesPerSecond: Math.round(1e6 / c.median),
    p99: c.p99,
    vsChange,
    vsFunction,
  };
  console.log(
    `${label.padEnd(40)} ${c.median.toFixed(2).padStart(8)} ${Math.round(1e6 / c.median)
      .toLocaleString()
      .padStart(
        9,
      )} ${c.p99.toFixed(2).padStart(10)} ${vsChange.toFixed(1).padStart(8)}x ${(vsFunction === undefined ? '' : `${vsFunction.toFixed(2)}x`).padStart(11)}`,
  );
}
console.log(`RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB`);
writeFileSync(
  join(repoRoot, 'bench', 'results', values.out),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cores: os.cpus().length,
      messages: MESSAGES,
      rounds: ROUNDS,
      keys: TWINS,
      rssMB: Math.round(process.memoryUsage().rss / 1048576),
      table,
    },
    null,
    2,
  ) + '\n',
);
await runtime.stop();
rmSync(userDir, { recursive: true, force: true });
process.exit(0);
