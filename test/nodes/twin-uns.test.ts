import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Node } from 'node-red';
import { TestBroker } from '../helpers/mqtt-broker';
import {
  collect,
  finishNodes,
  helper,
  lastStatus,
  loadNode,
  runtimeContext,
  sendAndWait,
  startWithStores,
  stopWithStores,
  useSettings,
  waitFor,
  type TestFlow,
} from '../helpers/node-red';
import { decodeSparkplug, pumpReport, unsFlow } from '../helpers/uns';
import { withCatalogue } from '../helpers/catalogue';

/**
 * twin-uns against aedes in this process (MQTT 3.1.1): what it refuses up front, what it does with what the broker
 * still refuses, commands for unknown twins and command bursts, Sparkplug bdSeq across redeploys and restarts, and
 * the broker node's protocol `auto`. The MQTT 5 and TLS cases against mosquitto are in test/interop.
 */
const brokerNode = loadNode('twin-mqtt-broker');
const unsNode = withCatalogue(loadNode('twin-uns'));
const modelNode = loadNode('twin-model');
const stateNode = loadNode('twin-state');
const NODES = [brokerNode, modelNode, unsNode, stateNode];

const node = (id: string): Node => helper.getNode(id) as Node;
const statusText = (): string => String(lastStatus(node('u1'))?.text);

/** unsFlow with a Catch and a Complete node on the bridge, and the bridge's second output wired to `dead`. */
function flow(
  url: string,
  uns: Record<string, unknown> = {},
  protocolVersion: number | string = 4,
): TestFlow {
  return [
    ...unsFlow(url, protocolVersion as number, { version: 3, ...uns }).map((n) =>
      n.id === 'u1' ? { ...n, wires: [['out'], ['dead']] } : n,
    ),
    { id: 'dead', type: 'helper', z: 'f1' },
    ...finishNodes('u1'),
  ] as TestFlow;
}

describe('twin-uns (aedes, MQTT 3.1.1)', function () {
  this.timeout(30_000);
  let broker: TestBroker;
  let userDir: string;
  let clients: MqttClient[] = [];
  const seen: { topic: string; body: string }[] = [];

  const listen = async (topic: string): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    c.on('message', (t, payload) => seen.push({ topic: t, body: payload.toString() }));
    await c.subscribeAsync(topic, { qos: 1 });
    clients.push(c);
    return c;
  };
  const on = (topic: string) => seen.filter((m) => m.topic === topic);
  const connected = () => waitFor(() => /^connected/.test(statusText()), 5000, 'connected');
  const outboxFile = () => join(userDir, 'twinflow-outbox', 'u1.jsonl');

  beforeEach(async () => {
    userDir = mkdtempSync(join(tmpdir(), 'twinflow-uns-node-'));
    useSettings({ userDir });
    broker = new TestBroker();
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

  it('a 70,000-character twin id: an error at Catch, nothing queued, other twins keep publishing, no crash on reconnect', async () => {
    await listen('Acme/#');
    await helper.load(NODES, flow(broker.url));
    await connected();
    const caught = collect(node('caught'));
    await sendAndWait('u1', pumpReport(1, { topic: 'x'.repeat(70_000) }));
    assert.equal(caught.length, 1);
    assert.match(String((caught[0].error as { message: string }).message), /over MQTT's 65535/);
    // While the broker is away nothing of it waits in the outbox; the broker comes back and all is well.
    const port = broker.port;
    await broker.stop();
    await waitFor(() => /^buffering/.test(statusText()), 5000, 'offline');
    await sendAndWait('u1', pumpReport(2, { topic: 'x'.repeat(70_000) }));
    await sendAndWait('u1', pumpReport(3, { topic: 'Pump02' }));
    assert.equal(caught.length, 2);
    assert.equal(readFileSync(outboxFile(), 'utf8').trim().split('\n').length, 1, 'only Pump02 waits');
    await broker.start(port);
    await listen('Acme/#');
    await waitFor(() => on('Acme/Plant1/L1/Pump02/flow').length === 1, 10_000, 'Pump02 after reconnect');
    await sendAndWait('u1', pumpReport(4));
    await waitFor(() => on('Acme/Plant1/L1/Pump01/flow').length === 1, 5000, 'Pump01 still publishing');
  });

  it('refuses a message over the size limit before it is queued', async () => {
    await helper.load(NODES, flow(broker.url, { maxMessageBytes: 200 }));
    await connected();
    const caught = collect(node('caught'));
    await sendAndWait('u1', {
      topic: 'Pump01',
      payload: { flow: { value: 1 }, speed: { value: 'y'.repeat(500) } },
    });
    assert.match(String((caught[0].error as { message: string }).message), /over the limit of 200/);
  });

  it('injective topics: twins "a/b" and "a_b" publish to different topics, and commands find each', async () => {
    await listen('Acme/#');
    await helper.load(NODES, flow(broker.url, { createUnknown: true }));
    await connected();
    await sendAndWait('u1', pumpReport(1, { topic: 'a/b' }));
    await sendAndWait('u1', pumpReport(2, { topic: 'a_b' }));
    await waitFor(() => seen.length === 2, 3000, 'two publishes');
    assert.deepEqual(seen.map((m) => m.topic).sort(), [
      'Acme/Plant1/L1/a%2Fb/flow',
      'Acme/Plant1/L1/a_b/flow',
    ]);
    const out = collect(node('out'));
    await clients[0].publishAsync('Acme/Plant1/L1/a%2Fb/speed/set', '10', { qos: 1 });
    await waitFor(() => out.length === 1, 3000, 'the desire');
    assert.equal(out[0].topic, 'a/b');
  });

  it('refuses /set for a twin that does not exist (unknown twin) and accepts it for one that does', async () => {
    const flows = [
      ...flow(broker.url),
      { id: 's1', type: 'twin-state', z: 'f1', model: 'm1', wires: [['u1']] },
    ] as TestFlow;
    await helper.load(NODES, flows);
    await connected();
    const commander = await listen('Acme/Plant1/L1/+/+/set/rejected');
    const out = collect(node('out'));
    node('s1').receive({ topic: 'Pump01', payload: { flow: 1, speed: 100 } } as never);
    await waitFor(() => seen.length === 0 && out.length === 0, 300, 'nothing yet');
    await new Promise((r) => setTimeout(r, 200));
    await commander.publishAsync('Acme/Plant1/L1/Ghost/speed/set', '1500', { qos: 1 });
    await commander.publishAsync('Acme/Plant1/L1/__proto__/speed/set', '1500', { qos: 1 });
    await commander.publishAsync('Acme/Plant1/L1/Pump01/speed/set', '1500', { qos: 1 });
    await waitFor(() => seen.length === 2 && out.length === 1, 5000, 'two refused, one accepted');
    assert.deepEqual(
      seen.map((m) => [m.topic, (JSON.parse(m.body) as { code: string }).code]),
      [
        ['Acme/Plant1/L1/Ghost/speed/set/rejected', 'unknownTwin'],
        ['Acme/Plant1/L1/__proto__/speed/set/rejected', 'unknownTwin'],
      ],
    );
    assert.deepEqual([out[0].topic, out[0].payload], ['Pump01', { speed: 1500 }]);
  });

  it('bounds command intake: over the queue limit a command is refused with "busy"; every command is answered', async () => {
    await helper.load(NODES, flow(broker.url, { createUnknown: true, commandQueue: 5 }));
    await connected();
    const commander = await listen('Acme/Plant1/L1/+/+/set/rejected');
    const out = collect(node('out'));
    // 300 twins, one command each: a busy reply per topic answers `count` commands (here one each).
    for (let i = 0; i < 300; i++)
      void commander.publish(`Acme/Plant1/L1/T${i}/speed/set`, String(i), { qos: 0 });
    const refused = () =>
      seen.reduce((n, m) => n + ((JSON.parse(m.body) as { count?: number }).count ?? 1), 0);
    await waitFor(() => out.length + refused() === 300, 10_000, 'an answer to each of 300 commands');
    const codes = seen.map((m) => (JSON.parse(m.body) as { code: string }).code);
    assert.ok(codes.length > 0 && codes.every((c) => c === 'busy'), `busy refusals: ${codes.length}`);
    assert.ok(out.length >= 5, 'the first ones were taken');
  });

  it('accepted values for a twin still waiting are merged: the newest is the desired value', async () => {
    await helper.load(NODES, flow(broker.url, { createUnknown: true, commandQueue: 5 }));
    await connected();
    const commander = await listen('Acme/Plant1/L1/+/+/set/rejected');
    const out = collect(node('out'));
    for (let i = 0; i < 300; i++)
      void commander.publish('Acme/Plant1/L1/Pump01/speed/set', String(i), { qos: 0 });
    await waitFor(
      () => (out.at(-1)?.payload as { speed?: number } | undefined)?.speed === 299,
      10_000,
      'the newest command taken',
    );
    assert.deepEqual(seen, [], 'nothing refused: a merged command is not refused');
    assert.ok(out.length <= 300);
  });

  it('a restart with a poisoned outbox file starts, logs and publishes the rest', async () => {
    mkdirSync(join(userDir, 'twinflow-outbox'), { recursive: true });
    const good = (v: number) =>
      JSON.stringify({
        topic: 'Acme/Plant1/L1/Pump01/flow',
        payload: `{"value":${v}}`,
        qos: 1,
        retain: false,
      });
    writeFileSync(
      outboxFile(),
      [
        good(1),
        '{"topic": "Acme/+/flow", "payload": "{}", "qos": 1, "retain": false}',
        'not json at all',
        JSON.stringify({ topic: 'x'.repeat(70_000), payload: '{}', qos: 1, retain: false }),
        '{"topic": 5}',
        good(2),
        '{"topic": "Acme/torn',
      ].join('\n'),
    );
    await listen('Acme/#');
    await helper.load(NODES, flow(broker.url));
    const warnings = (node('u1').warn as unknown as { args: unknown[][] }).args.map((a) => String(a[0]));
    assert.ok(
      warnings.some((w) => /5 unreadable or invalid lines skipped/.test(w)),
      warnings.join('; '),
    );
    await waitFor(() => seen.length === 2, 5000, 'the two good items');
    assert.deepEqual(
      seen.map((m) => (JSON.parse(m.body) as { value: number }).value),
      [1, 2],
    );
  });

  it('an item the broker keeps refusing becomes a dead letter (file and second output); the rest flows', async () => {
    await broker.stop();
    broker = new TestBroker({
      authorizePublish: (_client, packet, cb) =>
        cb(packet.topic.includes('Poison') ? new Error('refused') : null),
    });
    await broker.start();
    await listen('Acme/#');
    await helper.load(NODES, flow(broker.url));
    await connected();
    const dead = collect(node('dead'));
    await sendAndWait('u1', pumpReport(1, { topic: 'Poison' }));
    await sendAndWait('u1', pumpReport(2, { topic: 'Pump02' }));
    await waitFor(() => dead.length === 1, 15_000, 'the dead letter');
    assert.equal(dead[0].topic, 'Acme/Plant1/L1/Poison/flow');
    await waitFor(() => on('Acme/Plant1/L1/Pump02/flow').length >= 1, 5000, 'Pump02 delivered');
    const letters = readFileSync(join(userDir, 'twinflow-outbox', 'u1.dead.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(letters.length, 1);
    assert.equal((JSON.parse(letters[0]) as { topic: string }).topic, 'Acme/Plant1/L1/Poison/flow');
    await sendAndWait('u1', pumpReport(3, { topic: 'Pump03' }));
    await waitFor(() => on('Acme/Plant1/L1/Pump03/flow').length === 1, 5000, 'still publishing');
  });

  it('a node removed from the flow removes its outbox files', async () => {
    await helper.load(NODES, flow(broker.url));
    await connected();
    await broker.stop();
    await waitFor(() => /^buffering/.test(statusText()), 5000, 'offline');
    await sendAndWait('u1', pumpReport(1));
    assert.ok(existsSync(outboxFile()));
    await helper.setFlows(flow(broker.url).filter((n) => n.id !== 'u1') as TestFlow, 'full');
    assert.equal(existsSync(outboxFile()), false);
  });

  it('protocol auto: MQTT 5 refused by aedes, connected over 3.1.1 and the status says so', async () => {
    await helper.load(NODES, flow(broker.url, {}, 'auto'));
    await waitFor(() => statusText() === 'connected (MQTT 3.1.1)', 8000, 'connected over 3.1.1');
  });

  it('protocol 5 against a 3.1.1-only broker: a red status and a Catch error naming the cause, not a silent wait', async () => {
    await helper.load(NODES, flow(broker.url, {}, '5'));
    const caught = collect(node('caught'));
    await waitFor(() => caught.length >= 1, 8000, 'a Catch message');
    assert.match(
      String((caught[0].error as { message: string }).message),
      /protocol version refused by the broker/,
    );
    assert.equal(lastStatus(node('u1'))?.fill, 'red');
    assert.match(statusText(), /protocol version/);
  });
});

describe('twin-uns Sparkplug bdSeq (aedes, file context store)', function () {
  this.timeout(30_000);
  type Decoded = { metrics?: { name?: string; longValue?: number; intValue?: number }[] };
  const bdSeqOf = (buf: Buffer): number => {
    const m = decodeSparkplug<Decoded>(buf).metrics?.find((x) => x.name === 'bdSeq');
    return Number(m?.longValue ?? m?.intValue ?? 0);
  };

  it('increments bdSeq across two redeploys and a restart (NBIRTH and NDEATH decoded)', async () => {
    const broker = new TestBroker();
    await broker.start();
    const dir = mkdtempSync(join(tmpdir(), 'twinflow-spb-'));
    useSettings({
      userDir: dir,
      contextStorage: { default: { module: 'localfilesystem', config: { dir, flushInterval: 30 } } },
    });
    const births: number[] = [];
    const deaths: number[] = [];
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    c.on('message', (t, payload) => {
      if (t.includes('/NBIRTH/')) births.push(bdSeqOf(payload));
      if (t.includes('/NDEATH/')) deaths.push(bdSeqOf(payload));
    });
    await c.subscribeAsync('spBv1.0/#', { qos: 1 });
    const spb = (name: string) =>
      flow(broker.url, { layout: 'sparkplug', group: 'Plant1', edgeNode: 'Edge1', name }) as TestFlow;
    try {
      await helper.load(NODES, spb('a'));
      await startWithStores();
      // The session of the started flows (helper.load ran them once before the stores were open).
      await waitFor(() => /^connected/.test(String(lastStatus(node('u1'))?.text)), 5000, 'connected');
      await new Promise((r) => setTimeout(r, 300));
      const first = births.at(-1) ?? -1;
      births.length = 0;
      deaths.length = 0;
      await helper.setFlows(spb('b'), 'full');
      await waitFor(() => births.length === 1 && deaths.length === 1, 5000, 'after the first redeploy');
      await helper.setFlows(spb('c'), 'full');
      await waitFor(() => births.length === 2 && deaths.length === 2, 5000, 'after the second redeploy');
      await stopWithStores();
      await waitFor(() => deaths.length === 3, 5000, 'NDEATH at stop');
      await startWithStores();
      await waitFor(() => births.length === 3, 5000, 'after the restart');
      const next = (k: number) => (first + k) % 256;
      assert.deepEqual(
        births,
        [next(1), next(2), next(3)],
        'NBIRTH bdSeq: +1 at each redeploy and the restart',
      );
      assert.deepEqual(deaths, [next(0), next(1), next(2)], 'each NDEATH carries its session NBIRTH bdSeq');
    } finally {
      await c.endAsync(true);
      await helper.unload();
      await runtimeContext.close();
      useSettings({});
      rmSync(dir, { recursive: true, force: true });
      await broker.dispose();
    }
  });
});
