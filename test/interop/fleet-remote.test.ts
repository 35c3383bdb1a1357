import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import { MosquittoBroker } from '../helpers/mosquitto';
import { collect, helper, loadNode, waitFor, type AnyMessage, type TestFlow } from '../helpers/node-red';

const nodes = ['twin-mqtt-broker', 'twin-model', 'twin-state', 'twin-fleet'].map(loadNode);
const node = (id: string): Node => helper.getNode(id) as Node;
const PROPERTIES = JSON.stringify([
  { name: 'flow', type: 'number', unit: 'm3/h' },
  { name: 'speed', type: 'number', min: 0, max: 3000, writable: true },
]);

/** An owner (twin-state -> twin-fleet) and a fleet view (twin-fleet mirror -> its model, read by twin-state). */
function flow(url: string): TestFlow {
  const model = (id: string) => ({
    id,
    type: 'twin-model',
    name: `model ${id}`,
    properties: PROPERTIES,
    version: 1,
  });
  return [
    { id: 'f1', type: 'tab' },
    { id: 'b1', type: 'twin-mqtt-broker', url, protocolVersion: '5', version: 2 },
    model('mo'),
    model('mm'),
    {
      id: 's1',
      type: 'twin-state',
      z: 'f1',
      model: 'mo',
      action: 'msg',
      twinId: 'topic',
      twinIdType: 'msg',
      version: 1,
      wires: [['o1'], [], []],
    },
    {
      id: 'o1',
      type: 'twin-fleet',
      z: 'f1',
      broker: 'b1',
      model: 'mo',
      role: 'owner',
      prefix: 'T/L1',
      member: 'a',
      lease: 3,
      qos: 1,
      version: 1,
      wires: [['s1'], []],
    },
    {
      id: 'm1',
      type: 'twin-fleet',
      z: 'f1',
      broker: 'b1',
      model: 'mm',
      role: 'mirror',
      prefix: 'T',
      qos: 1,
      version: 1,
      wires: [['answers'], ['partitions']],
    },
    {
      id: 's2',
      type: 'twin-state',
      z: 'f1',
      model: 'mm',
      action: 'msg',
      twinId: 'topic',
      twinIdType: 'msg',
      version: 1,
      wires: [['reads'], [], []],
    },
    { id: 'c1', type: 'catch', z: 'f1', scope: ['s2'], uncaught: false, wires: [['caught']] },
    { id: 'answers', type: 'helper', z: 'f1' },
    { id: 'partitions', type: 'helper', z: 'f1' },
    { id: 'reads', type: 'helper', z: 'f1' },
    { id: 'caught', type: 'helper', z: 'f1' },
  ] as TestFlow;
}

describe('twin-fleet: remote twins in a fleet view (mosquitto)', function () {
  this.timeout(60_000);
  const broker = new MosquittoBroker();
  let url = '';
  before(async () => {
    url = await broker.start();
  });
  after(async () => {
    await helper.unload();
    await broker.dispose();
  });

  it('mirrors read-only, answers list and query, sends writes to the owner, and marks twins stale when the owner goes', async () => {
    await helper.load(nodes, flow(url));
    const store = () => (node('mo') as unknown as { store: { size: number } }).store;
    const mirrored = () =>
      (
        node('mm') as unknown as {
          store: {
            size: number;
            get(id: string): { stale?: boolean; desired: Record<string, { value: unknown }> } | undefined;
          };
        }
      ).store;
    const answers = collect(node('answers'));
    const partitions = collect(node('partitions'));
    const reads = collect(node('reads'));
    const caught = collect(node('caught'));
    const owner = () =>
      (node('o1') as unknown as { status: { lastCall?: { args: [{ text?: string }] } } }).status.lastCall
        ?.args[0].text ?? '';
    await waitFor(
      () => owner().startsWith('twin-fleet.status.owner') || owner().startsWith('owner'),
      10_000,
      'the owner to claim',
    );
    node('s1').receive({ topic: 'P1', payload: { flow: 5 } } as never);
    node('s1').receive({ topic: 'P2', payload: { flow: 1 } } as never);
    await waitFor(() => mirrored().size === 2, 5000, 'two mirrored twins');
    assert.equal(store().size, 2);

    node('s2').receive({ action: 'list' } as never);
    node('s2').receive({ action: 'query', query: 'flow > 4' } as never);
    await waitFor(() => reads.length === 2, 2000, 'list and query');
    assert.deepEqual(reads[0].payload, ['P1', 'P2']);
    assert.deepEqual(
      (reads[1].payload as { id: string }[]).map((t) => t.id),
      ['P1'],
    );

    node('s2').receive({ action: 'report', topic: 'P1', payload: { flow: 9 } } as never);
    await waitFor(() => caught.length === 1, 2000, 'the refused report');
    assert.match(String((caught[0].error as { message: string }).message), /read-only/);

    node('s2').receive({ action: 'desire', topic: 'P1', payload: { speed: 1450 } } as never);
    node('s2').receive({ action: 'desire', topic: 'P2', payload: { flow: 3 } } as never);
    await waitFor(() => answers.length === 2, 5000, 'the owner answers');
    const byTwin = Object.fromEntries(
      answers.map((a: AnyMessage) => [
        (a.payload as { twin: string }).twin,
        a.payload as Record<string, unknown>,
      ]),
    );
    assert.equal(byTwin.P1.event, 'accepted');
    assert.equal(byTwin.P1.value, 1450);
    assert.equal(byTwin.P2.event, 'rejected');
    assert.match(String(byTwin.P2.reason), /not writable/);
    await waitFor(
      () => mirrored().get('P1')?.desired.speed?.value === 1450,
      5000,
      'the desired value back in the mirror',
    );

    // The owner leaves (its offline message; a kill -9 makes the broker publish the same as its will).
    await (node('o1') as unknown as { close(removed: boolean): Promise<void> }).close(false);
    await waitFor(() => mirrored().get('P1')?.stale === true, 5000, 'stale twins');
    assert.ok(partitions.some((p) => (p.payload as { event: string }).event === 'offline'));
  });
});
