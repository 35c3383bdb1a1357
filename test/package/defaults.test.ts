import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { NODE_TYPES } from '../helpers/catalogues';

/** tsx's require hook compiles the TypeScript source (mocha runs with tsx/cjs). */
const load = createRequire(__filename);

const ROOT = join(__dirname, '..', '..');

type EditorDefinition = { defaults: Record<string, { value: unknown }> };

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
function editorDefinition(type: string): EditorDefinition {
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
  runInNewContext(script, { RED, $: anything(), jQuery: anything(), window: {}, document: anything() });
  const def = registered.get(type);
  assert.ok(def, `the editor code registers ${type}`);
  return def;
}

describe('package: editor defaults are the node specs defaults (src/core/nodes/<type>.ts)', () => {
  const specced = NODE_TYPES.filter((t) => existsSync(join(ROOT, 'src', 'core', 'nodes', `${t}.ts`)));

  it('finds the specs written so far', () => assert.ok(specced.length > 0));

  for (const type of specced) {
    it(`${type}: every default the editor shares with the spec is equal, and the version is the spec's`, () => {
      const spec = load(join(ROOT, 'src', 'core', 'nodes', `${type}.ts`)) as {
        DEFAULTS: Record<string, unknown>;
        VERSION: number;
      };
      const editor = editorDefinition(type).defaults;
      const shared = Object.keys(spec.DEFAULTS).filter((k) => k in editor);
      assert.ok(shared.length > 0, 'the editor has the spec settings as defaults');
      assert.deepEqual(
        Object.fromEntries(shared.map((k) => [k, editor[k].value])),
        Object.fromEntries(shared.map((k) => [k, spec.DEFAULTS[k]])),
      );
      assert.equal(editor.version?.value, spec.VERSION, 'the hidden version default is the latest migration');
    });
  }
});
