import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { NODE_TYPES } from '../helpers/catalogues';
import { editorDefinition } from '../helpers/editor-definition';

/** tsx's require hook compiles the TypeScript source (mocha runs with tsx/cjs). */
const load = createRequire(__filename);

const ROOT = join(__dirname, '..', '..');

describe('package: editor defaults are the node specs defaults (src/core/nodes/<type>.ts)', () => {
  const specced = NODE_TYPES.filter((t) => existsSync(join(ROOT, 'src', 'core', 'nodes', `${t}.ts`)));

  it('finds the specs written so far', () => assert.ok(specced.length > 0));

  for (const type of specced) {
    it(`${type}: every default the editor shares with the spec is equal, and the version is the spec's`, () => {
      const exports = load(join(ROOT, 'src', 'core', 'nodes', `${type}.ts`)) as Record<string, unknown>;
      // DEFAULTS and VERSION, or prefixed with the type (TWIN_FORECAST_DEFAULTS), as some specs name them.
      const named = (suffix: string): unknown =>
        exports[suffix] ?? Object.entries(exports).find(([k]) => k.endsWith(`_${suffix}`))?.[1];
      const spec = { DEFAULTS: named('DEFAULTS') as Record<string, unknown>, VERSION: named('VERSION') };
      assert.ok(
        spec.DEFAULTS && typeof spec.DEFAULTS === 'object',
        `src/core/nodes/${type}.ts exports DEFAULTS`,
      );
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
