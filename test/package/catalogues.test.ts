import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_KEYS } from '../helpers/catalogues';

const ROOT = join(__dirname, '..', '..');

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );

describe('package: message catalogues', () => {
  it('hold no unused key: each is named in the code, whole or (looked up by a variable) by its last part', () => {
    const code = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'scripts'))]
      .filter((f) => !f.includes(join('src', 'locales')))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    // Starts of keys composed in a template literal: `sending${more}` names sending and sendingDropped.
    const composed = [...code.matchAll(/`(\w+)\$\{/g)].map((m) => m[1]);
    const unused = CATALOGUE_KEYS.filter((key) => {
      const path = key.slice(key.indexOf('.') + 1);
      const last = path.split('.').pop() ?? path;
      // Keys looked up by a variable (`errors.${err.key}`, `status.${key}`, `column.${c}`) name only their last part.
      return (
        !code.includes(path) &&
        !['"', "'", '`'].some((q) => code.includes(`${q}${last}${q}`)) &&
        !composed.some((start) => last.startsWith(start))
      );
    });
    assert.deepEqual(unused, []);
  });
});
