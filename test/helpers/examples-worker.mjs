// Child process for test/examples: starts a real Node-RED runtime with TwinFlow installed, deploys each example flow
// it is sent, lets it run briefly, and reports unknown node types and every warning or error logged meanwhile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeRed, unknownTypes } from '../../scripts/runtime.mjs';

const userDir = mkdtempSync(join(tmpdir(), 'twinflow-examples-'));
let logs = [];
const runtime = await startNodeRed({
  userDir,
  editor: false,
  onLog: (entry) => {
    if (entry.level <= 30)
      logs.push({ level: entry.level, msg: String(entry.msg), type: entry.type, id: entry.id });
  },
});

// A first deploy creates the flow and credentials files, so their one-time notices are not blamed on an example.
await runtime.RED.runtime.flows.setFlows({ flows: { flows: [] }, deploymentType: 'full' });
logs = [];

process.on('message', async (request) => {
  if (request.cmd === 'stop') {
    await runtime.stop();
    rmSync(userDir, { recursive: true, force: true });
    process.send({ cmd: 'stopped' }, () => process.exit(0));
    return;
  }
  logs = [];
  const missing = unknownTypes(request.flows);
  // As the editor's import does, flow nodes (those with a position) land on a tab; config nodes stay global.
  const tab = { id: 'example-tab', type: 'tab', label: request.name };
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
process.send({ cmd: 'ready', modules: runtime.RED.runtime.nodes ? true : false });
