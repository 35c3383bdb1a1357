// Starts a real Node-RED runtime embedded in this process, with TwinFlow's built nodes installed into its user dir
// the way npm would (a link at <userDir>/node_modules/@twinflow/node-red-digital-twin). Used by `npm start`, by the
// example and browser tests (in a child process, so they never share Node-RED's module singletons with the test
// helper) and by the benchmarks.
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = require(join(repoRoot, 'package.json'));
// TWINFLOW_NODE_RED points at another Node-RED install (the Node-RED 5 compatibility pass); Node-RED's own modules
// (its registry, its express) are then taken from beside it.
const nodeRedEntry = require.resolve(process.env.TWINFLOW_NODE_RED ?? 'node-red');
const redRequire = createRequire(nodeRedEntry);

/** Links the package into a user dir so Node-RED's module scan finds it as an installed module. */
export function installInto(userDir) {
  const target = join(userDir, 'node_modules', ...pkg.name.split('/'));
  mkdirSync(dirname(target), { recursive: true });
  if (!existsSync(target)) symlinkSync(repoRoot, target, 'dir');
  if (!existsSync(join(userDir, 'package.json'))) {
    writeFileSync(
      join(userDir, 'package.json'),
      JSON.stringify({ name: 'twinflow-userdir', private: true }, null, 2),
    );
  }
}

/**
 * @param {object} options
 * @param {string} options.userDir
 * @param {number} [options.port] 0 for an ephemeral port
 * @param {string} [options.host]
 * @param {boolean} [options.editor] serve the editor and admin API (default true)
 * @param {(entry: {level: number, msg: string, type?: string, id?: string}) => void} [options.onLog]
 * @param {object} [options.settings] extra Node-RED settings
 */
export async function startNodeRed({
  userDir,
  port = 0,
  host = '127.0.0.1',
  editor = true,
  onLog,
  settings = {},
}) {
  installInto(userDir);
  const RED = require(nodeRedEntry);
  const express = redRequire('express');
  const app = express();
  const server = http.createServer(app);
  const logging = {
    console: {
      level: process.env.TWINFLOW_LOG_LEVEL ?? (onLog ? 'off' : 'info'),
      metrics: false,
      audit: false,
    },
  };
  if (onLog) {
    logging.capture = {
      level: 'debug',
      metrics: false,
      audit: false,
      handler: () => (entry) => onLog(entry),
    };
  }
  RED.init(server, {
    userDir,
    flowFile: 'flows.json',
    uiHost: host,
    uiPort: port,
    httpAdminRoot: editor ? '/' : false,
    httpNodeRoot: '/',
    credentialSecret: 'twinflow-local',
    logging,
    editorTheme: { tours: false, projects: { enabled: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    externalModules: {
      autoInstall: false,
      palette: { allowInstall: false },
      modules: { allowInstall: false },
    },
    ...settings,
  });
  if (editor) app.use('/', RED.httpAdmin);
  app.use('/', RED.httpNode);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await RED.start();
  const address = server.address();
  return {
    RED,
    server,
    url: `http://${host}:${address.port}`,
    port: address.port,
    async stop() {
      await RED.stop();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Node types that a flow uses but the runtime does not know. */
export function unknownTypes(flows) {
  const structural = new Set(['tab', 'subflow', 'group', 'junction']);
  const registry = redRequire('@node-red/registry');
  return [
    ...new Set(
      flows
        .map((n) => n.type)
        .filter((type) => !structural.has(type) && !type.startsWith('subflow:') && !registry.get(type)),
    ),
  ];
}

export function freshUserDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
