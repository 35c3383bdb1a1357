// `npm start`: Node-RED on loopback with TwinFlow's nodes, a user dir inside the project (.userdir, git-ignored),
// twins persisted in a file context store, and the demo flows deployed on first start.
//
// Options: --port N (default 1880), --host H (default 127.0.0.1; anything else requires adminAuth in
// .userdir/settings.js, see README), --fresh (start from the shipped demo flows again), --speed X (the virtual plant
// runs X times faster than real time), --seed N (another run of the plant's random faults and noise).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { startLoopbackBroker } from './broker.mjs';
import { demoFlows, demoIds } from './demo.mjs';
import { freshUserDir, repoRoot, startNodeRed } from './runtime.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '1880' },
    host: { type: 'string', default: '127.0.0.1' },
    fresh: { type: 'boolean', default: false },
    speed: { type: 'string' },
    seed: { type: 'string' },
  },
});
const speed = Number(values.speed ?? 1);
const seed = Number(values.seed ?? 0);
if (!(speed > 0 && speed <= 100)) {
  console.error(`--speed must be a number above 0 and at most 100, got ${values.speed}`);
  process.exit(2);
}
if (!Number.isInteger(seed)) {
  console.error(`--seed must be an integer, got ${values.seed}`);
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
const loopback = ['127.0.0.1', 'localhost', '::1'].includes(values.host);
const userDir = join(repoRoot, '.userdir');
if (values.fresh) freshUserDir(userDir);
const settingsFile = join(userDir, 'settings.js');
const userSettings = existsSync(settingsFile) ? (await import(settingsFile)).default : {};
if (!loopback && !userSettings.adminAuth) {
  console.error(
    `Refusing to bind the editor to ${values.host} without adminAuth: anyone on the network could deploy code.\n` +
      `Add adminAuth to ${relative(process.cwd(), settingsFile)} (see README, "Binding beyond loopback").`,
  );
  process.exit(2);
}

// The plant's MQTT broker (aedes, in this process) for the UNS bridge; a broker already on the port is used as is.
let mqttBroker;
try {
  mqttBroker = await startLoopbackBroker(1883);
  if (!mqttBroker)
    console.warn('MQTT broker not started: port 1883 is in use; the demo publishes to what listens there');
} catch (err) {
  console.warn(`MQTT broker not started (${err.message})`);
}

let runtime;
try {
  runtime = await startNodeRed({
    userDir,
    port,
    host: values.host,
    settings: {
      contextStorage: {
        default: { module: 'localfilesystem', config: { flushInterval: 5 } },
        memory: { module: 'memory' },
      },
      ...userSettings,
    },
  });
} catch (err) {
  if (err?.code === 'EADDRINUSE') {
    console.error(
      `Port ${port} on ${values.host} is already in use. Stop what uses it, or run: npm start -- --port ${port + 1}`,
    );
    process.exit(1);
  }
  throw err;
}

const flowsFile = join(userDir, 'flows.json');
const existing = existsSync(flowsFile) ? JSON.parse(readFileSync(flowsFile, 'utf8')) : [];
if (existing.length === 0 || values.speed !== undefined || values.seed !== undefined) {
  // The demo on first start, or again with another speed or seed (other tabs the user added are kept); every other
  // example is one click away under Import > Examples.
  const demo = demoIds();
  await runtime.RED.runtime.flows.setFlows({
    flows: { flows: [...existing.filter((n) => !demo.has(n.id)), ...demoFlows({ speed, seed })] },
    deploymentType: 'full',
  });
}
console.log(
  `\nTwinFlow is running: editor at ${runtime.url}/ (open the "twins" tab in the sidebar), dashboard at ${runtime.url}/dashboard\n` +
    (speed !== 1 ? `the virtual plant runs at ${speed}x real time\n` : '') +
    `virtual plant PLC: opc.tcp://127.0.0.1:4840/UA/TwinFlow, UNS broker: mqtt://127.0.0.1:1883\n` +
    `Ctrl-C stops it; twins are kept in .userdir\n`,
);

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Node-RED and flushing twin state...`);
  await runtime.stop();
  await mqttBroker?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
