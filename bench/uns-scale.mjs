// `npm run bench:uns`: twin-uns publishing 10,000 twins x 10 properties (100,000 retained MQTT messages, one topic
// per property) from an embedded Node-RED runtime to a real broker: Debian's mosquitto in its own process when it is
// installed, else aedes in this process. A subscriber on the same broker receives everything back. Reports updates
// per second (injected to received) and the broker round trip (the update's timestamp to its arrival at the
// subscriber), p50 / p99, for QoS 0 and QoS 1. Options: --twins 10000. Writes bench/results/uns-scale.json.
// A benchmark, not a test: nothing asserts a time.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { repoRoot, startNodeRed } from '../scripts/runtime.mjs';

const { values: args } = parseArgs({ options: { twins: { type: 'string', default: '10000' } } });
const TWINS = Number(args.twins);
const PROPS = 10;
const MOSQUITTO = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function startBroker() {
  const port = await freePort();
  if (existsSync(MOSQUITTO)) {
    const dir = mkdtempSync(join(os.tmpdir(), 'twinflow-bench-mosquitto-'));
    writeFileSync(
      join(dir, 'm.conf'),
      `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\nmax_queued_messages 0\n`,
    );
    const child = spawn(MOSQUITTO, ['-c', join(dir, 'm.conf')], { stdio: 'ignore' });
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
      name: 'mosquitto (own process)',
      port,
      stop: async () => {
        child.kill();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    name: 'aedes (in this process)',
    port,
    stop: async () => {
      await new Promise((r) => aedes.close(r));
      await new Promise((r) => server.close(r));
    },
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const broker = await startBroker();
const url = `mqtt://127.0.0.1:${broker.port}`;
console.log(
  `UNS scale: ${TWINS.toLocaleString()} twins x ${PROPS} properties through twin-uns to ${broker.name}`,
);
const userDir = mkdtempSync(join(os.tmpdir(), 'twinflow-bench-uns-'));
const runtime = await startNodeRed({
  userDir,
  editor: false,
  settings: { logging: { console: { level: 'warn', metrics: false, audit: false } } },
});
const { RED } = runtime;
const properties = Array.from({ length: PROPS }, (_, i) => ({ name: `p${i}`, type: 'number', unit: 'degC' }));

const results = [];
for (const qos of [0, 1]) {
  await RED.runtime.flows.setFlows({
    flows: {
      flows: [
        { id: 'tab', type: 'tab', label: 'bench' },
        { id: 'b1', type: 'twin-mqtt-broker', url, protocolVersion: 5, version: 1 },
        {
          id: 'm1',
          type: 'twin-model',
          name: 'Machine',
          properties: JSON.stringify(properties),
          enterprise: 'Acme',
          site: 'Plant1',
          area: 'A',
          line: 'L1',
          cell: '',
          version: 1,
        },
        {
          id: 'u1',
          type: 'twin-uns',
          z: 'tab',
          broker: 'b1',
          model: 'm1',
          qos: String(qos),
          retain: true,
          publishTwin: false,
          commands: false,
          bufferSize: String(TWINS * PROPS * 2),
          layout: 'uns',
          version: 2,
          x: 100,
          y: 100,
          wires: [[]],
        },
      ],
    },
    deploymentType: 'full',
  });
  const subscriber = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
  let received = 0;
  const latencies = [];
  let lastArrival = 0;
  subscriber.on('message', (_topic, payload, packet) => {
    if (packet.retain) return; // retained copies of an earlier round
    const now = Date.now();
    received++;
    lastArrival = performance.now();
    latencies.push(now - JSON.parse(payload.toString()).timestamp);
  });
  await subscriber.subscribeAsync('Acme/#', { qos });
  // Flows start asynchronously after setFlows returns.
  for (let waited = 0; !RED.nodes.getNode('u1'); waited += 50) {
    if (waited > 20000) throw new Error('the benchmark flow did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const uns = RED.nodes.getNode('u1');
  const brokerConnection = RED.nodes.getNode('b1').connection;
  for (let i = 0; i < 200 && !brokerConnection.connected; i++) await new Promise((r) => setTimeout(r, 50));
  if (!brokerConnection.connected) throw new Error('twin-uns did not connect to the broker');
  await new Promise((r) => setTimeout(r, 500));
  const total = TWINS * PROPS;
  const started = performance.now();
  for (let t = 0; t < TWINS; t++) {
    const now = Date.now();
    const payload = {};
    for (let p = 0; p < PROPS; p++)
      payload[`p${p}`] = { value: t + p / 10, quality: 'good', sourceTimestamp: now };
    uns.receive({ topic: `M${String(t).padStart(5, '0')}`, payload });
    if (t % 250 === 249) {
      await new Promise((r) => setImmediate(r));
      if (t % 2500 === 2499)
        process.stdout.write(
          `\r  QoS ${qos}: ${((t + 1) * PROPS).toLocaleString()} published, ${received.toLocaleString()} received`,
        );
    }
  }
  const deadline = Date.now() + 120_000;
  while (received < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const seconds = (lastArrival - started) / 1000;
  latencies.sort((a, b) => a - b);
  const r = {
    qos,
    updates: total,
    received,
    updatesPerSecond: received / seconds,
    roundTripMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) },
    seconds,
  };
  console.log(
    `\r  QoS ${qos}: ${received.toLocaleString()} of ${total.toLocaleString()} received in ${seconds.toFixed(1)} s: ${Math.round(r.updatesPerSecond).toLocaleString()} updates/s, round trip p50 ${r.roundTripMs.p50} ms, p99 ${r.roundTripMs.p99} ms`,
  );
  // Paced: 10,000 updates/s (100 every 10 ms) for 5 s, the round trip when the broker is not saturated.
  latencies.length = 0;
  received = 0;
  const pacedTotal = 50_000;
  for (let sent = 0; sent < pacedTotal; sent += 100) {
    const now = Date.now();
    for (let t = 0; t < 10; t++) {
      const payload = {};
      for (let p = 0; p < PROPS; p++)
        payload[`p${p}`] = { value: sent + t + p / 10, quality: 'good', sourceTimestamp: now };
      uns.receive({ topic: `M${String((sent / 10 + t) % TWINS).padStart(5, '0')}`, payload });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const pacedDeadline = Date.now() + 60_000;
  while (received < pacedTotal && Date.now() < pacedDeadline) await new Promise((r) => setTimeout(r, 100));
  latencies.sort((a, b) => a - b);
  r.paced = {
    rate: 10_000,
    received,
    roundTripMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
  console.log(
    `  QoS ${qos}, paced at 10,000 updates/s: round trip p50 ${r.paced.roundTripMs.p50} ms, p99 ${r.paced.roundTripMs.p99} ms (${received.toLocaleString()} of ${pacedTotal.toLocaleString()} received)`,
  );
  results.push(r);
  await subscriber.endAsync(true);
}
const out = {
  date: new Date().toISOString(),
  node: process.version,
  cores: os.cpus().length,
  broker: broker.name,
  twins: TWINS,
  properties: PROPS,
  rssMb: process.memoryUsage().rss / 2 ** 20,
  results,
};
writeFileSync(join(repoRoot, 'bench', 'results', 'uns-scale.json'), JSON.stringify(out, null, 2) + '\n');
await runtime.stop();
await broker.stop();
rmSync(userDir, { recursive: true, force: true });
process.exit(0);
