// Second test pass: the built nodes under Node-RED 5.0 on Node 22 LTS (both from the npm registry, installed in
// test/compat by `npm ci --prefix test/compat`). Runs the node tests and the example deployments, the layers that
// touch Node-RED itself; the pure core does not depend on the runtime version.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compat = join(root, 'test', 'compat', 'node_modules');
const node22 = join(compat, '.bin', 'node');
if (!existsSync(node22)) {
  console.error('test/compat is not installed: run `npm ci --prefix test/compat` first');
  process.exit(1);
}
const version = spawnSync(node22, ['--version'], { encoding: 'utf8' }).stdout.trim();
const nodeRed = join(compat, 'node-red');
console.log(
  `compatibility pass: Node ${version}, Node-RED ${JSON.parse((await import('node:fs')).readFileSync(join(nodeRed, 'package.json'), 'utf8')).version}`,
);
const result = spawnSync(
  node22,
  [
    join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'),
    'test/nodes/**/*.test.ts',
    'test/examples/**/*.test.ts',
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TWINFLOW_NODE_RED: nodeRed } },
);
process.exit(result.status ?? 1);
