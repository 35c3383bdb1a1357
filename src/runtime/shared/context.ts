import type { NodeContextData } from 'node-red';

/**
 * Promise wrappers over Node-RED context, always in the callback form because some stores (file with cache
 * off, Redis) are asynchronous only. `store` undefined means the default store.
 *
 * Context keys are property expressions in Node-RED ("a.b" sets b inside a), so arbitrary ids are encoded
 * with `contextKey` before use.
 */
export function contextGet<T>(context: NodeContextData, key: string, store?: string): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    context.get(key, store as string, (err: Error | null | undefined, value: unknown) =>
      err ? reject(err) : resolve(value as T | undefined),
    );
  });
}

/**
 * Sets a context value and, when the store answers at once (the memory store, the file store's cache), returns
 * undefined synchronously; only a store that answers later costs a promise.
 */
export function contextSetNow(
  context: NodeContextData,
  key: string,
  value: unknown,
  store?: string,
): Promise<void> | undefined {
  let settled = false;
  let failure: Error | null | undefined;
  let resolveLater: (() => void) | undefined;
  let rejectLater: ((err: Error) => void) | undefined;
  context.set(key, value, store as string, (err?: Error | null) => {
    settled = true;
    failure = err;
    if (err) rejectLater?.(err);
    else resolveLater?.();
  });
  if (settled) {
    if (failure) throw failure;
    return undefined;
  }
  return new Promise((resolve, reject) => {
    resolveLater = resolve;
    rejectLater = reject;
  });
}

/**
 * Encodes an arbitrary id (which may contain dots, brackets, spaces, unicode) into a key made only of letters,
 * digits and underscores, so it is safe as one level of a Node-RED context property path ("a.b" means b inside a).
 * Letters and digits stand for themselves; every other UTF-16 unit becomes _xxxx (hex).
 */
export function contextKey(prefix: string, id: string): string {
  let out = prefix;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    out += alnum ? id[i] : `_${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}

/** Inverse of contextKey; undefined when the key does not carry the prefix or is not an encoded id. */
export function idFromContextKey(prefix: string, key: string): string | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const body = key.slice(prefix.length);
  if (!/^(?:[A-Za-z0-9]|_[0-9a-f]{4})*$/.test(body)) return undefined;
  return body.replace(/_([0-9a-f]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
