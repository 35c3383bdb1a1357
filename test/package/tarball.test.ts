import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('package: the tarball npm pack makes', function () {
  this.timeout(60_000);
  let files: string[];

  before(() => {
    // As `npm pack` and `npm publish` do: prepack runs the release build first.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
      cwd: ROOT,
      env: { ...process.env, TWINFLOW_QUIET_BUILD: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  });

  it('ships the built nodes and the examples, without source maps', () => {
    assert.ok(files.includes('nodes/twin-state.js') && files.includes('nodes/twin-state.html'));
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map')),
      [],
    );
    assert.deepEqual(
      files.filter((f) => !/^(nodes|examples)\//.test(f) && !/^(package\.json|README\.md|LICENSE)$/.test(f)),
      [],
    );
  });

  it('runs nothing when installed (no install or prepare script to warn about): it builds on prepack', () => {
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare'])
      assert.equal(pkg.scripts[hook], undefined, `${hook} script`);
    assert.match(pkg.scripts.prepack, /build\.mjs --release/);
  });

  it('an example that needs another node module says so in its description', () => {
    const dir = join(ROOT, 'examples');
    for (const group of readdirSync(dir))
      for (const file of readdirSync(join(dir, group)).filter((f) => f.endsWith('.json'))) {
        const nodes = JSON.parse(readFileSync(join(dir, group, file), 'utf8')) as {
          type: string;
          info?: string;
        }[];
        if (!Array.isArray(nodes) || !nodes.some((n) => n.type?.startsWith('ui-'))) continue;
        const info = nodes.map((n) => n.info ?? '').join('\n');
        assert.match(info, /[Nn]eeds `@flowfuse\/node-red-dashboard`/, `${group}/${file}`);
      }
  });
});
