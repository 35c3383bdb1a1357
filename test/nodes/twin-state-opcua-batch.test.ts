import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import type { MappedItem } from '../../src/core/opcua/mapping';
import { twinBatcher } from '../../src/runtime/opcua/batch';
import { sampleFrom, type OpcuaSample } from '../../src/runtime/opcua/sample';
import { ManualClock } from '../helpers/clock';
import {
  type AnyMessage,
  finishNodes,
  helper,
  loadNode,
  nextMessage,
  sendAndWait,
  type TestFlow,
  useSettings,
} from '../helpers/node-red';
import { TWIN_STATE_SETTINGS } from '../helpers/node-settings';

const item = (twin: string, property: string): MappedItem =>
  ({ twin, property, address: { nodeId: `ns=1;s=${twin}.${property}` } }) as MappedItem;
const good = (value: number, at: number): OpcuaSample =>
  sampleFrom(item('P1', 'speed'), value, 'good', 'Good', at, at);

/** What the batcher hands over after the current microtask, as [twin, payload] pairs. */
async function batched(
  feed: (emit: (item: MappedItem, sample: OpcuaSample) => void) => void,
): Promise<[string, Record<string, OpcuaSample>][]> {
  const sent: [string, Record<string, OpcuaSample>][] = [];
  feed(twinBatcher((twin, payload) => sent.push([twin, payload])));
  assert.equal(sent.length, 0, 'nothing is sent before the publish is over');
  await Promise.resolve();
  return sent;
}

describe('twin-opcua-map batcher: one message per twin and publish, no value lost', () => {
  it('coalesces the properties of one twin into one payload, twins apart', async () => {
    const sent = await batched((emit) => {
      emit(item('P1', 'speed'), good(1, 100));
      emit(item('P2', 'speed'), good(2, 100));
      emit(item('P1', 'temperature'), good(3, 100));
    });
    assert.deepEqual(
      sent.map(([twin, payload]) => [twin, Object.keys(payload)]),
      [
        ['P1', ['speed', 'temperature']],
        ['P2', ['speed']],
      ],
    );
  });

  it('keeps every queued value of one item (a late publish carries several), in the order they came', async () => {
    const sent = await batched((emit) => {
      emit(item('P1', 'speed'), good(1, 100));
      emit(item('P1', 'temperature'), good(10, 100));
      emit(item('P1', 'speed'), good(2, 200));
      emit(item('P1', 'speed'), good(3, 300));
      emit(item('P1', 'temperature'), good(20, 200));
    });
    assert.deepEqual(
      sent.map(([twin, payload]) => [
        twin,
        Object.fromEntries(Object.entries(payload).map(([p, s]) => [p, s.value])),
      ]),
      [
        ['P1', { speed: 1, temperature: 10 }],
        ['P1', { speed: 2, temperature: 20 }],
        ['P1', { speed: 3 }],
      ],
    );
  });

  it('starts afresh after each flush', async () => {
    const sent: string[] = [];
    const emit = twinBatcher((twin) => sent.push(twin));
    emit(item('P1', 'speed'), good(1, 100));
    await Promise.resolve();
    emit(item('P1', 'speed'), good(2, 200));
    await Promise.resolve();
    assert.deepEqual(sent, ['P1', 'P1']);
  });
});

describe('twin-opcua-map batcher -> twin-state (built bundle, real runtime)', () => {
  const twinModel = loadNode('twin-model');
  const twinState = loadNode('twin-state');
  const flow: TestFlow = [
    { id: 'f1', type: 'tab' },
    {
      id: 'm1',
      type: 'twin-model',
      name: 'Pump',
      properties: JSON.stringify([{ name: 'speed', type: 'number', history: 10 }]),
      store: '',
    },
    {
      ...TWIN_STATE_SETTINGS,
      id: 's1',
      z: 'f1',
      wires: [['out'], [], []],
    },
    { id: 'out', type: 'helper', z: 'f1' },
    ...finishNodes('s1'),
  ] as TestFlow;

  beforeEach(() => useSettings({ twinflowClock: new ManualClock() }));
  afterEach(async () => {
    await helper.unload();
    useSettings({});
  });

  it('receives both values of one item from one publish, in order (history shows both)', async () => {
    await helper.load([twinModel, twinState], flow);
    const sent = await batched((emit) => {
      emit(item('P1', 'speed'), good(1, 100));
      emit(item('P1', 'speed'), good(2, 200));
    });
    assert.equal(sent.length, 2);
    for (const [twin, payload] of sent) await sendAndWait('s1', { topic: twin, payload } as AnyMessage);
    const reply = nextMessage(helper.getNode('out') as Node);
    (helper.getNode('s1') as Node).receive({ topic: 'P1', action: 'get', history: true } as never);
    const got = await reply;
    const history = (got.history as Record<string, { timestamp: number; value: number }[]>).speed;
    assert.deepEqual(
      history.map((h) => [h.timestamp, h.value]),
      [
        [100, 1],
        [200, 2],
      ],
    );
    assert.equal((got.payload as Record<string, { value: number }>).speed.value, 2);
  });
});
