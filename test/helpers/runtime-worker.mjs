// Child process that runs a real Node-RED runtime with TwinFlow installed as a module in a temporary user dir, so
// tests never share Node-RED's module singletons with node-red-node-test-helper. Driven over IPC:
//   -> {cmd:'deploy', name, flows, runMs}  <- {cmd:'result', missing, notStarted, deployError, logs}
//   -> {cmd:'deployDemo', speed}             <- {cmd:'result', ...}: the demo flows as npm start deploys them
//   -> {cmd:'loopDelay'}                    <- {cmd:'loopDelay', maxMs}: the longest event-loop stall since the last call
//   -> {cmd:'stop'}                         <- {cmd:'stopped'}
// On start it sends {cmd:'ready', url}. Options come as JSON in argv[2]: {editor}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { demoFlows } from '../../scripts/demo.mjs';
import { startNodeRed, unknownTypes } from '../../scripts/runtime.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
// Measured inside the runtime's own process: a stall here is what every flow and the editor would feel.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const userDir = mkdtempSync(join(tmpdir(), 'twinflow-runtime-'));
let logs = [];
const runtime = await startNodeRed({
  userDir,
  editor: options.editor ?? false,
  onLog: (entry) => {
    if (entry.level <= 30)
      logs.push({ level: entry.level, msg: String(entry.msg), type: entry.type, id: entry.id });
  },
});
// A first deploy creates the flow and credentials files, so their one-time notices are not blamed on a test's flow.
await runtime.RED.runtime.flows.setFlows({ flows: { flows: [] }, deploymentType: 'full' });
logs = [];

process.on('message', async (request) => {
  if (request.cmd === 'stop') {
    await runtime.stop();
    rmSync(userDir, { recursive: true, force: true });
    process.send({ cmd: 'stopped' }, () => process.exit(0));
    return;
  }
  if (request.cmd === 'loopDelay') {
    process.send({ cmd: 'loopDelay', maxMs: loopDelay.max / 1e6 });
    loopDelay.reset();
    return;
  }
  if (request.cmd === 'logs') {
    process.send({ cmd: 'logs', logs });
    logs = [];
    return;
  }
  logs = [];
  if (request.cmd === 'deployDemo') {
    // The demo exactly as `npm start` deploys it (its own tabs), at the given plant speed.
    const flows = demoFlows({ speed: request.speed ?? 1 });
    let deployError;
    try {
      await runtime.RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' });
    } catch (err) {
      deployError = String(err?.message ?? err);
    }
    process.send({
      cmd: 'result',
      name: 'demo',
      missing: unknownTypes(flows),
      notStarted: [],
      deployError,
      logs,
    });
    return;
  }
  const missing = unknownTypes(request.flows);
  // As the editor's import does, flow nodes (those with a position) land on a tab; config nodes stay global.
  const tab = { id: 'test-tab', type: 'tab', label: request.name };
  const flows = [tab, ...request.flows.map((n) => ('x' in n && 'y' in n ? { ...n, z: tab.id } : n))];
  let deployError;
  let notStarted = [];
  try {
    await runtime.RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' });
    await new Promise((r) => setTimeout(r, request.runMs ?? 1500));
    notStarted = request.flows
      .filter((n) => n.type !== 'comment' && !runtime.RED.nodes.getNode(n.id))
      .map((n) => `${n.type} ${n.id}`);
  } catch (err) {
    deployError = String(err?.message ?? err);
  }
  process.send({ cmd: 'result', name: request.name, missing, notStarted, deployError, logs });
});
process.send({ cmd: 'ready', url: runtime.url });
