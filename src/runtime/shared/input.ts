import { types } from 'node:util';
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { isTwinFlowError } from '../../core/errors';
import { toPlainData, UNCOPYABLE_PROBLEMS } from '../../core/plain-data';
import { toNodeError } from './i18n';
import type { MaybePromise } from './maybe-promise';

export type Send = (msg: OutgoingMessages) => void;
export type OutgoingMessages = NodeMessageInFlow | null | (NodeMessageInFlow | NodeMessageInFlow[] | null)[];
export type Done = (err?: Error) => void;
export type InputMessage = NodeMessageInFlow & Record<string, unknown>;

/**
 * The one place where a TwinFlow node's input handler meets Node-RED's (msg, send, done) contract.
 *
 * Every failure, thrown or rejected, ends in `done(err)` so Catch nodes see it, and `onError` shows it in the node's
 * status. The handler keeps arity 3 so the runtime counts completions (Complete nodes work).
 * Messages are processed in arrival order: an async handler (context stores may be async) must not let a later
 * message overtake an earlier one for the same twin, so calls are chained on a per-node promise.
 */
export function handleInput(
  RED: NodeAPI,
  node: Node,
  namespace: string,
  handler: (msg: InputMessage, send: Send) => MaybePromise<void>,
  /** Shows the failure in the node's status (usually the node's `statusFor(...).error`). */
  onError: (error: Error) => void,
): (msg: NodeMessageInFlow, send: Send, done: Done) => void {
  // The tail of this node's queue of unfinished asynchronous messages; undefined when none is pending, and then a
  // message is handled synchronously, start to finish.
  let tail: Promise<void> | undefined;
  const fail = (err: unknown, done: Done, msg: NodeMessageInFlow): void => {
    dropUncopyable(err, msg);
    const error = toNodeError(RED, namespace, err);
    onError(error);
    done(error);
  };
  // Read at each send: a deploy that changes only the wiring updates a running node's wires (Node.updateWires).
  const wired = node as unknown as { wires?: readonly (readonly string[])[] };
  const run = (msg: NodeMessageInFlow, send: Send, done: Done): Promise<void> | undefined => {
    let result: MaybePromise<void>;
    try {
      result = handler(msg as InputMessage, (msgs) => {
        if (reachesAWire(wired.wires, msgs)) send(msgs);
      });
    } catch (err) {
      fail(err, done, msg);
      return undefined;
    }
    if (!(result instanceof Promise)) {
      done();
      return undefined;
    }
    return result.then(
      () => done(),
      (err: unknown) => fail(err, done, msg),
    );
  };
  return (msg, send, done) => {
    const current = tail ? tail.then(() => run(msg, send, done)) : run(msg, send, done);
    if (!current) return;
    tail = current;
    const clear = (): void => {
      if (tail === current) tail = undefined;
    };
    // run() ends every message in done(); should done() itself throw, the log says so rather than the process dying.
    current.then(clear, (err: unknown) => {
      clear();
      node.error(err);
    });
  };
}

/**
 * Whether sending `msgs` would deliver anything: a message on an output with at least one wire. Node-RED's send of
 * nothing is not free (it draws a random message id and logs a metric event), and twin-state answers every report
 * on outputs that are often left unwired, so such a send is skipped. Without the node's wires, it is sent.
 */
export function reachesAWire(
  wires: readonly (readonly string[])[] | undefined,
  msgs: OutgoingMessages | undefined,
): boolean {
  if (msgs === null || msgs === undefined) return false;
  if (wires === undefined) return true;
  const outputs = Array.isArray(msgs) ? msgs : [msgs];
  for (let i = 0; i < outputs.length && i < wires.length; i++) {
    const m = outputs[i];
    if (m !== null && m !== undefined && !(Array.isArray(m) && m.length === 0) && wires[i].length > 0)
      return true;
  }
  return false;
}

/**
 * Node-RED copies a message for its Catch nodes; a value that cannot be copied (a throwing getter or Proxy trap,
 * nesting thousands deep) would make that copy throw, and the error would reach no Catch node. Whatever the error,
 * such a value in msg.payload, or in the property a refusal names, is replaced by a note, so Catch still gets the
 * message. Only on the error path: it costs one walk of the payload there.
 */
function dropUncopyable(err: unknown, msg: NodeMessageInFlow): void {
  const record = msg as Record<string, unknown>;
  const named =
    isTwinFlowError(err) && typeof err.details.path === 'string'
      ? /^msg\.([A-Za-z_$][\w$]*)/.exec(err.details.path)?.[1]
      : undefined;
  for (const property of new Set(['payload', ...(named ? [named] : [])])) {
    try {
      toPlainData(record[property], `msg.${property}`, COPYABLE);
    } catch (refusal) {
      if (
        !isTwinFlowError(refusal) ||
        !(UNCOPYABLE_PROBLEMS as readonly unknown[]).includes(refusal.details.reason)
      )
        continue;
      record[property] = `[refused: ${refusal.message}]`;
    }
  }
}

/** What a recursive copy survives: anything but Proxies, accessors and deep nesting (no size limits here). */
const COPYABLE = {
  isProxy: types.isProxy,
  maxDepth: 64,
  maxSize: Infinity,
  maxStringLength: Infinity,
  forbiddenKeys: [],
};
