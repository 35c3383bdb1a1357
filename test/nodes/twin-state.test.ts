import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'node-red';
import { withCatalogue } from '../helpers/catalogue';
import { ManualClock } from '../helpers/clock';
import {
  type AnyMessage,
  collect,
  finishNodes,
  helper,
  lastStatus,
  loadNode,
  nextMessage,
  runtimeContext,
  startWithStores,
  stopWithStores,
  sendAndWait,
  settle,
  type TestFlow,
  useSettings,
} from '../helpers/node-red';

const twinModel = loadNode('twin-model');
// With the real catalogue, so status texts read as a user sees them.
const twinState = withCatalogue(loadNode('twin-state'));

const PROPERTIES = [
  {
    name: 'temperature',
    type: 'number',
    unit: 'degC',
    min: -50,
    max: 200,
    deadband: 0.5,
    staleAfter: 1000,
    history: 5,
  },
  { name: 'speed', type: 'number', unit: 'rpm', min: 0, max: 3000, writable: true, tolerance: 5 },
  { name: 'state', type: 'enum', values: ['idle', 'running', 'fault'] },
  { name: 'running', type: 'boolean' },
  { name: 'settings', type: 'object' },
];

function flow(extra: Record<string, unknown> = {}, properties: unknown = PROPERTIES): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    {
      id: 'm1',
      type: 'twin-model',
      name: 'Pump',
      properties: JSON.stringify(properties),
      store: '',
      ...extra,
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
      wires: [['out'], ['delta'], ['events']],
    },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'delta', type: 'helper', z: 'f1' },
    { id: 'events', type: 'helper', z: 'f1' },
    ...finishNodes('s1'),
  ] as TestFlow;
}

const node = (id: string): Node => helper.getNode(id) as Node;

const send = (msg: AnyMessage): Promise<void> => sendAndWait('s1', msg);

async function getTwin(id: string): Promise<AnyMessage> {
  const reply = nextMessage(node('out'));
  node('s1').receive({ topic: id, action: 'get', history: true } as never);
  return reply;
}

describe('twin-state node (built bundle, real runtime)', function () {
  let clock: ManualClock;

  beforeEach(() => {
    clock = new ManualClock();
    useSettings({ twinflowClock: clock });
  });

  afterEach(async () => {
    await helper.unload();
    useSettings({});
  });

  it('reports create a twin and send only real changes, with samples, units and version', async () => {
    await helper.load([twinModel, twinState], flow());
    const out = collect(node('out'));
    await send({ topic: 'P1', payload: { temperature: 20, state: 'running', running: true } });
    assert.equal(out.length, 1);
    const first = out[0];
    assert.equal(first.topic, 'P1');
    const twin = first.twin as { version: number; state: { reported: Record<string, unknown> } };
    assert.equal(twin.version, 1);
    assert.deepEqual(twin.state.reported, { temperature: 20, state: 'running', running: true });
    assert.deepEqual(
      (first.payload as Record<string, { unit?: string; quality: string }>).temperature.unit,
      'degC',
    );
    const paths = (first.changes as { path: string }[]).map((c) => c.path);
    assert.deepEqual(paths, ['', 'reported.temperature', 'reported.state', 'reported.running']);

    await send({ topic: 'P1', payload: { temperature: 20.3 } }); // within the 0.5 deadband
    assert.equal(out.length, 1, 'a change inside the deadband sends nothing');
    await send({ topic: 'P1', payload: { temperature: { value: 212, unit: 'degF' } } });
    assert.equal(out.length, 2);
    const second = out[1];
    assert.equal((second.twin as { version: number }).version, 2);
    assert.equal((second.payload as Record<string, { value: number }>).temperature.value, 100);
  });

  it('rejects hostile input whole through Catch, leaves the twin unchanged and keeps running', async () => {
    await helper.load([twinModel, twinState], flow());
    await send({ topic: 'P1', payload: { temperature: 20, settings: { mode: 'auto' } } });
    const before = JSON.stringify((await getTwin('P1')).twin);

    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 1000; i++) cursor = cursor.next = {} as Record<string, unknown>;
    const circular: Record<string, unknown> = { mode: 'x' };
    circular.self = circular;
    const cases: [string, unknown, string][] = [
      ['non-object payload', 'hello', 'TWINFLOW_PAYLOAD_NOT_OBJECT'],
      ['array payload', [1, 2], 'TWINFLOW_PAYLOAD_NOT_OBJECT'],
      ['NaN', { temperature: NaN }, 'TWINFLOW_NOT_FINITE'],
      ['Infinity', { temperature: Infinity }, 'TWINFLOW_NOT_FINITE'],
      ['out of range', { temperature: 500 }, 'TWINFLOW_OUT_OF_RANGE'],
      ['half good, half bad', { running: false, temperature: 'hot' }, 'TWINFLOW_WRONG_TYPE'],
      ['unknown property', { pressure: 2 }, 'TWINFLOW_UNKNOWN_PROPERTY'],
      ['unconvertible unit', { temperature: { value: 2, unit: 'bar' } }, 'TWINFLOW_UNIT_MISMATCH'],
      ['2 MB payload', { settings: { blob: 'x'.repeat(2 * 1024 * 1024) } }, 'TWINFLOW_PAYLOAD_TOO_LARGE'],
      [
        '__proto__ key',
        JSON.parse('{"settings": {"__proto__": {"polluted": true}}}'),
        'TWINFLOW_PAYLOAD_FORBIDDEN_KEY',
      ],
      ['constructor key', JSON.parse('{"constructor": {"prototype": 1}}'), 'TWINFLOW_PAYLOAD_FORBIDDEN_KEY'],
      ['1,000-deep nesting', { settings: deep }, 'TWINFLOW_PAYLOAD_TOO_DEEP'],
      ['circular object', { settings: circular }, 'TWINFLOW_PAYLOAD_CIRCULAR'],
      ['not writable desire', { temperature: 30 }, 'TWINFLOW_NOT_WRITABLE'],
    ];
    const caught = collect(node('caught'));
    for (const [what, payload, code] of cases) {
      const action = what === 'not writable desire' ? 'desire' : 'report';
      await send({ topic: 'P1', action, payload });
      const error = caught.at(-1)?.error as { message: string; code: string } | undefined;
      assert.ok(error, `${what}: no error reached the Catch node`);
      assert.equal(error.code, code, `${what}: ${error.message}`);
      assert.ok(error.message.length > 10, `${what}: the message says why`);
      caught.length = 0;
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    assert.equal(JSON.stringify((await getTwin('P1')).twin), before, 'the twin is unchanged');
    assert.equal(lastStatus(node('s1'))?.fill, 'green', 'get after errors shows the twin count again');

    const out = collect(node('out'));
    await send({ topic: 'P1', payload: { temperature: 25 } });
    assert.equal(out.length, 1, 'the runtime still processes messages');
  });

  it('runs the desired/reported loop: delta out, acknowledgement, synced when reported catches up', async () => {
    await helper.load([twinModel, twinState], flow());
    const deltas = collect(node('delta'));
    const events = collect(node('events'));
    await send({ topic: 'P1', payload: { speed: 1000 } });
    await send({ topic: 'P1', action: 'desire', payload: { speed: 1500 }, clientToken: 'op-42' });
    assert.equal(deltas.length, 1);
    assert.deepEqual(deltas[0].payload, { speed: 1500 });
    assert.equal(deltas[0].clientToken, 'op-42');

    await send({
      topic: 'P1',
      action: 'ack',
      payload: { speed: { status: 'rejected', reason: 'interlock' } },
    });
    const ack = events.find((e) => (e.payload as { event: string }).event === 'ack');
    assert.deepEqual(
      {
        status: (ack?.payload as { status: string }).status,
        reason: (ack?.payload as { reason: string }).reason,
      },
      { status: 'rejected', reason: 'interlock' },
    );
    await send({ topic: 'P1', action: 'desire', payload: { speed: 1500 } });
    assert.equal(deltas.length, 2, 'desiring again is a retry');

    await send({ topic: 'P1', payload: { speed: 1498 } }); // within tolerance 5
    const synced = events.find((e) => (e.payload as { event: string }).event === 'synced');
    assert.equal((synced?.payload as { property: string }).property, 'speed');
    const twin = (await getTwin('P1')).twin as { state: { delta: object; desired: Record<string, number> } };
    assert.deepEqual(twin.state.delta, {});
    assert.equal(twin.state.desired.speed, 1500);
  });

  it('shows the twin count in its status, throttled with a trailing refresh', async () => {
    await helper.load([twinModel, twinState], flow());
    const statuses: { text?: string }[] = [];
    (node('s1') as unknown as NodeJS.EventEmitter).on('call:status', (call: { args: [{ text?: string }] }) =>
      statuses.push(call.args[0]),
    );
    await send({ topic: 'P1', payload: { temperature: 20 } });
    await send({ topic: 'P2', payload: { temperature: 20 } });
    clock.advance(1000);
    await settle();
    assert.equal(statuses.at(-1)?.text, '2 twins');
  });

  it('refuses a conditional update on the wrong version and echoes nothing changed', async () => {
    await helper.load([twinModel, twinState], flow());
    await send({ topic: 'P1', payload: { temperature: 20 } });
    const caught = collect(node('caught'));
    await send({ topic: 'P1', payload: { temperature: 30 }, version: 7 });
    assert.equal((caught[0]?.error as { code: string }).code, 'TWINFLOW_VERSION_CONFLICT');
    const out = collect(node('out'));
    await send({ topic: 'P1', payload: { temperature: 30 }, version: 1 });
    assert.equal((out[0].twin as { version: number }).version, 2);
  });

  it('marks properties stale on the injected clock and fresh on the next report', async () => {
    await helper.load([twinModel, twinState], flow({ staleAfter: 5000 }));
    const events = collect(node('events'));
    await send({ topic: 'P1', payload: { temperature: 20 } });
    clock.advance(1500);
    await settle();
    const kinds = (): string[] => events.map((e) => (e.payload as { event: string }).event);
    assert.deepEqual(kinds(), ['created', 'stale']);
    assert.equal((events[1].payload as { property: string }).property, 'temperature');
    clock.advance(5000);
    await settle();
    assert.deepEqual(kinds(), ['created', 'stale', 'twin-stale']);
    const query = nextMessage(node('out'));
    node('s1').receive({ action: 'query', payload: 'temperature.stale and twin.stale' } as never);
    assert.deepEqual(
      ((await query).payload as { id: string }[]).map((t) => t.id),
      ['P1'],
    );
    await send({ topic: 'P1', payload: { temperature: 20 } });
    assert.deepEqual(kinds(), ['created', 'stale', 'twin-stale', 'fresh', 'twin-fresh']);
  });

  it('keeps a bounded history per property and reads it back with get', async () => {
    await helper.load([twinModel, twinState], flow());
    for (let i = 0; i < 8; i++) {
      clock.advance(100);
      await send({ topic: 'P1', payload: { temperature: 10 + i } });
    }
    const reply = await getTwin('P1');
    const history = (reply.history as Record<string, { value: number }[]>).temperature;
    assert.deepEqual(
      history.map((h) => h.value),
      [13, 14, 15, 16, 17],
    );
    const ranged = nextMessage(node('out'));
    const from = clock.now() - 250;
    node('s1').receive({
      topic: 'P1',
      action: 'get',
      history: { from, properties: ['temperature'] },
    } as never);
    assert.deepEqual(
      ((await ranged).history as Record<string, { value: number }[]>).temperature.map((h) => h.value),
      [15, 16, 17],
    );
  });

  it('lists, queries and deletes twins, with parent/child relations', async () => {
    await helper.load([twinModel, twinState], flow());
    await send({ topic: 'Station', payload: { running: true } });
    await send({ topic: 'P1', payload: { temperature: 90 }, parent: 'Station' });
    await send({ topic: 'P2', payload: { temperature: 40 }, parent: 'Station' });
    let reply = nextMessage(node('out'));
    node('s1').receive({ action: 'list', parent: 'Station' } as never);
    assert.deepEqual((await reply).payload, ['P1', 'P2']);
    reply = nextMessage(node('out'));
    node('s1').receive({ action: 'query', payload: 'temperature > 80 or running == true' } as never);
    assert.deepEqual(
      ((await reply).payload as { id: string }[]).map((t) => t.id),
      ['P1', 'Station'],
    );
    const station = await getTwin('Station');
    assert.deepEqual((station.twin as { state: { children: string[] } }).state.children, ['P1', 'P2']);
    reply = nextMessage(node('out'));
    node('s1').receive({ topic: 'P1', action: 'delete' } as never);
    assert.equal((await reply).payload, null);
    reply = nextMessage(node('out'));
    node('s1').receive({ action: 'list' } as never);
    assert.deepEqual((await reply).payload, ['P2', 'Station']);
  });

  it('reports a bad model and a bad query clearly', async () => {
    await helper.load([twinModel, twinState], flow({}, [{ name: 'bad name', type: 'number' }]));
    const caught = collect(node('caught'));
    await send({ topic: 'P1', payload: { temperature: 1 } });
    assert.equal((caught[0]?.error as { code: string }).code, 'TWINFLOW_MODEL_INVALID');
    await helper.unload();
    await helper.load([twinModel, twinState], flow());
    const caught2 = collect(node('caught'));
    await send({ action: 'query', payload: 'temperature >' });
    assert.equal((caught2[0]?.error as { code: string }).code, 'TWINFLOW_BAD_QUERY');
  });

  it('keeps every twin when a node or the model is redeployed, and frees the model store only when deleted', async () => {
    await helper.load([twinModel, twinState], flow());
    await send({ topic: 'P1', payload: { temperature: 20 } });
    await send({ topic: 'P2', payload: { temperature: 30 } });
    const edited = (flow() as { id: string }[]).map((n) => (n.id === 's1' ? { ...n, name: 'renamed' } : n));
    await helper.setFlows(edited as TestFlow, 'nodes');
    let list = nextMessage(node('out'));
    node('s1').receive({ action: 'list' } as never);
    assert.deepEqual((await list).payload, ['P1', 'P2'], 'redeploying twin-state keeps the twins');
    const modelEdited = (edited as { id: string }[]).map((n) =>
      n.id === 'm1' ? { ...n, staleAfter: '60000' } : n,
    );
    await helper.setFlows(modelEdited as TestFlow, 'nodes');
    list = nextMessage(node('out'));
    node('s1').receive({ action: 'list' } as never);
    assert.deepEqual((await list).payload, ['P1', 'P2'], 'redeploying the model keeps its twins');
    const withoutModel = (modelEdited as { id: string; model?: string }[]).filter((n) => n.id !== 'm1');
    await helper.setFlows(withoutModel as TestFlow, 'full');
    await helper.setFlows(modelEdited as TestFlow, 'full');
    list = nextMessage(node('out'));
    node('s1').receive({ action: 'list' } as never);
    assert.deepEqual((await list).payload, [], 'deleting the model deleted its twins');
  });

  it('restores every twin, version and desired value after a runtime restart (real file context store)', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'twinflow-ctx-'));
    useSettings({
      twinflowClock: clock,
      contextStorage: { file: { module: 'localfilesystem', config: { dir, flushInterval: 30 } } },
    });
    try {
      await helper.load([twinModel, twinState], flow({ store: 'file' }));
      await startWithStores();
      await send({ topic: 'P1', payload: { temperature: 20, speed: 900 } });
      await send({ topic: 'P1', action: 'desire', payload: { speed: 1200 } });
      await send({ topic: 'P2', payload: { temperature: 30 } });
      await stopWithStores();
      assert.ok(readdirSync(join(dir, 'context')).length > 0, 'the file store wrote to disk');

      await startWithStores();
      const p1 = (await getTwin('P1')).twin as {
        version: number;
        state: { reported: object; desired: object; delta: object };
      };
      assert.equal(p1.version, 2);
      assert.deepEqual(p1.state.reported, { temperature: 20, speed: 900 });
      assert.deepEqual(p1.state.desired, { speed: 1200 });
      assert.deepEqual(p1.state.delta, { speed: 1200 });
      const list = nextMessage(node('out'));
      node('s1').receive({ action: 'list' } as never);
      assert.deepEqual((await list).payload, ['P1', 'P2']);
    } finally {
      await helper.unload();
      await runtimeContext.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
