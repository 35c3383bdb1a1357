import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import type { Node } from 'node-red';
import { MQTT_BROKERS, type Broker } from '../helpers/brokers';
import { pumpReport, unsFlow } from '../helpers/uns';
import { withCatalogue } from '../helpers/catalogue';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  collect,
  helper,
  lastStatus,
  loadNode,
  useSettings,
  waitFor,
  type TestFlow,
} from '../helpers/node-red';

const brokerNode = loadNode('twin-mqtt-broker');
const unsNode = withCatalogue(loadNode('twin-uns'));
const modelNode = loadNode('twin-model');

const node = (id: string): Node => helper.getNode(id) as Node;

/** An independent MQTT client that records what arrives. */
async function listener(
  url: string,
  topic: string,
  protocolVersion: 4 | 5 = 4,
): Promise<{
  client: MqttClient;
  seen: { topic: string; body: Record<string, unknown>; retain: boolean }[];
}> {
  const client = await mqtt.connectAsync(url, { protocolVersion, reconnectPeriod: 0 });
  const seen: { topic: string; body: Record<string, unknown>; retain: boolean }[] = [];
  client.on('message', (t, payload, packet) =>
    seen.push({
      topic: t,
      body: JSON.parse(payload.toString()) as Record<string, unknown>,
      retain: packet.retain,
    }),
  );
  await client.subscribeAsync(topic, { qos: 1 });
  return { client, seen };
}

for (const kind of MQTT_BROKERS)
  describe(`integration: twin-uns against a real MQTT broker (${kind.name})`, function () {
    this.timeout(30_000);
    let broker: Broker;
    let clients: MqttClient[] = [];
    const protocol = kind.protocol;

    let userDir: string;
    const statusText = (): string => String(lastStatus(node('u1'))?.text);
    const stopBroker = (): Promise<void> => broker.stop();

    beforeEach(async () => {
      // The outbox lives in the user dir: a fresh one per test.
      userDir = mkdtempSync(join(tmpdir(), 'twinflow-uns-'));
      useSettings({ userDir });
      broker = kind.make();
      await broker.start();
    });
    afterEach(async () => {
      await helper.unload();
      useSettings({});
      rmSync(userDir, { recursive: true, force: true });
      await Promise.all(clients.map((c) => c.endAsync(true)));
      clients = [];
      await broker.dispose();
    });

    it('publishes changed properties by exception under the ISA-95 topic, retained, with unit, quality and timestamp', async () => {
      await helper.load([brokerNode, modelNode, unsNode], unsFlow(broker.url, protocol));
      await waitFor(() => /^connected \(MQTT/.test(String(lastStatus(node('u1'))?.text)), 5000, 'connected');
      node('u1').receive(pumpReport(61.5, { twin: { id: 'Pump01', version: 3 } }) as never);
      // A subscriber that arrives afterwards still gets the last values: they are retained.
      await new Promise((r) => setTimeout(r, 200));
      const late = await listener(broker.url, 'Acme/#', protocol);
      clients.push(late.client);
      await waitFor(() => late.seen.length >= 2, 3000, 'retained messages');
      const byTopic = Object.fromEntries(late.seen.map((m) => [m.topic, m]));
      assert.deepEqual(byTopic['Acme/Plant1/L1/Pump01/flow'].body, {
        value: 61.5,
        unit: 'm3/h',
        quality: 'good',
        timestamp: 1061.5,
      });
      assert.equal(byTopic['Acme/Plant1/L1/Pump01/flow'].retain, true);
      assert.equal(
        byTopic['Acme/Plant1/L1/Pump01/speed'],
        undefined,
        'unchanged properties are not published',
      );
      assert.deepEqual(byTopic['Acme/Plant1/L1/Pump01/_twin'].body, { id: 'Pump01', version: 3 });
    });

    it('accepts a command for a writable property and refuses others with the reason', async () => {
      // Pump01 is not in the model's store (no twin-state here): this bridge may create twins from commands.
      await helper.load(
        [brokerNode, modelNode, unsNode],
        unsFlow(broker.url, protocol, { createUnknown: true }),
      );
      const out = collect(node('out'));
      const commander = await listener(broker.url, 'Acme/Plant1/L1/+/+/set/rejected', protocol);
      clients.push(commander.client);
      await new Promise((r) => setTimeout(r, 300));
      await commander.client.publishAsync('Acme/Plant1/L1/Pump01/speed/set', '1500', { qos: 1 });
      await commander.client.publishAsync(
        'Acme/Plant1/L1/Pump01/speed/set',
        JSON.stringify({ value: 25, unit: 'Hz' }),
        { qos: 1 },
      );
      await commander.client.publishAsync('Acme/Plant1/L1/Pump01/flow/set', '10', { qos: 1 });
      await commander.client.publishAsync('Acme/Plant1/L1/Pump01/speed/set', '9999', { qos: 1 });
      // Two accepted (1500 rpm, and 25 Hz which is 1500 rpm): one desire each, or one for both when the second came
      // while the first still waited (accepted values for a twin are merged while they wait).
      await waitFor(() => out.length >= 1 && commander.seen.length === 2, 5000, 'accepted, and two refused');
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(out.length <= 2);
      for (const m of out)
        assert.deepEqual([m.topic, m.action, m.payload], ['Pump01', 'desire', { speed: 1500 }]);
      assert.match(String(commander.seen[0].body.reason), /flow is not writable/);
      assert.match(String(commander.seen[1].body.reason), /outside 0 \.\. 3000/);
    });

    it('buffers while the broker is down and delivers every QoS 1 update once, in order, marked historical', async () => {
      const port = broker.port;
      await helper.load([brokerNode, modelNode, unsNode], unsFlow(broker.url, protocol));
      await waitFor(() => /^connected \(MQTT/.test(String(lastStatus(node('u1'))?.text)), 5000, 'connected');
      node('u1').receive(pumpReport(1) as never);
      await new Promise((r) => setTimeout(r, 200));
      await broker.stop();
      await waitFor(() => /buffering/.test(String(lastStatus(node('u1'))?.text)), 5000, 'offline');
      for (let i = 2; i <= 20; i++) node('u1').receive(pumpReport(i) as never);
      await broker.start(port);
      const subscriber = await listener(broker.url, 'Acme/Plant1/L1/Pump01/flow', protocol);
      clients.push(subscriber.client);
      await waitFor(() => subscriber.seen.length >= 19, 10_000, 'the buffered updates');
      await new Promise((r) => setTimeout(r, 300));
      const values = subscriber.seen.map((m) => m.body.value);
      assert.deepEqual(
        values.slice(-19),
        Array.from({ length: 19 }, (_, i) => i + 2),
        'every update once, in order',
      );
      assert.ok(subscriber.seen.slice(-19).every((m) => m.body.historical === true));
    });

    it('keeps what waits for the broker on disk: a restart of Node-RED meanwhile loses nothing', async () => {
      const port = broker.port;
      await helper.load([brokerNode, modelNode, unsNode], unsFlow(broker.url, protocol));
      await waitFor(() => /^connected \(MQTT/.test(statusText()), 5000, 'connected');
      await stopBroker();
      await waitFor(() => /buffering/.test(statusText()), 5000, 'offline');
      for (let i = 1; i <= 30; i++) node('u1').receive(pumpReport(i) as never);
      await waitFor(() => statusText() === 'buffering 30', 2000, 'thirty buffered');
      const file = join(userDir, 'twinflow-outbox', 'u1.jsonl');
      assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 30, 'on disk');
      // Node-RED stops (the flow is unloaded), the broker comes back, Node-RED starts again with the same user dir.
      await helper.unload();
      await broker.start(port);
      const subscriber = await listener(broker.url, 'Acme/Plant1/L1/Pump01/flow', protocol);
      clients.push(subscriber.client);
      await helper.load([brokerNode, modelNode, unsNode], unsFlow(broker.url, protocol));
      await waitFor(() => subscriber.seen.length >= 30, 10_000, 'the updates buffered before the restart');
      assert.deepEqual(
        subscriber.seen.map((m) => m.body.value),
        Array.from({ length: 30 }, (_, i) => i + 1),
        'each once, in order',
      );
      await waitFor(() => readFileSync(file, 'utf8') === '', 2000, 'the outbox file emptied once delivered');
    });

    it('keeps at most the buffer size, dropping the oldest, and says how many were dropped', async () => {
      const small = unsFlow(broker.url, protocol).map((n) =>
        n.id === 'u1' ? { ...n, bufferSize: 5 } : n,
      ) as TestFlow;
      const port = broker.port;
      await helper.load([brokerNode, modelNode, unsNode], small);
      await waitFor(() => /^connected \(MQTT/.test(statusText()), 5000, 'connected');
      await stopBroker();
      await waitFor(() => /buffering/.test(statusText()), 5000, 'offline');
      for (let i = 1; i <= 12; i++) node('u1').receive(pumpReport(i) as never);
      await waitFor(() => statusText() === 'buffering 5, 7 dropped', 2000, 'five kept, seven dropped');
      await broker.start(port);
      const subscriber = await listener(broker.url, 'Acme/Plant1/L1/Pump01/flow', protocol);
      clients.push(subscriber.client);
      await waitFor(() => subscriber.seen.length >= 5, 10_000, 'the five newest');
      assert.deepEqual(
        subscriber.seen.map((m) => m.body.value),
        [8, 9, 10, 11, 12],
      );
    });
  });
