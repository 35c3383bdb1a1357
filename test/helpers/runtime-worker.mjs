// Child process that runs a real Node-RED runtime with TwinFlow installed as a module in a temporary user dir, so
// tests never share Node-RED's module singletons with node-red-node-test-helper. Driven over IPC:
//   -> {cmd:'deploy', name, flows, runMs}  <- {cmd:'result', missing, notStarted, deployError, logs}
//   -> {cmd:'deployDemo', speed, opcuaPort, mqttPort, staleScale, disabled, deploymentType}
//                                           <- {cmd:'result', ...}: the demo flows as npm start deploys them, with
//      every staleness multiplied by staleScale, the nodes whose ids are in `disabled` disabled, deployed 'full' or
//      (as the editor's default deploy does) 'nodes': only what changed restarts
//   -> {cmd:'watch', ids}                    <- {cmd:'watching'}: record what these nodes send from now on
//   -> {cmd:'sent'}                          <- {cmd:'sent', sent: [{id, port, topic, payload, time}]}, then forgets
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
  if (request.cmd === 'watch') {
    watched = new Set(request.ids);
    sent = [];
    process.send({ cmd: 'watching' });
    return;
  }
  if (request.cmd === 'sent') {
    process.send({ cmd: 'sent', sent });
    sent = [];
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
    const disabled = new Set(request.disabled ?? []);
    const flows = demoFlows({
      speed: request.speed ?? 1,
      opcuaPort: request.opcuaPort,
      mqttPort: request.mqttPort,
    }).map((n) => withStaleScale(disabled.has(n.id) ? { ...n, d: true } : n, request.staleScale ?? 1));
    let deployError;
    try {
      await runtime.RED.runtime.flows.setFlows({
        flows: { flows },
        deploymentType: request.deploymentType ?? 'full',
      });
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
/** The demo's twin models with every staleness (per property and the model's default) multiplied by `scale`. */
function withStaleScale(node, scale) {
  if (node.type !== 'twin-model' || scale === 1) return node;
  const properties = JSON.parse(node.properties).map((p) =>
    p.staleAfter ? { ...p, staleAfter: Math.round(p.staleAfter * scale) } : p,
  );
  return {
    ...node,
    properties: JSON.stringify(properties),
    staleAfter: String(Math.round(Number(node.staleAfter) * scale)),
  };
}

// What watched nodes send, recorded through Node-RED's own message hooks.
let watched = new Set();
let sent = [];
runtime.RED.hooks.add('onSend.twinflowTest', (events) => {
  for (const e of events) {
    const id = e.source?.node?.id;
    if (!watched.has(id)) continue;
    // A message wired to several nodes is one send event per wire: keep the one to the port's first wire.
    if (e.destination?.id !== e.source.node.wires?.[e.source.port]?.[0]) continue;
    sent.push({ id, port: e.source.port, topic: e.msg.topic, payload: e.msg.payload, time: Date.now() });
  }
});

process.send({ cmd: 'ready', url: runtime.url });
