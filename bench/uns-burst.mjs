// `npm run bench:uns-burst`: a burst of 100,000 `/set` commands (issue 18), published as fast as mqtt.js can, at a
// twin-uns bridge in a real Node-RED runtime (a child process) through Debian's mosquitto. Reports, per QoS:
//   - the runtime's RSS growth (peak during the burst over the level before it), sampled inside the runtime every
//     20 ms with process.memoryUsage(), with the heap, external and array-buffer peaks (where the memory went);
//   - the admin API's latency: GET /flows every 10 ms (or as soon as the last answered) during the burst from a
//     worker thread (so the publisher's own work does not count), p50 / p99 / max;
//   - the runtime's longest event-loop delay, and what the sender saw (commands refused busy, unanswered).
// Options: --commands 100000, --qos 0,1, --twin Pump01 (a twin the model holds), --spread 1 (over this many twins:
// command k goes to <twin> when k % spread is 0, else to the unknown twin Ghost<k % spread>), --runs 1, --heap (writes a heap
// snapshot of the runtime near the end of the burst to the out folder), --out bench/results/uns-burst.tmp.
// A benchmark, not a test: nothing asserts a time.
import { spawn, fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { Worker } from 'node:worker_threads';
import mqtt from 'mqtt';
import { repoRoot, startNodeRed } from '../scripts/runtime.mjs';

const { values: args } = parseArgs({
  options: {
    commands: { type: 'string', default: '100000' },
    qos: { type: 'string', default: '0,1' },
    twin: { type: 'string', default: 'Pump01' },
    spread: { type: 'string', default: '1' },
    runs: { type: 'string', default: '1' },
    heap: { type: 'boolean', default: false },
    out: { type: 'string', default: join(repoRoot, 'bench', 'results', 'uns-burst.tmp') },
    child: { type: 'boolean', default: false },
  },
});
const MOSQUITTO = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';
const MB = 2 ** 20;

const flows = (url) => [
  { id: 't1', type: 'tab', label: 'burst' },
  { id: 'b1', type: 'twin-mqtt-broker', url, protocolVersion: 'auto', version: 2 },
  {
    id: 'm1',
    type: 'twin-model',
    name: 'Pump',
    properties: JSON.stringify([
      { name: 'flow', type: 'number', unit: 'm3/h' },
      { name: 'speed', type: 'number', unit: 'rpm', min: 0, max: 3000, writable: true },
    ]),
    enterprise: 'Acme',
    site: 'Plant1',
    line: 'L1',
  },
  {
    id: 'i1',
    type: 'inject',
    z: 't1',
    once: true,
    onceDelay: 0.1,
    topic: 'Pump01',
    payload: '{"flow": 1, "speed": 100}',
    payloadType: 'json',
    props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
    wires: [['s1']],
  },
  { id: 's1', type: 'twin-state', z: 't1', model: 'm1', wires: [['u1']] },
  { id: 'u1', type: 'twin-uns', z: 't1', broker: 'b1', model: 'm1', version: 3, wires: [['s1'], []] },
];

/** The runtime: Node-RED with the burst flow; samples its own memory and event loop on request. */
async function child() {
  const userDir = mkdtempSync(join(os.tmpdir(), 'twinflow-burst-'));
  const runtime = await startNodeRed({ userDir, editor: true, onLog: () => undefined });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  let sampler;
  let peak;
  let before;
  // Commands taken: what the bridge sends to twin-state as desired values.
  let taken = 0;
  let lastDesired;
  runtime.RED.hooks.add('onReceive.burst', (event) => {
    if (event.destination.id !== 's1' || event.msg.action !== 'desire') return;
    taken++;
    lastDesired = event.msg.payload.speed;
  });
  process.on('message', async (m) => {
    if (m.cmd === 'deploy') {
      await runtime.RED.runtime.flows.setFlows({ flows: { flows: flows(m.broker) }, deploymentType: 'full' });
      await new Promise((r) => setTimeout(r, 2000));
      process.send({ cmd: 'deployed' });
    } else if (m.cmd === 'start') {
      globalThis.gc?.();
      before = process.memoryUsage();
      peak = { ...before };
      lag.reset();
      lag.enable();
      sampler = setInterval(() => {
        const now = process.memoryUsage();
        for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], now[k]);
      }, 20);
      process.send({ cmd: 'started' });
    } else if (m.cmd === 'taken') {
      process.send({ cmd: 'taken', taken, lastDesired });
    } else if (m.cmd === 'snapshot') {
      process.send({ cmd: 'snapshot', file: writeHeapSnapshot(m.file) });
    } else if (m.cmd === 'stop') {
      clearInterval(sampler);
      lag.disable();
      globalThis.gc?.();
      process.send({ cmd: 'stopped', before, peak, after: process.memoryUsage(), loopMaxMs: lag.max / 1e6 });
    } else if (m.cmd === 'exit') {
      await runtime.stop();
      rmSync(userDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  // Never outlive the benchmark (it may have failed).
  process.on('disconnect', () => process.exit(0));
  process.send({ cmd: 'ready', url: runtime.url });
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function startMosquitto() {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'twinflow-burst-mosquitto-'));
  writeFileSync(
    join(dir, 'm.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`,
  );
  const proc = spawn(MOSQUITTO, ['-c', join(dir, 'm.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: () => (proc.kill(), rmSync(dir, { recursive: true, force: true })),
  };
}

function request(proc, message, reply) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.cmd !== reply) return;
      proc.off('message', on);
      resolve(m);
    };
    proc.on('message', on);
    proc.send(message);
  });
}

async function burst(qos, commands, twin) {
  const broker = await startMosquitto();
  const proc = fork(fileURLToPath(import.meta.url), ['--child'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--expose-gc'],
  });
  const ready = await new Promise((r) => proc.once('message', r));
  await request(proc, { cmd: 'deploy', broker: broker.url }, 'deployed');
  const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, protocolVersion: 5 });
  // Refused commands by reason code (a coalesced busy reply answers `count` commands), and the replies.
  const answers = { rejected: 0, replies: 0, codes: {} };
  publisher.on('message', (_t, body) => {
    const { code, count = 1 } = JSON.parse(body.toString());
    answers.replies++;
    answers.rejected += count;
    answers.codes[code] = (answers.codes[code] ?? 0) + count;
  });
  await publisher.subscribeAsync('Acme/Plant1/L1/+/+/set/rejected', { qos: 0 });
  await request(proc, { cmd: 'start' }, 'started');
  const poller = new Worker(join(repoRoot, 'test', 'helpers', 'admin-poller.mjs'), {
    workerData: { url: ready.url },
  });
  const polled = new Promise((r) => poller.once('message', r));
  const started = performance.now();
  const spread = Number(args.spread);
  const topicOf = (k) => `Acme/Plant1/L1/${k % spread === 0 ? twin : `Ghost${k % spread}`}/speed/set`;
  let snapshot;
  for (let i = 0; i < commands; i += 1000) {
    if (args.heap && i === commands - 1000)
      snapshot = request(
        proc,
        { cmd: 'snapshot', file: join(args.out, `burst-qos${qos}.heapsnapshot`) },
        'snapshot',
      );
    const batch = [];
    for (let k = i; k < Math.min(commands, i + 1000); k++)
      batch.push(publisher.publishAsync(topicOf(k), String(k % 3000), { qos }));
    // QoS 0 resolves when written to the socket, QoS 1 when the broker acknowledged: as fast as mqtt.js can.
    await Promise.all(batch);
  }
  const sentSeconds = (performance.now() - started) / 1000;
  // Done when the runtime is idle: its answers stopped and a GET sees no backlog (two quiet seconds in a row).
  let last = -1;
  let taken = 0;
  let lastDesired;
  for (;;) {
    ({ taken, lastDesired } = await request(proc, { cmd: 'taken' }, 'taken'));
    if (answers.rejected + taken === last) break;
    last = answers.rejected + taken;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const seconds = (performance.now() - started) / 1000 - 2;
  poller.postMessage('stop');
  const { latencies, failures } = await polled;
  await poller.terminate();
  await snapshot;
  const memory = await request(proc, { cmd: 'stop' }, 'stopped');
  await publisher.endAsync(true);
  const exited = new Promise((r) => proc.once('exit', r));
  proc.send({ cmd: 'exit' });
  await exited;
  broker.stop();
  latencies.sort((a, b) => a - b);
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const growth = (k) => +((memory.peak[k] - memory.before[k]) / MB).toFixed(1);
  return {
    qos,
    commands,
    twin,
    spread,
    sentSeconds: +sentSeconds.toFixed(1),
    seconds: +seconds.toFixed(1),
    rssBeforeMB: +(memory.before.rss / MB).toFixed(0),
    rssGrowthMB: growth('rss'),
    heapUsedGrowthMB: growth('heapUsed'),
    heapRetainedMB: +((memory.after.heapUsed - memory.before.heapUsed) / MB).toFixed(1),
    externalGrowthMB: growth('external'),
    arrayBuffersGrowthMB: growth('arrayBuffers'),
    loopMaxMs: +memory.loopMaxMs.toFixed(0),
    adminGets: latencies.length,
    adminFailures: failures,
    adminP50Ms: +p(0.5).toFixed(1),
    adminP99Ms: +p(0.99).toFixed(1),
    adminMaxMs: +(latencies.at(-1) ?? NaN).toFixed(1),
    taken,
    // The newest command wins: the last desired speed is the last one sent.
    lastDesired,
    lastSent: (Math.floor((commands - 1) / spread) * spread) % 3000,
    rejected: answers.codes,
    replies: answers.replies,
    // Merged into a waiting twin's values, refused beyond the reply budget (counted in a warning), or dropped by the
    // broker.
    unanswered: commands - taken - answers.rejected,
  };
}

async function main() {
  mkdirSync(args.out, { recursive: true });
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing (apt-get install mosquitto)`);
  const results = [];
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  for (let run = 0; run < Number(args.runs); run++) {
    for (const qos of args.qos.split(',').map(Number)) {
      const loadBefore = load();
      const r = { ...(await burst(qos, Number(args.commands), args.twin)), load: loadBefore };
      results.push(r);
      console.log(
        `QoS ${r.qos}: ${r.commands} /set to ${r.twin}${r.spread > 1 ? ` and ${r.spread - 1} unknown twins` : ''} sent in ${r.sentSeconds} s, settled in ${r.seconds} s; ` +
          `RSS ${r.rssBeforeMB} MB +${r.rssGrowthMB} MB (heap +${r.heapUsedGrowthMB}, after GC +${r.heapRetainedMB}, external +${r.externalGrowthMB}, ` +
          `buffers +${r.arrayBuffersGrowthMB}); admin GET x${r.adminGets} (${r.adminFailures} failed): p50 ${r.adminP50Ms} ms, ` +
          `p99 ${r.adminP99Ms} ms, max ${r.adminMaxMs} ms; runtime loop delay max ${r.loopMaxMs} ms; ` +
          `taken ${r.taken} (last desired ${r.lastDesired}, last sent ${r.lastSent}), rejected ${JSON.stringify(r.rejected)} in ${r.replies} replies, merged, unanswered (over the reply budget) or dropped by the broker ${r.unanswered}; load ${loadBefore}`,
      );
    }
  }
  const file = join(args.out, 'uns-burst.json');
  writeFileSync(file, JSON.stringify({ node: process.version, cpus: os.cpus().length, results }, null, 2));
  console.log(`written to ${file}`);
}

if (args.child) await child();
else await main();
