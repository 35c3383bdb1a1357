import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const LOCALES = join(ROOT, 'src', 'locales', 'en-US');

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  'node-red': { nodes: Record<string, string>; plugins?: Record<string, string> };
};

/** Every node type the package registers (from package.json, so a new node is covered without a test change). */
export const NODE_TYPES = Object.keys(pkg['node-red'].nodes);

/** The flattened keys of one catalogue, e.g. `twin-sim.label.model`. */
function flatten(prefix: string, value: unknown, out: string[]): string[] {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) flatten(prefix ? `${prefix}.${key}` : key, inner, out);
  } else out.push(prefix);
  return out;
}

/** Every message key of every catalogue in src/locales/en-US, with its namespace (`twin-sim.label.model`). */
export const CATALOGUE_KEYS: string[] = readdirSync(LOCALES)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => flatten('', JSON.parse(readFileSync(join(LOCALES, f), 'utf8')), []));

/** The namespaces (first segments) of the catalogues: `twin-sim`, `twinflow-sidebar`, ... */
const NAMESPACES = new Set(CATALOGUE_KEYS.map((k) => k.split('.')[0]));

/**
 * What in a text looks like a message key shown instead of its message: a catalogue key with or without its namespace
 * (RED._ called without the node's namespace returns the key itself), anything starting with one of our namespaces
 * and a dot, or `[object …]`.
 */
export function messageKeysIn(text: string): string[] {
  const keys = new Set(CATALOGUE_KEYS);
  for (const key of CATALOGUE_KEYS) keys.add(key.slice(key.indexOf('.') + 1));
  const found: string[] = [];
  for (const [token] of text.matchAll(/[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)+/g)) {
    const namespaced = NAMESPACES.has(token.split('.')[0]);
    if (namespaced || (keys.has(token) && token.includes('.'))) found.push(token);
  }
  for (const [object] of text.matchAll(/\[object [^\]]*\]/g)) found.push(object);
  return found;
}
