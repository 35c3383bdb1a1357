import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'node-red';
import { ManualClock } from '../helpers/clock';
import {
  type AnyMessage,
  collect,
  finishNodes,
  helper,
  loadNode,
  runtimeContext,
  sendAndWait,
  startWithStores,
  stopWithStores,
  type TestFlow,
  useSettings,
} from '../helpers/node-red';

const twinModel = loadNode('twin-model');
const twinState = loadNode('twin-state');

function flow(store = ''): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    {
      id: 'm1',
      type: 'twin-model',
      name: 'Pump',
      properties: JSON.stringify([
        { name: 'temperature', type: 'number' },
        { name: 'settings', type: 'object', writable: true },
      ]),
      store,
    },
    {
      id: 's1',
      type: 'twin-state',
      z: 'f1',
      model: 'm1',
      action: 'msg',
      twinId: 'topic',
      twinIdType: 'msg',
      version: 1,
      wires: [['out'], ['delta'], []],
    },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'delta', type: 'helper', z: 'f1' },
    ...finishNodes('s1'),
  ] as TestFlow;
}

const node = (id: string): Node => helper.getNode(id) as Node;
const send = (msg: AnyMessage): Promise<void> => sendAndWait('s1', msg);
const versionOf = (msg: AnyMessage | undefined): number | undefined =>
  (msg?.twin as { version?: number } | undefined)?.version;

describe('twin-state: versions after delete, clock skew, client tokens (built bundle)', () => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
    useSettings({ twinflowClock: clock });
  });
  afterEach(async () => {
    await helper.unload();
    useSettings({});
  });

  it('a deleted and re-created twin continues its version numbers, also after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinflow-ver-'));
    useSettings({
      twinflowClock: clock,
      contextStorage: { file: { module: 'localfilesystem', config: { dir, flushInterval: 30 } } },
    });
    try {
      await helper.load([twinModel, twinState], flow('file'));
      await startWithStores();
      const out = collect(node('out'));
      await send({ topic: 'P1', payload: { temperature: 1 } });
      await send({ topic: 'P1', payload: { temperature: 2 } });
      await send({ topic: 'P1', payload: { temperature: 3 } });
      assert.equal(versionOf(out.at(-1)), 3);
      await send({ topic: 'P1', action: 'delete' });
      await send({ topic: 'P1', payload: { temperature: 4 } });
      assert.equal(versionOf(out.at(-1)), 4, 'version 3 was the last before the delete');
      await send({ topic: 'P1', action: 'delete' });
      await stopWithStores();
      await startWithStores();
      const after = collect(node('out'));
      await send({ topic: 'P1', payload: { temperature: 5 } });
      assert.equal(versionOf(after.at(-1)), 5, 'the deleted version survived the restart');
    } finally {
      await helper.unload();
      await runtimeContext.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses timestamps beyond the clock skew and numeric or long client tokens, changing nothing', async () => {
    await helper.load([twinModel, twinState], flow());
    await send({ topic: 'P1', payload: { temperature: 1 } });
    const caught = collect(node('caught'));
    const out = collect(node('out'));
    const now = clock.now();
    await send({ topic: 'P1', payload: { temperature: { value: 2, sourceTimestamp: now + 301_000 } } });
    await send({ topic: 'P1', payload: { temperature: { value: 2, sourceTimestamp: 1e20 } } });
    await send({ topic: 'P1', action: 'desire', payload: { settings: { a: 1 } }, clientToken: 7 });
    await send({
      topic: 'P1',
      action: 'desire',
      payload: { settings: { a: 1 } },
      clientToken: 'x'.repeat(65),
    });
    assert.deepEqual(
      caught.map((c) => (c.error as { code: string }).code),
      [
        'TWINFLOW_TIMESTAMP_IN_FUTURE',
        'TWINFLOW_BAD_TIMESTAMP',
        'TWINFLOW_BAD_CLIENT_TOKEN',
        'TWINFLOW_BAD_CLIENT_TOKEN',
      ],
    );
    assert.equal(out.length, 0);
    await send({ topic: 'P1', action: 'get' });
    assert.equal(versionOf(out.at(-1)), 1);
  });
});
