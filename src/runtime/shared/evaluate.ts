import type { Node, NodeAPI, NodeMessage } from 'node-red';

/**
 * RED.util.evaluateNodeProperty in its callback form, promisified once: JSONata (since JSONata 2) and async
 * context stores fail or misbehave without the callback, on Node-RED 4 and 5 alike.
 */
export function evaluateProperty(
  RED: NodeAPI,
  value: string,
  type: string,
  node: Node,
  msg: NodeMessage,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(value, type, node, msg, (err: Error | null | undefined, result: unknown) =>
      err ? reject(err) : resolve(result),
    );
  });
}
