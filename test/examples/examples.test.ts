import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

function exampleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? exampleFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

interface Result {
  cmd: string;
  missing: string[];
  notStarted: string[];
  deployError?: string;
  logs: { level: number; msg: string; type?: string }[];
}

/**
 * Every example under examples/ is deployed into a real Node-RED runtime (in a child process, with TwinFlow installed
 * in its user dir as a module) and must load with no unknown node types, deploy, and run for a moment without a
 * single warning or error logged.
 */
describe('examples: every flow deploys in a real Node-RED runtime', function () {
  this.timeout(60_000);
  let worker: ChildProcess;
  const pending: ((r: Result) => void)[] = [];

  before(async () => {
    worker = fork(join(__dirname, '..', 'helpers', 'examples-worker.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: Result) => {
        if (m.cmd === 'ready') resolve();
        else if (m.cmd === 'result') pending.shift()?.(m);
      });
    });
  });

  after(async () => {
    if (!worker?.connected) return;
    const stopped = new Promise((r) => worker.once('exit', r));
    worker.send({ cmd: 'stop' });
    await stopped;
  });

  const files = exampleFiles(EXAMPLES);
  it('has at least one example', () => assert.ok(files.length > 0));
  for (const file of files) {
    const name = relative(EXAMPLES, file);
    it(name, async () => {
      const flows = JSON.parse(readFileSync(file, 'utf8')) as { type: string }[];
      assert.ok(Array.isArray(flows) && flows.length > 0, 'an example is a non-empty array of nodes');
      assert.ok(flows.some((n) => n.type === 'comment'), 'an example explains itself with a comment node');
      const result = await new Promise<Result>((resolve) => {
        pending.push(resolve);
        worker.send({ cmd: 'deploy', name, flows });
      });
      assert.deepEqual(result.missing, [], 'unknown node types');
      assert.equal(result.deployError, undefined);
      assert.deepEqual(result.notStarted, [], 'nodes that did not start');
      const problems = result.logs.filter((l) => l.level <= 30).map((l) => `${l.type ?? ''}: ${l.msg}`);
      assert.deepEqual(problems, [], 'warnings or errors logged');
    });
  }
});
