import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

const ROOT = join(__dirname, '..', '..');

export type EditorDefinition = { defaults: Record<string, { value: unknown }> };

/**
 * Whatever the editor code touches while it registers (RED.validators.number(), RED._, $...): a stand-in that
 * accepts any property access and call, so only registerType's literal definition matters.
 */
function anything(): unknown {
  const target = function () {
    return undefined;
  };
  const proxy: unknown = new Proxy(target, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : proxy),
    apply: () => proxy,
    construct: () => proxy as object,
  });
  return proxy;
}

/** The definition the built editor code (nodes/<type>.html) passes to RED.nodes.registerType. */
export function editorDefinition(type: string): EditorDefinition {
  const html = readFileSync(join(ROOT, 'nodes', `${type}.html`), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(script, `nodes/${type}.html has the editor script`);
  const registered = new Map<string, EditorDefinition>();
  const RED = new Proxy(anything() as object, {
    get: (target, key) =>
      key === 'nodes'
        ? new Proxy(anything() as object, {
            get: (t, k) =>
              k === 'registerType'
                ? (name: string, def: EditorDefinition) => registered.set(name, def)
                : Reflect.get(t, k),
          })
        : Reflect.get(target, key),
  });
  runInNewContext(script, {
    RED,
    $: anything(),
    jQuery: anything(),
    window: {},
    document: anything(),
    // What a browser has and bundled code may use at load time.
    TextEncoder,
    TextDecoder,
    URL,
    console,
  });
  const def = registered.get(type);
  assert.ok(def, `the editor code registers ${type}`);
  return def;
}
