import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Node } from 'node-red';
import { MQTT_BROKERS, type Broker } from '../helpers/brokers';
import { decodeSparkplug, encodeSparkplug, pumpReport, unsFlow } from '../helpers/uns';
import { withCatalogue } from '../helpers/catalogue';
import { TestBroker } from '../helpers/mqtt-broker';
import { collect, helper, loadNode, useSettings, waitFor, type TestFlow } from '../helpers/node-red';

const brokerNode = loadNode('twin-mqtt-broker');
const unsNode = withCatalogue(loadNode('twin-uns'));
const modelNode = loadNode('twin-model');

type Metric = {
  name?: string;
  alias?: number;
  datatype?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  longValue?: number;
  properties?: { keys: string[]; values: { intValue?: number }[] };
};
type Decoded = { timestamp?: number; seq?: number; metrics?: Metric[] };
const decode = (buf: Buffer): Decoded => decodeSparkplug<Decoded>(buf);

const flow = (url: string, protocolVersion: number, layout: string): TestFlow =>
  // No twin-state creates Pump01 here: these bridges may create twins from commands (off by default since version 3).
  unsFlow(url, protocolVersion, {
    layout,
    group: 'Plant1',
    edgeNode: 'Edge1',
    version: 2,
    createUnknown: true,
  });

const node = (id: string): Node => helper.getNode(id) as Node;

for (const kind of MQTT_BROKERS) {
  describe(`integration: twin-uns AWS shadow and Sparkplug B layouts (${kind.name})`, function () {
    this.timeout(30_000);
    let broker: Broker;
    let userDir: string;
    let clients: MqttClient[] = [];
    const seen: { topic: string; payload: Buffer }[] = [];

    const client = async (topic: string): Promise<MqttClient> => {
      const c = await mqtt.connectAsync(broker.url, { protocolVersion: kind.protocol, reconnectPeriod: 0 });
      c.on('message', (t, payload) => seen.push({ topic: t, payload }));
      await c.subscribeAsync(topic, { qos: 1 });
      clients.push(c);
      return c;
    };
    const on = (topic: string) => seen.filter((m) => m.topic === topic);

    beforeEach(async () => {
      userDir = mkdtempSync(join(tmpdir(), 'twinflow-uns-layouts-'));
      useSettings({ userDir });
      broker = kind.make();
      await broker.start();
      seen.length = 0;
    });
    afterEach(async () => {
      await helper.unload();
      await Promise.all(clients.map((c) => c.endAsync(true)));
      clients = [];
      useSettings({});
      rmSync(userDir, { recursive: true, force: true });
      await broker.dispose();
    });

    it('AWS shadow: reports to $aws/things/{twin}/shadow/update, takes deltas, rejects with code and reason', async () => {
      const c = await client('$aws/things/#');
      await helper.load([brokerNode, modelNode, unsNode], flow(broker.url, kind.protocol, 'aws'));
      const out = collect(node('out'));
      await new Promise((r) => setTimeout(r, 300));
      node('u1').receive(pumpReport(61.5) as never);
      await waitFor(() => on('$aws/things/Pump01/shadow/update').length === 1, 5000, 'the reported state');
      assert.deepEqual(JSON.parse(on('$aws/things/Pump01/shadow/update')[0].payload.toString()), {
        state: { reported: { flow: 61.5 } },
      });
      const delta = (state: object, clientToken: string) =>
        c.publishAsync(
          '$aws/things/Pump01/shadow/update/delta',
          JSON.stringify({ version: 7, timestamp: 1, state, clientToken }),
          { qos: 1 },
        );
      await delta({ speed: 1500 }, 'ok-1');
      await delta({ flow: 3 }, 'bad-1');
      await waitFor(
        () => out.length === 1 && on('$aws/things/Pump01/shadow/update/rejected').length === 1,
        5000,
        'one accepted, one rejected',
      );
      assert.deepEqual([out[0].topic, out[0].action, out[0].payload], ['Pump01', 'desire', { speed: 1500 }]);
      const rejected = JSON.parse(on('$aws/things/Pump01/shadow/update/rejected')[0].payload.toString()) as {
        code: number;
        message: string;
        clientToken: string;
      };
      assert.equal(rejected.code, 400);
      assert.match(rejected.message, /flow is not writable/);
      assert.equal(rejected.clientToken, 'bad-1');
    });

    it('Sparkplug B: NBIRTH, DBIRTH, DDATA by alias, rebirth on NCMD, DCMD to desire, DDEATH and NDEATH on close', async () => {
      const c = await client('spBv1.0/Plant1/#');
      await helper.load([brokerNode, modelNode, unsNode], flow(broker.url, kind.protocol, 'sparkplug'));
      const out = collect(node('out'));
      await waitFor(() => on('spBv1.0/Plant1/NBIRTH/Edge1').length === 1, 5000, 'NBIRTH');
      const nbirth = decode(on('spBv1.0/Plant1/NBIRTH/Edge1')[0].payload);
      assert.equal(nbirth.seq ?? 0, 0);
      const bdSeq = nbirth.metrics?.find((m) => m.name === 'bdSeq');
      assert.equal(bdSeq?.datatype, 4);
      assert.ok(nbirth.metrics?.some((m) => m.name === 'Node Control/Rebirth' && m.booleanValue === false));

      node('u1').receive(pumpReport(61.5) as never);
      await waitFor(() => on('spBv1.0/Plant1/DBIRTH/Edge1/Pump01').length === 1, 5000, 'DBIRTH');
      const dbirth = decode(on('spBv1.0/Plant1/DBIRTH/Edge1/Pump01')[0].payload);
      assert.equal(dbirth.seq, 1);
      const byName = Object.fromEntries((dbirth.metrics ?? []).map((m) => [m.name, m]));
      assert.equal(byName.flow.doubleValue, 61.5);
      assert.equal(byName.flow.datatype, 10);
      assert.deepEqual(byName.flow.properties, { keys: ['Quality'], values: [{ type: 3, intValue: 192 }] });
      assert.equal(byName.speed.doubleValue, 1000);

      node('u1').receive(pumpReport(62) as never);
      await waitFor(() => on('spBv1.0/Plant1/DDATA/Edge1/Pump01').length === 1, 5000, 'DDATA');
      const ddata = decode(on('spBv1.0/Plant1/DDATA/Edge1/Pump01')[0].payload);
      assert.equal(ddata.seq, 2);
      assert.deepEqual(
        (ddata.metrics ?? []).map((m) => [m.name, m.alias, m.doubleValue]),
        [[undefined, byName.flow.alias, 62]],
        'only the change, by alias',
      );

      // A host asks for a rebirth: NBIRTH (seq 0) and the twin's DBIRTH again.
      const command = encodeSparkplug;
      await c.publishAsync(
        'spBv1.0/Plant1/NCMD/Edge1',
        command({
          timestamp: 1,
          metrics: [{ name: 'Node Control/Rebirth', datatype: 11, booleanValue: true }],
        }),
      );
      await waitFor(
        () =>
          on('spBv1.0/Plant1/NBIRTH/Edge1').length === 2 &&
          on('spBv1.0/Plant1/DBIRTH/Edge1/Pump01').length === 2,
        5000,
        'rebirth',
      );
      // A write by alias to a writable metric becomes a desire; a write to a read-only one does not.
      await c.publishAsync(
        'spBv1.0/Plant1/DCMD/Edge1/Pump01',
        command({ timestamp: 2, metrics: [{ alias: byName.speed.alias, datatype: 10, doubleValue: 1500 }] }),
      );
      await c.publishAsync(
        'spBv1.0/Plant1/DCMD/Edge1/Pump01',
        command({ timestamp: 3, metrics: [{ name: 'flow', datatype: 10, doubleValue: 1 }] }),
      );
      await waitFor(() => out.length === 1, 5000, 'the desire');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(
        out.map((m) => [m.topic, m.action, m.payload]),
        [['Pump01', 'desire', { speed: 1500 }]],
      );

      if (broker instanceof TestBroker) {
        // The network drops without a DISCONNECT: the broker publishes the will, NDEATH with this session's bdSeq;
        // the edge node reconnects and is born again with the next bdSeq.
        const births = on('spBv1.0/Plant1/NBIRTH/Edge1').length;
        assert.equal(broker.dropClients('-spb'), 1);
        await waitFor(() => on('spBv1.0/Plant1/NDEATH/Edge1').length === 1, 5000, 'the will');
        const will = decode(on('spBv1.0/Plant1/NDEATH/Edge1')[0].payload);
        assert.equal(will.metrics?.find((m) => m.name === 'bdSeq')?.longValue ?? 0, bdSeq?.longValue ?? 0);
        await waitFor(() => on('spBv1.0/Plant1/NBIRTH/Edge1').length === births + 1, 10_000, 'born again');
        const reborn = decode(on('spBv1.0/Plant1/NBIRTH/Edge1').at(-1)!.payload);
        assert.equal(reborn.metrics?.find((m) => m.name === 'bdSeq')?.longValue, (bdSeq?.longValue ?? 0) + 1);
        seen.length = 0;
      }

      // A clean close: DDEATH for the twin, then NDEATH with the session's bdSeq.
      await helper.unload();
      await waitFor(
        () =>
          on('spBv1.0/Plant1/DDEATH/Edge1/Pump01').length === 1 &&
          on('spBv1.0/Plant1/NDEATH/Edge1').length === 1,
        5000,
        'deaths',
      );
      const ndeath = decode(on('spBv1.0/Plant1/NDEATH/Edge1')[0].payload);
      const sessionBdSeq = (bdSeq?.longValue ?? 0) + (broker instanceof TestBroker ? 1 : 0);
      assert.equal(ndeath.metrics?.find((m) => m.name === 'bdSeq')?.longValue ?? 0, sessionBdSeq);
    });
  });
}
