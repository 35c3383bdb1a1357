import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeInitializer } from 'node-red';

/**
 * The test helper's RED._ returns the key itself; a real runtime reads the message catalogues. This wraps a node's
 * initializer so RED._ reads src/locales/en-US/*.json like Node-RED does (`__name__` filled from the details), and
 * a test sees the status texts and errors a user sees.
 */
const LOCALES = join(__dirname, '..', '..', 'src', 'locales', 'en-US');
const catalogue: Record<string, unknown> = {};
for (const file of readdirSync(LOCALES).filter((f) => f.endsWith('.json')))
  Object.assign(catalogue, JSON.parse(readFileSync(join(LOCALES, file), 'utf8')) as object);

function lookup(key: string, details: Record<string, unknown> = {}): string {
  let entry: unknown = catalogue;
  for (const part of key.split('.')) entry = (entry as Record<string, unknown> | undefined)?.[part];
  if (typeof entry !== 'string') return key;
  return entry.replace(/__(\w+)__/g, (_m, name: string) => String(details[name] ?? ''));
}

export function withCatalogue(init: NodeInitializer): NodeInitializer {
  return ((RED: { _: unknown }) => {
    RED._ = lookup;
    return (init as unknown as (red: unknown) => unknown)(RED);
  }) as unknown as NodeInitializer;
}
