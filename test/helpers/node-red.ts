import helper from 'node-red-node-test-helper';
import type { Node } from 'node-red';
import { join } from 'node:path';

/**
 * Shared set-up for tests that run the BUILT nodes (nodes/*.js) in a real Node-RED runtime through
 * node-red-node-test-helper.
 */
helper.init(require.resolve('node-red'));

export { helper };

export const NODES_DIR = join(__dirname, '..', '..', 'nodes');

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const loadNode = (type: string): unknown => require(join(NODES_DIR, `${type}.js`));

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
