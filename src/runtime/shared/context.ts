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

export function contextSet(
  context: NodeContextData,
  key: string,
  value: unknown,
  store?: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    context.set(key, value, store as string, (err?: Error | null) => (err ? reject(err) : resolve()));
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

export function contextKeys(context: NodeContextData, store?: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    context.keys(store as string, (err: Error | null | undefined, keys: unknown[]) =>
      err ? reject(err) : resolve((keys ?? []) as string[]),
    );
  });
}

/** Encodes an arbitrary id (which may contain dots or brackets) into a flat context key with a prefix. */
export function contextKey(prefix: string, id: string): string {
  return `${prefix}${encodeURIComponent(id)
    .replace(/\./g, '%2E')
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Inverse of contextKey; undefined when the key does not carry the prefix. */
export function idFromContextKey(prefix: string, key: string): string | undefined {
  return key.startsWith(prefix) ? decodeURIComponent(key.slice(prefix.length)) : undefined;
}
