import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import mqtt, { type MqttClient } from 'mqtt';
import type { Node } from 'node-red';
import { TestBroker } from '../helpers/mqtt-broker';
import {
  type AnyMessage,
  collect,
  finishNodes,
  helper,
  lastStatus,
  loadNode,
  sendAndWait,
  type TestFlow,
  useSettings,
  waitFor,
} from '../helpers/node-red';
import { PLANT_NAMESPACE, PlantServer } from '../helpers/opcua-server';

/**
 * The input contracts of the nodes that talk to something, against the real thing: twin-opcua-map (write-back and
 * node-red-contrib-opcua messages) with a node-opcua server, twin-uns with an MQTT broker. Every message completes or
 * reaches Catch with a reason, a rejected write changes nothing on the server, nothing pollutes Object.prototype, and
 * the node still works afterwards.
 */
const RUNS = Number(process.env.TWINFLOW_FUZZ_RUNS ?? 1000);

const hostileValue = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -40000, max: 40000, noNaN: true }) },
  fc.constantFrom(NaN, Infinity, -Infinity, null, undefined, '', 'fast', true, 1e308, -1, 70000, 2 ** 53),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.anything({ maxDepth: 2 }),
  fc.record({ value: fc.oneof(fc.double(), fc.string()), unit: fc.constantFrom('rpm', 'Hz', 'degC', '') }),
);
const hostileTopic = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Pump01', 'Pump02', 'Pump99', '') },
  fc.constantFrom(
    'ns=2;s=Pump01.Speed',
    `nsu=${PLANT_NAMESPACE};s=Pump01.Speed`,
    'i=2258',
    's=nothing',
    'a/+/#',
  ),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.anything({ maxDepth: 0 }),
);
const hostileMessage = fc
  .record(
    {
      topic: hostileTopic,
      payload: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.dictionary(
            fc.constantFrom('speed', 'level', 'temperature', 'state', 'flow', 'torque'),
            hostileValue,
            { maxKeys: 3 },
          ),
        },
        fc.anything({ maxDepth: 3 }),
        hostileValue,
        fc
          .constantFrom('__proto__', 'constructor', 'prototype')
          .map((k) => JSON.parse(`{"${k}": {"polluted": 1}}`)),
      ),
      statusCode: fc.option(
        fc.oneof(fc.constantFrom('Good', 'BadNodeIdUnknown'), fc.anything({ maxDepth: 1 })),
        {
          nil: undefined,
        },
      ),
      sourceTimestamp: fc.option(fc.oneof(fc.integer(), fc.constantFrom(8.64e15 + 1, NaN, 'later')), {
        nil: undefined,
      }),
      changes: fc.option(fc.anything({ maxDepth: 2 }), { nil: undefined }),
      twin: fc.option(fc.anything({ maxDepth: 2 }), { nil: undefined }),
    },
    { requiredKeys: ['payload'] },
  )
  .map((msg) => ({ ...msg }));

/** Sends one hostile message to n1 and tallies it: completed, or refused, and a refusal must say why. */
async function sendCounted(
  msg: unknown,
  caught: AnyMessage[],
  tally: { completed: number; refused: number },
): Promise<'completed' | 'refused'> {
  caught.length = 0;
  await sendAndWait('n1', msg as AnyMessage, 5000);
  if (caught.length === 0) {
    tally.completed++;
    return 'completed';
  }
  tally.refused++;
  assert.ok(String((caught[0].error as { message?: string }).message).length > 0, 'a refusal says why');
  return 'refused';
}

const node = (id: string): Node => helper.getNode(id) as Node;

describe('fuzz: twin-opcua-map and twin-uns against a real server and broker', function () {
  this.timeout(300_000);
  let userDir: string;

  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'twinflow-fuzz-io-'));
    useSettings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    useSettings({});
    rmSync(userDir, { recursive: true, force: true });
  });

  it(`twin-opcua-map: ${RUNS} hostile write-backs and contrib-opcua messages; a refused write changes nothing`, async () => {
    const server = new PlantServer(2);
    await server.start();
    try {
      const mapping = JSON.stringify({
        namespace: PLANT_NAMESPACE,
        properties: [
          { property: 'speed', browsePath: 'Speed', samplingInterval: 1000, writable: true },
          { property: 'temperature', browsePath: 'Temperature', samplingInterval: 1000 },
          {
            property: 'level',
            nodeId: `nsu=${PLANT_NAMESPACE};s={instance}.RawLevel`,
            samplingInterval: 1000,
            scale: { rawLow: 0, rawHigh: 30000, engLow: 0, engHigh: 100, clamp: true },
            writable: true,
          },
          { property: 'state', browsePath: 'State', samplingInterval: 1000, writable: true },
        ],
        instances: [
          { twin: 'Pump01', root: 'Pump01' },
          { twin: 'Pump02', root: 'Pump02' },
        ],
      });
      await helper.load([loadNode('twin-opcua-endpoint'), loadNode('twin-opcua-map')], [
        { id: 'f1', type: 'tab' },
        {
          id: 'e1',
          type: 'twin-opcua-endpoint',
          url: server.url,
          securityMode: 'None',
          securityPolicy: 'None',
          version: 1,
        },
        {
          id: 'n1',
          type: 'twin-opcua-map',
          z: 'f1',
          endpoint: 'e1',
          mapping,
          version: 1,
          wires: [['values'], ['acks']],
        },
        { id: 'values', type: 'helper', z: 'f1' },
        { id: 'acks', type: 'helper', z: 'f1' },
        ...finishNodes('n1'),
      ] as TestFlow);
      const values = collect(node('values'));
      await waitFor(() => values.length > 0, 10_000, 'connected and first values');
      const caught = collect(node('caught'));
      const acks = collect(node('acks'));
      const tally = { completed: 0, refused: 0 };
      let written = 0;
      await fc.assert(
        fc.asyncProperty(hostileMessage, async (msg) => {
          const before = new Map(server.values);
          acks.length = 0;
          const outcome = await sendCounted(msg, caught, tally);
          const changed = [...server.values.keys()].filter((k) => server.values.get(k) !== before.get(k));
          if (outcome === 'refused') {
            assert.deepEqual(changed, [], 'a refused message changed the server');
          } else {
            // Every value that changed on the server was acknowledged as accepted, for that twin and property.
            const ack = (acks[0]?.payload ?? {}) as Record<string, { status: string }>;
            const property = { Speed: 'speed', RawLevel: 'level', State: 'state' } as Record<string, string>;
            for (const key of changed) {
              const [twin, variable] = key.split('.');
              assert.equal(acks[0]?.topic, twin, `${key} changed for another twin`);
              assert.equal(
                ack[property[variable]]?.status,
                'accepted',
                `${key} changed without an accepted ack`,
              );
              written++;
            }
          }
          assert.equal(({} as Record<string, unknown>).polluted, undefined);
        }),
        { numRuns: RUNS, seed: 2511, endOnFailure: true },
      );
      console.log(
        `      twin-opcua-map: ${RUNS} inputs tried, ${tally.completed} completed, ${tally.refused} refused, ${written} values written to the server`,
      );
      assert.ok(
        tally.completed > 0 && tally.refused > 0 && written > 0,
        'the generator exercises every path',
      );
      // Still working: a plain write goes through.
      await sendAndWait('n1', { topic: 'Pump02', payload: { speed: 1234 } }, 5000);
      assert.equal(server.get('Pump02', 'Speed'), 1234);
    } finally {
      await helper.unload();
      await server.dispose();
    }
  });

  it(`twin-opcua-server: ${RUNS} hostile twin updates; a client still reads what was accepted`, async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    await helper.load([loadNode('twin-opcua-server')], [
      { id: 'f1', type: 'tab' },
      {
        id: 'n1',
        type: 'twin-opcua-server',
        z: 'f1',
        port: String(port),
        host: '127.0.0.1',
        resourcePath: '/UA/Fuzz',
        namespace: 'urn:twinflow:fuzz',
        model: '',
        version: 1,
        wires: [[]],
      },
      ...finishNodes('n1'),
    ] as TestFlow);
    const caught = collect(node('caught'));
    await waitFor(
      () => /listening|127\.0\.0\.1|:\d+/.test(String(lastStatus(node('n1'))?.text)),
      15_000,
      'the server listening',
    );
    const tally = { completed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(hostileMessage, async (msg) => {
        await sendCounted(msg, caught, tally);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      }),
      { numRuns: RUNS, seed: 2513, endOnFailure: true },
    );
    console.log(
      `      twin-opcua-server: ${RUNS} inputs tried, ${tally.completed} completed, ${tally.refused} refused`,
    );
    assert.ok(tally.completed > 0 && tally.refused > 0, 'the generator exercises both paths');
    // Still serving: an OPC UA client reads a value sent after the fuzz.
    await sendAndWait(
      'n1',
      { topic: 'FuzzCheck', payload: { flow: { value: 42.5, quality: 'good' } } },
      5000,
    );
    const { OPCUAClient, AttributeIds } = await import('node-opcua');
    const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 1 } });
    await client.connect(`opc.tcp://127.0.0.1:${port}/UA/Fuzz`);
    try {
      const session = await client.createSession();
      const ns = (await session.readNamespaceArray()).indexOf('urn:twinflow:fuzz');
      const path = await session.translateBrowsePath({
        startingNode: 'ns=0;i=85',
        relativePath: {
          elements: [
            {
              referenceTypeId: 'ns=0;i=33',
              isInverse: false,
              includeSubtypes: true,
              targetName: { namespaceIndex: ns, name: 'FuzzCheck' },
            },
            {
              referenceTypeId: 'ns=0;i=33',
              isInverse: false,
              includeSubtypes: true,
              targetName: { namespaceIndex: ns, name: 'flow' },
            },
          ],
        },
      } as never);
      const nodeId = path.targets?.[0]?.targetId;
      assert.ok(nodeId, 'the twin and its property are in the address space');
      const dv = await session.read({ nodeId, attributeId: AttributeIds.Value });
      assert.equal(dv.value.value, 42.5);
      await session.close();
    } finally {
      await client.disconnect();
    }
  });

  it(`twin-uns: ${RUNS} hostile messages and commands; the bridge keeps publishing`, async () => {
    const broker = new TestBroker();
    await broker.start();
    let listener: MqttClient | undefined;
    try {
      await helper.load([loadNode('twin-mqtt-broker'), loadNode('twin-model'), loadNode('twin-uns')], [
        { id: 'f1', type: 'tab' },
        { id: 'b1', type: 'twin-mqtt-broker', url: broker.url, protocolVersion: 4, version: 1 },
        {
          id: 'm1',
          type: 'twin-model',
          name: 'Pump',
          properties: JSON.stringify([
            { name: 'flow', type: 'number', unit: 'm3/h' },
            { name: 'speed', type: 'number', unit: 'rpm', min: 0, max: 3000, writable: true },
          ]),
          enterprise: 'Acme',
          site: 'Plant1',
        },
        { id: 'n1', type: 'twin-uns', z: 'f1', broker: 'b1', model: 'm1', version: 2, wires: [['desires']] },
        { id: 'desires', type: 'helper', z: 'f1' },
        ...finishNodes('n1'),
      ] as TestFlow);
      listener = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
      const published: string[] = [];
      listener.on('message', (topic) => published.push(topic));
      await listener.subscribeAsync('#', { qos: 1 });
      const caught = collect(node('caught'));
      const desires = collect(node('desires'));
      await new Promise((r) => setTimeout(r, 300));
      const tally = { completed: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(
          hostileMessage,
          fc.option(hostileValue, { nil: undefined }),
          async (msg, command) => {
            await sendCounted(msg, caught, tally);
            // A hostile command from the broker side is checked, never trusted.
            if (command !== undefined) {
              const body = command === null ? 'null' : (JSON.stringify(command) ?? 'undefined');
              await listener?.publishAsync('Acme/Plant1/Pump01/speed/set', body, { qos: 0 });
            }
            assert.equal(({} as Record<string, unknown>).polluted, undefined);
          },
        ),
        { numRuns: RUNS, seed: 2512, endOnFailure: true },
      );
      await new Promise((r) => setTimeout(r, 500));
      for (const d of desires) {
        const speed = (d.payload as { speed?: unknown }).speed;
        assert.ok(
          typeof speed === 'number' && speed >= 0 && speed <= 3000,
          `only valid speeds become desires: ${String(speed)}`,
        );
      }
      assert.ok(
        published.every((t) => !t.includes('+') && !t.includes('#') && !t.includes('\u0000')),
        'no wildcard or NUL ever reaches a published topic',
      );
      console.log(
        `      twin-uns: ${RUNS} inputs tried, ${tally.completed} completed, ${tally.refused} refused; ${published.length} MQTT messages, ${desires.length} valid commands`,
      );
      assert.ok(tally.completed > 0 && tally.refused > 0, 'the generator exercises both paths');
      // Still working.
      published.length = 0;
      await sendAndWait('n1', { topic: 'PumpZ', payload: { flow: { value: 1, quality: 'good' } } }, 5000);
      await waitFor(() => published.includes('Acme/Plant1/PumpZ/flow'), 3000, 'a publish after the fuzz');
    } finally {
      await listener?.endAsync(true);
      await helper.unload();
      await broker.stop();
    }
  });
});
