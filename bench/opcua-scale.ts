// `npm run bench:opcua`: twin-opcua-map with 10,000 monitored items on ONE session at 1 s sampling, in an embedded
// Node-RED runtime, against a node-opcua server in another process whose 10,000 values all change every second.
// Reports the client process's CPU share of one core, updates per second, RSS, and two latencies:
//   - processing: from the arrival of a PublishResponse at the client to twin-opcua-map's message for the twin
//     (what TwinFlow adds; target p99 under 100 ms);
//   - age: from the server's source timestamp to that message (adds the sampling and publishing intervals the user
//     chose, up to 2 s at 1 s/1 s, by the protocol's design).
// A benchmark, not a test: nothing asserts a time. Options: --items 10000 --seconds 30. Writes bench/results/opcua-scale.json.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PLANT_NAMESPACE } from '../test/helpers/opcua-server';
import { runServer } from './opcua/server';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '30' },
    server: { type: 'boolean', default: false },
  },
});
const PUMPS = Math.ceil(Number(args.items) / 4);
const ITEMS = PUMPS * 4;
const SECONDS = Number(args.seconds);

if (args.server) {
  await runServer(PUMPS);
} else {
  await runClient();
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runClient(): Promise<void> {
  const repoRoot = join(import.meta.dirname, '..', '..');
  const { startNodeRed } = (await import(join(repoRoot, 'scripts', 'runtime.mjs'))) as {
    startNodeRed: (o: object) => Promise<{ RED: RedApi; stop: () => Promise<void> }>;
  };
  console.log(`OPC UA scale: ${ITEMS.toLocaleString()} monitored items (${PUMPS} twins x 4) at 1 s sampling`);
  const server = fork(process.argv[1], ['--server', '--items', String(ITEMS)], { stdio: 'inherit' });
  const url = await new Promise<string>((resolve) =>
    server.once('message', (m: { url: string }) => resolve(m.url)),
  );

  // The arrival time of each PublishResponse at the client, from node-opcua's own subscription (same module
  // instance as the one twin-opcua-map's bundle requires).
  const require = createRequire(join(repoRoot, 'package.json'));
  const impl = require('node-opcua-client/dist/private/client_subscription_impl.js') as {
    ClientSubscriptionImpl: { prototype: { onNotificationMessage: (m: unknown) => void } };
  };
  let lastArrival = 0;
  const original = impl.ClientSubscriptionImpl.prototype.onNotificationMessage;
  impl.ClientSubscriptionImpl.prototype.onNotificationMessage = function (this: unknown, m: unknown) {
    lastArrival = performance.now();
    return original.call(this, m);
  };

  const userDir = mkdtempSync(join(os.tmpdir(), 'twinflow-bench-opcua-'));
  const runtime = await startNodeRed({
    userDir,
    editor: false,
    settings: { logging: { console: { level: 'warn', metrics: false, audit: false } } },
  });
  const { RED } = runtime;
  let measuring = false;
  let updates = 0;
  let messages = 0;
  const processing: number[] = [];
  const age: number[] = [];
  const twinsSeen = new Set<string>();
  RED.hooks.add('onSend.bench', (events: SendEvent[]) => {
    const now = performance.now();
    const wall = Date.now();
    for (const e of events) {
      if (e.source.id !== 'map') continue;
      twinsSeen.add(String(e.msg.topic));
      if (!measuring) continue;
      messages++;
      processing.push(now - lastArrival);
      for (const sample of Object.values(e.msg.payload as Record<string, { sourceTimestamp?: number }>)) {
        updates++;
        if (typeof sample.sourceTimestamp === 'number') age.push(wall - sample.sourceTimestamp);
      }
    }
  });
  const mapping = {
    namespace: PLANT_NAMESPACE,
    properties: [
      { property: 'speed', browsePath: 'Speed', samplingInterval: 1000 },
      { property: 'temperature', browsePath: 'Temperature', samplingInterval: 1000 },
      { property: 'level', browsePath: 'RawLevel', samplingInterval: 1000 },
      { property: 'state', browsePath: 'State', samplingInterval: 1000 },
    ],
    instances: Array.from({ length: PUMPS }, (_, i) => {
      const name = `Pump${String(i + 1).padStart(2, '0')}`;
      return { twin: name, root: name };
    }),
  };
  const started = Date.now();
  await RED.runtime.flows.setFlows({
    flows: {
      flows: [
        { id: 'tab', type: 'tab', label: 'bench' },
        {
          id: 'ep',
          type: 'twin-opcua-endpoint',
          url,
          securityMode: 'None',
          securityPolicy: 'None',
          version: 1,
        },
        // Wired to an inactive debug node: Node-RED raises send events (and their hooks) only for wired outputs.
        {
          id: 'map',
          type: 'twin-opcua-map',
          z: 'tab',
          endpoint: 'ep',
          mapping: JSON.stringify(mapping),
          version: 1,
          x: 100,
          y: 100,
          wires: [['sink'], []],
        },
        {
          id: 'sink',
          type: 'debug',
          z: 'tab',
          active: false,
          tosidebar: true,
          complete: 'false',
          x: 300,
          y: 100,
          wires: [],
        },
      ],
    },
    deploymentType: 'full',
  });
  while (twinsSeen.size < PUMPS) {
    await new Promise((r) => setTimeout(r, 500));
    process.stdout.write(`\r  subscribing: ${twinsSeen.size}/${PUMPS} twins have values`);
    if (Date.now() - started > 120_000) throw new Error('the items did not all report within 2 minutes');
  }
  const subscribeSeconds = (Date.now() - started) / 1000;
  console.log(`\r  subscribed and first values of ${PUMPS} twins in ${subscribeSeconds.toFixed(1)} s      `);
  await new Promise((r) => setTimeout(r, 3000)); // settle: the initial read is over
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 5; s <= SECONDS; s += 5) {
    await new Promise((r) => setTimeout(r, 5000));
    process.stdout.write(`\r  measuring: ${s}/${SECONDS} s, ${updates.toLocaleString()} updates`);
  }
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  measuring = false;
  const rss = process.memoryUsage().rss;
  processing.sort((a, b) => a - b);
  age.sort((a, b) => a - b);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cores: os.cpus().length,
    items: ITEMS,
    twins: PUMPS,
    samplingMs: 1000,
    seconds: wallMs / 1000,
    subscribeSeconds,
    cpuShareOfOneCore: (cpu.user + cpu.system) / 1000 / wallMs,
    updatesPerSecond: updates / (wallMs / 1000),
    messagesPerSecond: messages / (wallMs / 1000),
    processingMs: {
      p50: percentile(processing, 50),
      p99: percentile(processing, 99),
      max: processing.at(-1),
    },
    ageMs: { p50: percentile(age, 50), p99: percentile(age, 99), max: age.at(-1) },
    rssMb: rss / 2 ** 20,
  };
  console.log('\n');
  console.table({
    'CPU share of one core (client process)': `${(result.cpuShareOfOneCore * 100).toFixed(1)} %`,
    'updates per second': Math.round(result.updatesPerSecond).toLocaleString(),
    'twin messages per second': Math.round(result.messagesPerSecond).toLocaleString(),
    'processing latency p50 / p99': `${result.processingMs.p50.toFixed(1)} / ${result.processingMs.p99.toFixed(1)} ms`,
    'source-to-twin age p50 / p99': `${result.ageMs.p50.toFixed(0)} / ${result.ageMs.p99.toFixed(0)} ms`,
    'client RSS': `${result.rssMb.toFixed(0)} MB`,
  });
  writeFileSync(
    join(repoRoot, 'bench', 'results', 'opcua-scale.json'),
    JSON.stringify(result, null, 2) + '\n',
  );
  await runtime.stop();
  rmSync(userDir, { recursive: true, force: true });
  server.send({ cmd: 'stop' });
  await new Promise((r) => server.once('exit', r));
}

interface SendEvent {
  msg: { topic?: unknown; payload?: unknown };
  source: { id: string };
}
interface RedApi {
  hooks: { add: (name: string, fn: (events: SendEvent[]) => void) => void };
  runtime: { flows: { setFlows: (o: object) => Promise<unknown> } };
}
