// Benchmark (not a test): twin-state in a real embedded Node-RED runtime.
//  1. 100,000 twins of a 10-property model in one store: memory (RSS, heap), measured first in the fresh runtime,
//     and the file store's flush time when the runtime stops at the end.
//  2. Per-message cost of a 10-property report, against a core change node and against the function node users
//     write today (a twin in global context), measured in the same run, same harness.
// Usage: npm run bench:state [-- --messages 20000 --twins 100000]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, startNodeRed } from '../scripts/runtime.mjs';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '20000' }, twins: { type: 'string', default: '100000' } },
});
const MESSAGES = Number(values.messages);
const TWINS = Number(values.twins);
const BATCH = 500;
const gc = globalThis.gc ?? (() => {});
const mb = (bytes) => Math.round(bytes / 1048576);

const PROPERTIES = Array.from({ length: 10 }, (_, i) => ({
  name: `p${i}`,
  type: 'number',
  unit: 'degC',
  min: -1e6,
  max: 1e6,
}));
const userDir = mkdtempSync(join(tmpdir(), 'twinflow-bench-'));
const runtime = await startNodeRed({
  userDir,
  editor: false,
  settings: {
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    contextStorage: {
      default: { module: 'memory' },
      file: { module: 'localfilesystem', config: { flushInterval: 3600 } },
      // Flush on every change: the file store without its cache writes before it acknowledges.
      durable: { module: 'localfilesystem', config: { cache: false, base: 'context-durable' } },
    },
  },
});
const { RED } = runtime;

const flows = [
  { id: 'f1', type: 'tab', label: 'bench' },
  { id: 'model', type: 'twin-model', name: 'Bench', properties: JSON.stringify(PROPERTIES), store: '' },
  {
    id: 'durablemodel',
    type: 'twin-model',
    name: 'Durable',
    properties: JSON.stringify(PROPERTIES),
    store: 'durable',
  },
  { id: 'bigmodel', type: 'twin-model', name: 'Big', properties: JSON.stringify(PROPERTIES), store: 'file' },
  {
    id: 'change',
    type: 'change',
    z: 'f1',
    rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'Pump', tot: 'str' }],
    wires: [],
  },
  {
    id: 'function',
    type: 'function',
    z: 'f1',
    // What users write today: merge the values into a twin object in global context, bump a version, pass it on.
    func: [
      "const twins = global.get('twins') || {};",
      'const twin = twins[msg.topic] || { version: 0, reported: {} };',
      'for (const [k, v] of Object.entries(msg.payload)) {',
      "  if (typeof v !== 'number' || !Number.isFinite(v)) { node.error('bad value ' + k, msg); return null; }",
      '  twin.reported[k] = { value: v, timestamp: Date.now() };',
      '}',
      'twin.version++;',
      'twins[msg.topic] = twin;',
      "global.set('twins', twins);",
      'msg.twin = twin;',
      'return msg;',
    ].join('\n'),
    outputs: 1,
    wires: [],
  },
  {
    id: 'state',
    type: 'twin-state',
    z: 'f1',
    model: 'model',
    action: 'report',
    twinId: 'topic',
    twinIdType: 'msg',
    version: 1,
    wires: [[], [], []],
  },
  {
    id: 'durable',
    type: 'twin-state',
    z: 'f1',
    model: 'durablemodel',
    action: 'report',
    twinId: 'topic',
    twinIdType: 'msg',
    version: 1,
    wires: [[], [], []],
  },
  {
    id: 'big',
    type: 'twin-state',
    z: 'f1',
    model: 'bigmodel',
    action: 'report',
    twinId: 'topic',
    twinIdType: 'msg',
    version: 1,
    wires: [[], [], []],
  },
];
// Flow nodes need a position, or the runtime takes them for config nodes.
flows.forEach((n, i) => n.z && Object.assign(n, { x: 100, y: 40 * i }));
await RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' });
for (
  let waited = 0;
  !['change', 'function', 'state', 'big'].every((id) => RED.nodes.getNode(id));
  waited += 50
) {
  if (waited > 20000) throw new Error('the benchmark flow did not start');
  await new Promise((r) => setTimeout(r, 50));
}

// Completion of each message is observed with the runtime's onComplete hook, the same way for every node.
const completed = new Map();
RED.hooks.add('onComplete.bench', (event) => {
  completed.set(event.node.id, (completed.get(event.node.id) ?? 0) + 1);
});
const waitCompleted = async (id, count) => {
  while ((completed.get(id) ?? 0) < count) await new Promise((r) => setImmediate(r));
};

function reportFor(i, twins) {
  const payload = {};
  for (let p = 0; p < 10; p++) payload[`p${p}`] = (i * 7 + p) % 1000;
  return { _msgid: RED.util.generateId(), topic: `Pump${i % twins}`, payload };
}

/** Pushes n messages through one node in batches; returns per-message microseconds for each batch. */
async function run(id, n, twins) {
  const node = RED.nodes.getNode(id);
  completed.set(id, 0);
  const perMessage = [];
  for (let sent = 0; sent < n; sent += BATCH) {
    const size = Math.min(BATCH, n - sent);
    const msgs = Array.from({ length: size }, (_, k) => reportFor(sent + k, twins));
    const start = process.hrtime.bigint();
    for (const msg of msgs) node.receive(msg);
    await waitCompleted(id, sent + size);
    perMessage.push(Number(process.hrtime.bigint() - start) / 1000 / size);
  }
  return perMessage;
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs) => quantile(xs, 0.5);

console.log(
  `${TWINS.toLocaleString()} twins of 10 properties in one store (file context store), measured first in a fresh runtime`,
);
gc();
const before = process.memoryUsage();
const bigStart = process.hrtime.bigint();
const bigNode = RED.nodes.getNode('big');
completed.set('big', 0);
for (let sent = 0; sent < TWINS; sent += 5000) {
  const size = Math.min(5000, TWINS - sent);
  for (let k = 0; k < size; k++) bigNode.receive(reportFor(sent + k, TWINS));
  await waitCompleted('big', sent + size);
  process.stdout.write(`\r  loaded ${(sent + size).toLocaleString()} / ${TWINS.toLocaleString()} twins`);
}
const loadSeconds = Number(process.hrtime.bigint() - bigStart) / 1e9;
gc();
await new Promise((r) => setTimeout(r, 200));
gc();
const after = process.memoryUsage();
console.log(
  `\n  load: ${loadSeconds.toFixed(1)} s (${Math.round(TWINS / loadSeconds).toLocaleString()} new twins/s)`,
);
console.log(
  `  RSS ${mb(after.rss)} MB total (target < 400 MB), heap used ${mb(after.heapUsed)} MB; growth for the twins: RSS +${mb(after.rss - before.rss)} MB, heap +${mb(after.heapUsed - before.heapUsed)} MB`,
);

console.log('');
console.log(`per-message cost, ${MESSAGES} messages of 10 properties over 1,000 twins, batches of ${BATCH}`);
const rounds = { change: [], function: [], state: [] };
for (let round = 0; round < 3; round++) {
  for (const id of ['change', 'function', 'state']) {
    rounds[id].push(...(await run(id, MESSAGES, 1000)));
    process.stdout.write(`  round ${round + 1}/3 ${id} done\n`);
  }
}
const cost = Object.fromEntries(
  Object.entries(rounds).map(([id, xs]) => [id, { median: median(xs), p90: quantile(xs, 0.9) }]),
);
const table = [
  ['change node', cost.change],
  ['function node (twin in global context)', cost.function],
  ['twin-state report', cost.state],
];
for (const [label, c] of table)
  console.log(
    `  ${label.padEnd(40)} ${c.median.toFixed(2).padStart(7)} µs/msg (batch p90 ${c.p90.toFixed(2)})`,
  );
const DURABLE_MESSAGES = 2000;
const durable = await run('durable', DURABLE_MESSAGES, 100);
cost.durable = { median: median(durable), p90: quantile(durable, 0.9) };
console.log(
  `  ${'twin-state report, flush on every change'.padEnd(40)} ${cost.durable.median.toFixed(2).padStart(7)} µs/msg (${DURABLE_MESSAGES} messages over 100 twins, file store without cache)`,
);
const ratioChange = cost.state.median / cost.change.median;
const ratioFunction = cost.state.median / cost.function.median;
console.log(
  `  twin-state / change node = ${ratioChange.toFixed(2)}x (target <= 2x); twin-state / function node = ${ratioFunction.toFixed(2)}x`,
);

const stopStart = process.hrtime.bigint();
await runtime.stop();
const flushSeconds = Number(process.hrtime.bigint() - stopStart) / 1e9;
console.log(
  `  runtime stop incl. file-store flush of ${TWINS.toLocaleString()} twins: ${flushSeconds.toFixed(2)} s`,
);
rmSync(userDir, { recursive: true, force: true });

const nodeRedVersion = (await import('node-red/package.json', { with: { type: 'json' } })).default.version;
const result = {
  date: new Date().toISOString(),
  machine: { node: process.version, nodeRed: nodeRedVersion, cores: (await import('node:os')).cpus().length },
  messages: MESSAGES,
  perMessageMicroseconds: cost,
  ratios: { twinStateOverChange: ratioChange, twinStateOverFunction: ratioFunction },
  twins: {
    count: TWINS,
    rssMB: mb(after.rss),
    heapUsedMB: mb(after.heapUsed),
    rssGrowthMB: mb(after.rss - before.rss),
    loadSeconds,
    flushSeconds,
  },
};
writeFileSync(join(repoRoot, 'bench', 'results', 'twin-state.json'), JSON.stringify(result, null, 2) + '\n');
console.log('\nwrote bench/results/twin-state.json');
process.exit(0);
