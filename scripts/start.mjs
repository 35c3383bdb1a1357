// `npm start`: Node-RED on loopback with TwinFlow's nodes, a user dir inside the project (.userdir, git-ignored),
// twins persisted in a file context store, and the demo flows deployed on first start.
//
// Options: --port N (default 1880), --host H (default 127.0.0.1; anything else requires adminAuth in
// .userdir/settings.js, see README), --fresh (start from the shipped demo flows again), --speed X (the virtual plant
// runs X times faster than real time), --seed N (another run of the plant's random faults and noise), --opcua-port N
// (the virtual plant's OPC UA server, default 4840), --mqtt-port N (the UNS broker, default 1883). A port in use is one
// line naming the option that moves it.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
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
    'opcua-port': { type: 'string' },
    'mqtt-port': { type: 'string' },
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
/** A port option's value, or exit with one line naming the option. */
function portOption(name, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`--${name} must be a port number (1 to 65535), got ${text}`);
    process.exit(2);
  }
  return n;
}
const port = portOption('port', values.port);
const opcuaPort = portOption('opcua-port', values['opcua-port'] ?? '4840');
const mqttPort = portOption('mqtt-port', values['mqtt-port'] ?? '1883');

/** Whether something already listens on the port (binding it fails with EADDRINUSE). */
function inUse(p, host) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
    probe.listen(p, host, () => probe.close(() => resolve(false)));
  });
}
// Checked before anything starts, so a busy port is one clear line, not a stack trace from deep inside a node.
for (const [p, host, option, what] of [
  [port, values.host, 'port', 'the Node-RED editor'],
  [opcuaPort, '127.0.0.1', 'opcua-port', "the virtual plant's OPC UA server"],
]) {
  if (await inUse(p, host)) {
    console.error(
      `Port ${p} on ${host} (${what}) is already in use: stop what uses it, or run npm start -- --${option} ${p + 1}`,
    );
    process.exit(1);
  }
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
  mqttBroker = await startLoopbackBroker(mqttPort);
  if (!mqttBroker)
    console.warn(
      `Port ${mqttPort} (MQTT) is in use: the demo publishes to the broker already there; --mqtt-port ${mqttPort + 1} starts its own`,
    );
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
const redeploy = ['speed', 'seed', 'opcua-port', 'mqtt-port'].some((o) => values[o] !== undefined);
if (existing.length === 0 || redeploy) {
  // The demo on first start, or again with another speed, seed or port (other tabs the user added are kept); every
  // other example is one click away under Import > Examples.
  const demo = demoIds();
  await runtime.RED.runtime.flows.setFlows({
    flows: {
      flows: [...existing.filter((n) => !demo.has(n.id)), ...demoFlows({ speed, seed, opcuaPort, mqttPort })],
    },
    deploymentType: 'full',
  });
}
console.log(
  `\nTwinFlow is running: editor at ${runtime.url}/ (open the "twins" tab in the sidebar), dashboard at ${runtime.url}/dashboard\n` +
    (speed !== 1 ? `the virtual plant runs at ${speed}x real time\n` : '') +
    `virtual plant PLC: opc.tcp://127.0.0.1:${opcuaPort}/UA/TwinFlow, UNS broker: mqtt://127.0.0.1:${mqttPort}\n` +
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
