/**
 * Node-RED context keys are property expressions: `a.b`, `a["b.c"]`, `a[0]`. The Redis store keeps one hash field
 * per key that was set, named by the expression's parts (JSON), so `twins.t_Pump01` is written alone and a store
 * with 30,000 twins never rewrites the whole object for one change.
 *
 * @example keyParts('a["b.c"][0].d') // => ['a', 'b.c', '0', 'd']
 */
export function keyParts(key: string): string[] {
  const parts: string[] = [];
  let i = 0;
  let current = '';
  const push = (): void => {
    if (current === '') throw new Error(`invalid context key "${key}"`);
    parts.push(current);
    current = '';
  };
  while (i < key.length) {
    const c = key[i];
    if (c === '.') {
      if (key[i - 1] !== ']') push();
      i++;
    } else if (c === '[') {
      if (current !== '') push();
      const close = key.indexOf(']', i);
      if (close < 0) throw new Error(`invalid context key "${key}"`);
      let inner = key.slice(i + 1, close).trim();
      const quote = inner[0];
      if ((quote === '"' || quote === "'") && inner.endsWith(quote)) inner = inner.slice(1, -1);
      else if (!/^\d+$/.test(inner)) throw new Error(`invalid context key "${key}"`);
      current = inner;
      push();
      i = close + 1;
    } else {
      current += c;
      i++;
    }
  }
  if (current !== '' || parts.length === 0) push();
  return parts;
}

export const fieldOf = (parts: readonly string[]): string => JSON.stringify(parts);

export function partsOfField(field: string): string[] | undefined {
  try {
    const parts = JSON.parse(field) as unknown;
    return Array.isArray(parts) && parts.length > 0 && parts.every((p) => typeof p === 'string')
      ? (parts as string[])
      : undefined;
  } catch {
    return undefined;
  }
}

type Tree = Record<string, unknown>;

export function getPath(root: Tree | undefined, parts: readonly string[]): unknown {
  let node: unknown = root;
  for (const p of parts) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = Object.prototype.hasOwnProperty.call(node, p) ? (node as Tree)[p] : undefined;
  }
  return node;
}

/** Sets (or with undefined, deletes) a value, creating missing objects on the way; a scalar in the way is replaced. */
export function setPath(root: Tree, parts: readonly string[], value: unknown): void {
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    if (p === '__proto__' || p === 'constructor' || p === 'prototype') throw new Error(`forbidden key ${p}`);
    let next = node[p];
    if (typeof next !== 'object' || next === null) {
      if (value === undefined) return;
      next = {};
      node[p] = next;
    }
    node = next as Tree;
  }
  const last = parts[parts.length - 1];
  if (last === '__proto__' || last === 'constructor' || last === 'prototype')
    throw new Error(`forbidden key ${last}`);
  if (value === undefined) Reflect.deleteProperty(node, last);
  else node[last] = value;
}

/**
 * Rebuilds a scope from its hash fields: shorter keys first, so a field set after its ancestor (which removed the
 * fields below it when written) lands inside it.
 */
export function rebuild(fields: Record<string, string>): Tree {
  const root: Tree = {};
  const entries = Object.entries(fields)
    .map(([field, json]) => ({ parts: partsOfField(field), json }))
    .filter((e): e is { parts: string[]; json: string } => e.parts !== undefined)
    .sort((a, b) => a.parts.length - b.parts.length);
  for (const { parts, json } of entries) setPath(root, parts, JSON.parse(json) as unknown);
  return root;
}
