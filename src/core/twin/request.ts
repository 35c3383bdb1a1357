import { isPlainObject } from '../envelope';
import { TwinFlowError } from '../errors';
import { TWIN_ACTIONS, type TwinAction } from './actions';
import type { TwinDocument } from './document';
import { historyEntries, type HistoryEntry } from './history';
import { checkClientToken, type OperationOptions } from './operation';
import { safeText } from './sanitize';

/**
 * What a twin-state request message asks for, read and checked here so the node only wires messages: the action,
 * the twin id, the options of a conditional or parented update, and the history window of a `get`.
 */

/** Twin ids are names, not payloads: at most this many characters. */
export const MAX_TWIN_ID_LENGTH = 256;

/**
 * The action: the node's setting, or `msg.action` when the setting is "msg" (report when absent).
 * @example requestedAction('msg', undefined) // => 'report'
 */
export function requestedAction(configured: TwinAction | 'msg', requested: unknown): TwinAction {
  if (configured !== 'msg') return configured;
  const action = requested ?? 'report';
  if (typeof action !== 'string' || !(TWIN_ACTIONS as readonly string[]).includes(action)) {
    throw new TwinFlowError('unknownAction', `msg.action must be one of ${TWIN_ACTIONS.join(', ')}`, {
      action: safeText(action),
    });
  }
  return action as TwinAction;
}

/**
 * A twin id from a message: a non-empty string (or a number, as text) of at most 256 characters.
 * @example checkTwinId(7) // => '7'
 */
export function checkTwinId(id: unknown): string {
  if ((typeof id !== 'string' && typeof id !== 'number') || String(id).trim() === '') {
    throw new TwinFlowError('noTwinId', 'the twin id (msg.topic by default) must be a non-empty string');
  }
  const text = String(id);
  if (text.length > MAX_TWIN_ID_LENGTH)
    throw new TwinFlowError('noTwinId', `the twin id is longer than ${MAX_TWIN_ID_LENGTH} characters`);
  return text;
}

/** The options of an update from `msg.version` (conditional), `msg.clientToken` and `msg.parent`. */
export function requestOptions(
  msg: Record<string, unknown>,
  now: number,
  isProxy?: (value: object) => boolean,
): OperationOptions {
  const options: OperationOptions = { now };
  if (isProxy) options.isProxy = isProxy;
  if (msg.version !== undefined) {
    if (typeof msg.version !== 'number' || !Number.isInteger(msg.version) || msg.version < 0) {
      throw new TwinFlowError('badVersion', 'msg.version must be a non-negative integer');
    }
    options.expectedVersion = msg.version;
  }
  if (msg.clientToken !== undefined) options.clientToken = checkClientToken(msg.clientToken);
  if (msg.parent !== undefined) {
    if (typeof msg.parent !== 'string' || msg.parent === '' || msg.parent.length > MAX_TWIN_ID_LENGTH) {
      throw new TwinFlowError('badParent', 'msg.parent must be a twin id (a non-empty string)');
    }
    options.parent = msg.parent;
  }
  return options;
}

/**
 * The history a `get` asks for with `msg.history`: `true` for all, or `{from?, to?, properties?}`.
 * @example requestedHistory(undefined, true) // => {}
 */
export function requestedHistory(
  doc: TwinDocument | undefined,
  request: unknown,
): Record<string, HistoryEntry[]> {
  if (!doc) return {};
  const spec = isPlainObject(request) ? request : {};
  const from = typeof spec.from === 'number' ? spec.from : -Infinity;
  const to = typeof spec.to === 'number' ? spec.to : Infinity;
  const names = Array.isArray(spec.properties) ? spec.properties.map(String) : Object.keys(doc.history);
  const out: Record<string, HistoryEntry[]> = {};
  for (const name of names) {
    const ring = Object.prototype.hasOwnProperty.call(doc.history, name) ? doc.history[name] : undefined;
    if (ring) out[name] = historyEntries(ring, from, to);
  }
  return out;
}
