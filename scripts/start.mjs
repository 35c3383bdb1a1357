// `npm start`: Node-RED on loopback with TwinFlow's nodes, a user dir inside the project (.userdir, git-ignored),
// twins persisted in a file context store, and the demo flows deployed on first start.
//
// Options: --port N (default 1880), --host H (default 127.0.0.1; anything else requires adminAuth in
// .userdir/settings.js, see README), --fresh (start from the shipped demo flows again).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { freshUserDir, repoRoot, startNodeRed } from './runtime.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '1880' },
    host: { type: 'string', default: '127.0.0.1' },
    fresh: { type: 'boolean', default: false },
  },
});
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

function exampleFlows(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return exampleFlows(path);
      if (!name.endsWith('.json')) return [];
      const label = relative(join(repoRoot, 'examples'), path)
        .replace(/\.json$/, '')
        .replace(/^demo\/\d+ - /, '');
      const tab = `tab-${label.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 40);
      const nodes = JSON.parse(readFileSync(path, 'utf8'));
      return [
        { id: tab, type: 'tab', label, disabled: false, info: '' },
        ...nodes.map((n) => (n.type === 'twin-model' ? n : { ...n, z: tab })),
      ];
    });
}

// The plant's MQTT broker (aedes, in this process) for the UNS bridge; a broker already on the port is used as is.
let mqttBroker;
try {
  const { Aedes } = await import('aedes');
  const { createServer } = await import('node:net');
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(1883, '127.0.0.1', resolve);
  });
  mqttBroker = { aedes, server };
} catch (err) {
  console.warn(
    `MQTT broker not started (${err.code === 'EADDRINUSE' ? 'port 1883 is in use; the demo publishes to what listens there' : err.message})`,
  );
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
if (existing.length === 0) {
  // The demo on first start; every other example is one click away under Import > Examples.
  await runtime.RED.runtime.flows.setFlows({
    flows: { flows: exampleFlows(join(repoRoot, 'examples', 'demo')) },
    deploymentType: 'full',
  });
}
console.log(
  `\nTwinFlow is running: editor at ${runtime.url}/ (open the "twins" tab in the sidebar)\n` +
    `virtual plant PLC: opc.tcp://127.0.0.1:4840/UA/TwinFlow, UNS broker: mqtt://127.0.0.1:1883\n` +
    `Ctrl-C stops it; twins are kept in .userdir\n`,
);

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Node-RED and flushing twin state...`);
  await runtime.stop();
  if (mqttBroker) {
    await new Promise((resolve) => mqttBroker.aedes.close(resolve));
    await new Promise((resolve) => mqttBroker.server.close(resolve));
  }
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
