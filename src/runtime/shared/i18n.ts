import type { NodeAPI } from 'node-red';
import { isTwinFlowError } from '../../core/errors';

/**
 * Translates `<namespace>.<key>` through the node's message catalogue, falling back to `fallback` when the
 * catalogue has no entry (RED._ then returns the key itself, which is also what the test helper's identity
 * RED._ does, so tests read the English text built in src/core).
 */
export function translate(
  RED: NodeAPI,
  key: string,
  fallback: string,
  details: Record<string, string | number | boolean> = {},
): string {
  const text = RED._(key, details as Record<string, string | number>);
  return text === key || text === '' ? fallback : text;
}

/** An Error for done(err): translated message, and the stable `code` kept so Catch nodes see msg.error.code. */
export function toNodeError(RED: NodeAPI, namespace: string, err: unknown): Error {
  if (isTwinFlowError(err)) {
    const translated = new Error(translate(RED, `${namespace}.errors.${err.key}`, err.message, err.details));
    Object.defineProperty(translated, 'code', { value: err.code, enumerable: true });
    return translated;
  }
  return err instanceof Error ? err : new Error(String(err));
}
