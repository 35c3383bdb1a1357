import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TestBroker } from '../helpers/mqtt-broker';
import { RuntimeProcess } from '../helpers/runtime-process';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

function exampleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? exampleFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

/**
 * Every example under examples/ is deployed into a real Node-RED runtime (in a child process, with TwinFlow installed
 * in its user dir as a module) and must load with no unknown node types, start every node, and run for a moment
 * without a single warning or error logged.
 */
describe('examples: every flow deploys in a real Node-RED runtime', function () {
  this.timeout(60_000);
  let runtime: RuntimeProcess;
  // The examples that need an MQTT broker say so (README, their comment); here they get one, on a free port.
  let broker: TestBroker;

  before(async () => {
    broker = new TestBroker();
    await broker.start();
    runtime = await RuntimeProcess.start();
  });

  after(async () => {
    await runtime?.stop();
    await broker?.stop();
  });

  const withTestBroker = (nodes: { type: string; url?: string }[]) =>
    nodes.map((n) => (n.type === 'twin-mqtt-broker' ? { ...n, url: broker.url } : n));

  const files = exampleFiles(EXAMPLES);
  it('has at least one example', () => assert.ok(files.length > 0));
  for (const file of files) {
    const name = relative(EXAMPLES, file);
    it(name, async () => {
      const flows = JSON.parse(readFileSync(file, 'utf8')) as { type: string; url?: string }[];
      assert.ok(Array.isArray(flows) && flows.length > 0, 'an example is a non-empty array of nodes');
      assert.ok(
        flows.some((n) => n.type === 'comment'),
        'an example explains itself with a comment node',
      );
      const result = await runtime.deploy(name, withTestBroker(flows));
      assert.deepEqual(result.missing, [], 'unknown node types');
      assert.equal(result.deployError, undefined);
      assert.deepEqual(result.notStarted, [], 'nodes that did not start');
      const problems = result.logs.filter((l) => l.level <= 30).map((l) => `${l.type ?? ''}: ${l.msg}`);
      assert.deepEqual(problems, [], 'warnings or errors logged');
    });
  }
});
