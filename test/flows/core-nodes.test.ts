import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Node } from 'node-red';
import { ManualClock } from '../helpers/clock';
import { helper, lastStatus, loadNode, useSettings, waitFor } from '../helpers/node-red';
import { withCatalogue } from '../helpers/catalogue';
import { PUMP_PROPERTIES } from '../helpers/uns';
import { comparable, CORE_NODES, ROUTES, routeFlow, Routes } from './routes';
import { PUMP_SIM_SETTINGS, ZSCORE_ANOMALY_SETTINGS } from '../helpers/node-settings';

/**
 * ARCHITECTURE.md, "accept by value, not by realm": payloads built by Node-RED's own core nodes (function, JSON,
 * template, change, mqtt in) give every TwinFlow node exactly the results of the same payload as plain objects.
 */
const T0 = Date.UTC(2026, 0, 1);

/** Each route's messages on one output port, compared with the plain route's. */
function assertSameAsPlain(routes: Routes, port: number, fields: string[], atLeast: number): void {
  const plain = comparable(routes.outputs.get(`plain-${port}`)!, 'plain', fields);
  assert.ok(
    plain.length >= atLeast,
    `the plain route produced ${plain.length} messages on output ${port + 1}`,
  );
  for (const route of ROUTES) {
    assert.deepEqual(
      comparable(routes.outputs.get(`${route}-${port}`)!, route, fields),
      plain,
      `${route} route`,
    );
  }
}

function assertSameErrors(routes: Routes, count: number): void {
  for (const route of ROUTES) {
    const codes = routes.errors.get(route)!.map((m) => (m.error as { code?: string }).code);
    assert.equal(codes.length, count, `${route}: ${codes.join(', ')}`);
    assert.deepEqual(
      codes,
      routes.errors.get('plain')!.map((m) => (m.error as { code?: string }).code),
    );
  }
}

describe('flows: payloads built by real core nodes are accepted by value', function () {
  this.timeout(30_000);
  let routes: Routes;
  let port: number;

  beforeEach(async () => {
    routes = new Routes();
    port = await routes.start();
  });
  afterEach(async () => {
    await helper.unload();
    useSettings({});
    await routes.stop();
  });

  it('twin-state: same twin, changes and events on every route', async () => {
    useSettings({ twinflowClock: new ManualClock(T0) });
    const model = {
      id: 'm1',
      type: 'twin-model',
      name: 'Pump',
      properties: JSON.stringify([
        { name: 'temperature', type: 'number', unit: 'degC', history: 5 },
        { name: 'state', type: 'enum', values: ['idle', 'running'] },
        { name: 'settings', type: 'object' },
      ]),
      store: '',
    };
    const state = () => ({
      type: 'twin-state',
      model: 'm1',
      action: 'msg',
      twinId: 'topic',
      twinIdType: 'msg',
      version: 1,
    });
    await helper.load(
      [loadNode('twin-model'), loadNode('twin-state'), ...CORE_NODES],
      routeFlow(state, 3, port, [model]),
    );
    await routes.ready(3);
    await routes.send({
      temperature: 20,
      state: 'idle',
      settings: { mode: 'auto', limits: { hi: 5, lo: null }, tags: ['a', 'b'] },
    });
    await routes.send({
      temperature: { value: 21.5, quality: 'good', unit: 'degC', sourceTimestamp: T0 - 1000 },
    });
    await routes.send({ settings: { limits: { hi: null, lo: 1 } }, state: 'running' });
    await routes.send({ temperature: 'hot' });
    assert.ok(
      routes.realms.length > 0 && routes.realms.every((r) => r === 'function'),
      'the function route crossed realms',
    );
    assertSameAsPlain(routes, 0, ['payload', 'twin', 'changes'], 3);
    assertSameAsPlain(routes, 2, ['payload'], 1);
    assertSameErrors(routes, 1);
    const last = routes.outputs.get('function-0')!.at(-1)!;
    assert.deepEqual((last.twin as { state: { reported: { settings: unknown } } }).state.reported.settings, {
      mode: 'auto',
      limits: { lo: 1 },
      tags: ['a', 'b'],
    });
  });

  it('twin-anomaly: same scores and alarms on every route', async () => {
    useSettings({ twinflowClock: new ManualClock(T0) });
    const anomaly = () => ({ ...ZSCORE_ANOMALY_SETTINGS });
    await helper.load([loadNode('twin-anomaly'), ...CORE_NODES], routeFlow(anomaly, 2, port));
    await routes.ready(2);
    for (let i = 0; i < 30; i++) {
      await routes.send({ temperature: { value: 60 + Math.sin(i) * 0.5, quality: 'good' }, running: true });
    }
    await routes.send({ temperature: 75, running: true });
    await routes.send({ temperature: [1, 2] });
    assertSameAsPlain(routes, 0, ['anomaly', 'payload'], 31);
    assertSameAsPlain(routes, 1, ['anomaly'], 1);
    assertSameErrors(routes, 1);
  });

  it('twin-sim: same simulation steps on every route', async () => {
    useSettings({ twinflowClock: new ManualClock(T0) });
    const sim = () => ({ ...PUMP_SIM_SETTINGS });
    await helper.load([loadNode('twin-sim'), ...CORE_NODES], routeFlow(sim, 3, port));
    await routes.ready(3);
    for (let i = 0; i < 5; i++) await routes.send({ speed: 60 + 10 * i, valve: 80 });
    await routes.send({ speed: 'fast' });
    assertSameAsPlain(routes, 0, ['payload'], 5);
    assertSameErrors(routes, 1);
  });

  it('twin-uns: same MQTT publications on every route', async () => {
    const userDir = mkdtempSync(join(tmpdir(), 'twinflow-flows-uns-'));
    useSettings({ userDir });
    let listener: MqttClient | undefined;
    try {
      const shared = [
        { id: 'b1', type: 'twin-mqtt-broker', url: routes.broker.url, protocolVersion: 4, version: 1 },
        {
          id: 'm1',
          type: 'twin-model',
          name: 'Pump',
          properties: JSON.stringify(PUMP_PROPERTIES),
          enterprise: 'Acme',
          site: 'Plant1',
          area: '',
          line: 'L1',
          cell: '',
        },
      ];
      const uns = () => ({ type: 'twin-uns', broker: 'b1', model: 'm1', version: 1 });
      const published: { topic: string; body: string }[] = [];
      listener = await mqtt.connectAsync(routes.broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
      listener.on('message', (topic, body) => published.push({ topic, body: body.toString() }));
      await listener.subscribeAsync('Acme/#', { qos: 1 });
      await helper.load(
        [
          loadNode('twin-mqtt-broker'),
          loadNode('twin-model'),
          withCatalogue(loadNode('twin-uns')),
          ...CORE_NODES,
        ],
        routeFlow(uns, 2, port, shared),
      );
      await routes.ready(2);
      for (const route of ROUTES) {
        const bridge = helper.getNode(`tf-${route}`) as Node;
        await waitFor(
          () => /^connected/.test(String(lastStatus(bridge)?.text)),
          5000,
          `${route} bridge connected`,
        );
      }
      await routes.send({
        flow: { value: 12.5, quality: 'good', sourceTimestamp: T0 },
        speed: { value: 1000, quality: 'uncertain', sourceTimestamp: T0 },
      });
      await routes.send({ flow: { value: 13, sourceTimestamp: T0 + 1000 } });
      const byRoute = (route: string) =>
        published
          .filter((p) => p.topic.split('/')[3] === route)
          .map((p) => ({
            topic: p.topic.replace(`/${route}/`, '/TWIN/'),
            body: JSON.parse(p.body) as unknown,
          }));
      await waitFor(() => ROUTES.every((r) => byRoute(r).length >= 3), 5000, 'every bridge published');
      const plain = byRoute('plain');
      for (const route of ROUTES) assert.deepEqual(byRoute(route), plain, `${route} route`);
      assert.deepEqual(
        plain.map((p) => p.topic),
        ['Acme/Plant1/L1/TWIN/flow', 'Acme/Plant1/L1/TWIN/speed', 'Acme/Plant1/L1/TWIN/flow'],
      );
    } finally {
      await listener?.endAsync(true);
      await helper.unload();
      rmSync(userDir, { recursive: true, force: true });
    }
  });
});
