import helper from 'node-red-node-test-helper';
import type { Node, NodeInitializer } from 'node-red';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Shared set-up for tests that run the BUILT nodes (nodes/*.js) in a real Node-RED runtime through
 * node-red-node-test-helper.
 */
// TWINFLOW_NODE_RED points the same tests at another Node-RED install (the Node-RED 5 compatibility pass).
const nodeRedEntry = require.resolve(process.env.TWINFLOW_NODE_RED ?? 'node-red');
helper.init(nodeRedEntry);

/** Node-RED's context module, from the same install the helper runs (for named context stores in tests). */
export interface ContextModule {
  load(): Promise<void>;
  close(): Promise<void>;
}
export const runtimeContext = createRequire(nodeRedEntry)(
  '@node-red/runtime/lib/nodes/context',
) as ContextModule;

export { helper };

export const NODES_DIR = join(__dirname, '..', '..', 'nodes');

export const loadNode = (type: string): NodeInitializer =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(NODES_DIR, `${type}.js`)) as NodeInitializer;

/** A flow for helper.load / setFlows (the helper's typing wants its own item type). */
export type TestFlow = Parameters<typeof helper.load>[1];

/** Runtime settings for the next load (the helper's typing knows only Node-RED's own settings). */
export function useSettings(settings: Record<string, unknown>): void {
  helper.settings(settings as Parameters<typeof helper.settings>[0]);
}

export type AnyMessage = Record<string, unknown> & { payload?: unknown; topic?: string };

/** Resolves with the next message a helper node receives, or rejects after `ms` (so a failure is a failure, not a hang). */
export function nextMessage(node: Node, ms = 2000): Promise<AnyMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message on ${node.id} within ${ms} ms`)), ms);
    node.once('input', (msg: AnyMessage) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Collects every message a helper node receives. */
export function collect(node: Node): AnyMessage[] {
  const seen: AnyMessage[] = [];
  node.on('input', (msg: AnyMessage) => seen.push(msg));
  return seen;
}

/** The status a node set last (the test helper spies on `status`), or undefined before the first. */
export function lastStatus(n: Node): { fill?: string; shape?: string; text?: string } | undefined {
  return (n.status as unknown as { lastCall?: { args: [{ fill?: string; shape?: string; text?: string }] } })
    .lastCall?.args[0];
}

/** Waits until `check` returns true, polling; rejects after `ms`. For asynchronous effects without a message. */
export async function waitFor(check: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets the runtime process what was sent so far (message delivery is asynchronous). */
export const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A Catch and a Complete node scoped to `target`, feeding helper nodes `caught` and `completed` (see sendAndWait). */
export function finishNodes(target: string, tab = 'f1'): object[] {
  return [
    { id: 'c1', type: 'catch', z: tab, scope: [target], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: tab },
    { id: 'k1', type: 'complete', z: tab, scope: [target], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', z: tab },
  ];
}

/**
 * Sends a message to `target` and waits until the node has finished with it: Complete (done()) or Catch
 * (done(err)). Needs finishNodes(target) in the flow. Rejects after `ms` with the message, so a hang fails.
 */
export async function sendAndWait(target: string, msg: AnyMessage, ms = 5000): Promise<void> {
  const completed = helper.getNode('completed') as Node;
  const caught = helper.getNode('caught') as Node;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${target} never completed nor reported an error for ${summarize(msg)}`)),
      ms,
    );
    const finish = (): void => {
      clearTimeout(timer);
      completed.off('input', finish);
      caught.off('input', finish);
      resolve();
    };
    completed.on('input', finish);
    caught.on('input', finish);
    (helper.getNode(target) as Node).receive(msg as never);
  });
  await settle(2); // outputs were sent before done(); let their delivery finish
}

function summarize(msg: unknown): string {
  try {
    return JSON.stringify(msg, (_k, v: unknown) =>
      typeof v === 'string' && v.length > 50 ? `${v.slice(0, 20)}…(${v.length})` : v,
    ).slice(0, 300);
  } catch {
    return 'a message with a circular payload';
  }
}

const runtimeFlows = (
  helper as unknown as { _redNodes: { startFlows(): Promise<void>; stopFlows(): Promise<void> } }
)._redNodes;

/**
 * Starts the loaded flows as a real runtime does, with the configured context stores open. helper.load()
 * re-initialises context with memory only, so the stores are loaded here and the flows restarted on top of them.
 */
export async function startWithStores(): Promise<void> {
  await runtimeContext.load();
  await runtimeFlows.stopFlows();
  await runtimeFlows.startFlows();
}

/**
 * Stops the flows and closes the stores (the file store flushes), as a clean runtime stop does. Not
 * helper.unload(): that also wipes every node's context, which a real stop never does.
 */
export async function stopWithStores(): Promise<void> {
  await runtimeFlows.stopFlows();
  await runtimeContext.close();
}
