import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { TestBroker } from '../helpers/mqtt-broker';
import { RuntimeProcess } from '../helpers/runtime-process';
import { PUMP_PROPERTIES } from '../helpers/uns';
import { BUILD_FUNCTION, HOSTILE_CLASSES, type Recipe, recipes } from './recipes';
import { PUMP_SIM_SETTINGS } from '../helpers/node-settings';

/**
 * Hostile input against a real Node-RED in a child process: for each node type, 1,000 generated messages, each
 * with a value of one class the store cannot carry (see recipes.ts), built by a function node behind an HTTP
 * endpoint. After every batch: the process lives, the admin API answers, every message produced exactly one Catch
 * message, the state read back through the runtime equals the state before, and the event loop never stalled for
 * 200 ms or more (measured inside the child).
 */
const PER_NODE = Number(process.env.TWINFLOW_HOSTILE_COUNT) || 1000;
const BATCH = 250;
const CONCURRENCY = 4;
const MAX_LOOP_DELAY_MS = 200;

interface Target {
  type: string;
  /** The node under test's config (id tf-<type>); it is wired output by output to the read-back reply. */
  node: Record<string, unknown>;
  outputs: number;
  /** Which output answers a read-back (snapshot or get). */
  readOutput?: number;
  /** The message fields of a read-back request through the node, if it has one. */
  readBack?: Record<string, unknown>;
  valid: Record<string, unknown>;
  base: Record<string, unknown>;
  keys: string[];
}

function targets(brokerUrl: string): Target[] {
  return [
    {
      type: 'twin-state',
      node: {
        type: 'twin-state',
        model: 'hm',
        action: 'msg',
        twinId: 'topic',
        twinIdType: 'msg',
        version: 1,
      },
      outputs: 3,
      readOutput: 0,
      readBack: { action: 'get' },
      valid: { temperature: 20, settings: { mode: 'auto', limits: { hi: 5 } } },
      base: { temperature: 21 },
      keys: ['settings', 'temperature', 'unknown'],
    },
    {
      type: 'twin-anomaly',
      node: {
        type: 'twin-anomaly',
        detector: 'zscore',
        params: '{"window": 50, "warmup": 5}',
        signals: '',
        signalName: 'temperature',
        runningProperty: '',
        threshold: '0.999',
        raiseK: '1',
        raiseN: '1',
        clearM: '3',
        learnInAlarm: false,
        store: '',
        version: 1,
      },
      outputs: 2,
      valid: { temperature: 60 },
      base: { temperature: 61 },
      keys: ['temperature', 'pressure'],
    },
    {
      type: 'twin-sim',
      node: PUMP_SIM_SETTINGS,
      outputs: 3,
      readOutput: 2,
      readBack: { command: 'snapshot' },
      valid: { speed: 80, valve: 90 },
      base: { speed: 70 },
      keys: ['speed', 'valve'],
    },
    {
      type: 'twin-uns',
      node: { type: 'twin-uns', broker: 'hb', model: 'hum', version: 1 },
      outputs: 2,
      valid: { flow: { value: 10, quality: 'good', sourceTimestamp: 1_000 } },
      base: { flow: { value: 11, quality: 'good', sourceTimestamp: 2_000 } },
      keys: ['flow', 'speed'],
    },
  ].map((t) => (t.type === 'twin-uns' ? { ...t, brokerUrl } : t));
}

const REPLY = (what: string): string => `
const key = '${what}';
flow.set(key, (flow.get(key) || 0) + 1);
if (msg.readBack) return null;
msg.payload = { outcome: key, code: msg.error && msg.error.code, message: msg.error && msg.error.message };
msg.statusCode = 200;
return msg;`;

const READ_REPLY = `
if (!msg.readBack) return null;
msg.payload = { twin: msg.twin, payload: msg.payload };
msg.statusCode = 200;
return msg;`;

/** One tab: per target an endpoint that builds hostile messages, one that reads back, Catch/Complete replies, stats. */
function hostileFlow(list: Target[], brokerUrl: string): object[] {
  const at = { x: 100, y: 100 };
  const nodes: object[] = [
    {
      id: 'hm',
      type: 'twin-model',
      name: 'Hostile',
      properties: JSON.stringify([
        { name: 'temperature', type: 'number', unit: 'degC' },
        { name: 'settings', type: 'object' },
      ]),
      store: '',
    },
    { id: 'hb', type: 'twin-mqtt-broker', url: brokerUrl, protocolVersion: 4, version: 1 },
    {
      id: 'hum',
      type: 'twin-model',
      name: 'Pump',
      properties: JSON.stringify(PUMP_PROPERTIES),
      enterprise: 'Acme',
      site: 'Plant1',
      area: '',
      line: 'L1',
      cell: '',
    },
    { id: 'stats-in', type: 'http in', url: '/hostile-stats', method: 'get', ...at, wires: [['stats']] },
    {
      id: 'stats',
      type: 'function',
      func: `msg.payload = { caught: flow.get('caught') || 0, completed: flow.get('completed') || 0 }; return msg;`,
      outputs: 1,
      ...at,
      wires: [['reply']],
    },
    { id: 'reply', type: 'http response', statusCode: '', headers: {}, ...at },
  ];
  const tfs = list.map((t) => `tf-${t.type}`);
  nodes.push(
    { id: 'catch', type: 'catch', scope: tfs, uncaught: false, ...at, wires: [['caught']] },
    { id: 'caught', type: 'function', func: REPLY('caught'), outputs: 1, ...at, wires: [['reply']] },
    { id: 'complete', type: 'complete', scope: tfs, uncaught: false, ...at, wires: [['completed']] },
    { id: 'completed', type: 'function', func: REPLY('completed'), outputs: 1, ...at, wires: [['reply']] },
    { id: 'read-reply', type: 'function', func: READ_REPLY, outputs: 1, ...at, wires: [['reply']] },
  );
  for (const t of list) {
    const tf = `tf-${t.type}`;
    const wires = Array.from({ length: t.outputs }, (_, i) => (i === t.readOutput ? ['read-reply'] : []));
    nodes.push(
      { ...t.node, id: tf, ...at, wires },
      {
        id: `in-${t.type}`,
        type: 'http in',
        url: `/hostile/${t.type}`,
        method: 'post',
        ...at,
        wires: [[`build-${t.type}`]],
      },
      // Exactly one wire: Node-RED would copy a message sent to several.
      { id: `build-${t.type}`, type: 'function', func: BUILD_FUNCTION, outputs: 1, ...at, wires: [[tf]] },
    );
    if (t.readBack) {
      nodes.push(
        {
          id: `read-in-${t.type}`,
          type: 'http in',
          url: `/read/${t.type}`,
          method: 'get',
          ...at,
          wires: [[`read-${t.type}`]],
        },
        {
          id: `read-${t.type}`,
          type: 'function',
          func: `msg.topic = 'H1'; msg.readBack = true; Object.assign(msg, ${JSON.stringify(t.readBack)}); return msg;`,
          outputs: 1,
          ...at,
          wires: [[tf]],
        },
      );
    }
  }
  return nodes;
}

describe('hostile input against a Node-RED child process', function () {
  this.timeout(120_000);
  let runtime: RuntimeProcess;
  const broker = new TestBroker();
  let listener: MqttClient;
  const published: string[] = [];
  let list: Target[];

  const post = async (
    type: string,
    recipe: Pick<Recipe, 'topic' | 'payload'>,
  ): Promise<{ outcome: string; code?: string }> => {
    let res: Response;
    try {
      res = await fetch(`${runtime.url}/hostile/${type}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(recipe),
        // A message that never finishes (no Catch, no Complete) fails here, naming it, instead of timing out the test.
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      const logs = runtime.alive
        ? (await runtime.logs()).map((l) => l.msg.slice(0, 300))
        : ['(process gone)'];
      throw new Error(
        `no answer for ${JSON.stringify(recipe).slice(0, 300)}: ${String(err)}; logs: ${logs.join(' | ')}`,
      );
    }
    assert.equal(res.status, 200, `HTTP ${res.status} for ${JSON.stringify(recipe).slice(0, 200)}`);
    return (await res.json()) as { outcome: string; code?: string };
  };
  const stats = async (): Promise<{ caught: number; completed: number }> =>
    (await (await fetch(`${runtime.url}/hostile-stats`)).json()) as { caught: number; completed: number };

  /** The node's state as the runtime gives it back: through the node where it can answer, else its context. */
  const stateOf = async (t: Target): Promise<string> => {
    if (t.readBack) return JSON.stringify(await (await fetch(`${runtime.url}/read/${t.type}`)).json());
    if (t.type === 'twin-uns') return JSON.stringify(published);
    const res = await fetch(`${runtime.url}/context/node/tf-${t.type}`);
    assert.equal(res.status, 200);
    return JSON.stringify(await res.json());
  };

  before(async () => {
    await broker.start();
    listener = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    listener.on('message', (topic, body) => published.push(`${topic} ${body.toString()}`));
    await listener.subscribeAsync('#', { qos: 1 });
    list = targets(broker.url);
    runtime = await RuntimeProcess.start({ editor: true });
    const result = await runtime.deploy('hostile', hostileFlow(list, broker.url), 500);
    assert.deepEqual(result.missing, []);
    assert.equal(result.deployError, undefined);
    assert.deepEqual(result.notStarted, []);
  });
  after(async () => {
    await runtime?.stop();
    await listener?.endAsync(true);
    await broker.stop();
  });

  for (const [index, type] of ['twin-state', 'twin-anomaly', 'twin-sim', 'twin-uns'].entries()) {
    it(`${type}: ${PER_NODE} hostile messages, each refused once at Catch, state unchanged, loop free`, async () => {
      const t = list.find((x) => x.type === type)!;
      if (type === 'twin-uns') {
        const deadline = Date.now() + 10_000;
        // The bridge publishes the valid message once connected; wait for it so the state is settled.
        for (;;) {
          assert.equal((await post(type, { topic: 'H1', payload: t.valid })).outcome, 'completed');
          if (published.length > 0 || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.ok(published.length > 0, 'the bridge published the valid message');
        await new Promise((r) => setTimeout(r, 300));
      } else {
        for (let i = 0; i < 6; i++) {
          assert.equal((await post(type, { topic: 'H1', payload: t.valid })).outcome, 'completed');
        }
      }
      const all = recipes(t.base, t.keys, PER_NODE, 1000 + index);
      assert.deepEqual(
        [...new Set(all.map((r) => r.hostile))].sort(),
        [...HOSTILE_CLASSES].sort(),
        'every hostile class is generated',
      );
      await runtime.loopDelay(); // reset: the measurement covers the batches only
      const before = await stateOf(t);
      for (let from = 0; from < all.length; from += BATCH) {
        const batch = all.slice(from, from + BATCH);
        const counted = await stats();
        const answers: { outcome: string; code?: string }[] = [];
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < batch.length) {
              const recipe = batch[next++];
              const answer = await post(type, recipe);
              assert.equal(
                answer.outcome,
                'caught',
                `${recipe.hostile} was not refused: ${JSON.stringify(recipe).slice(0, 300)}`,
              );
              assert.match(String(answer.code), /^TWINFLOW_/, `${recipe.hostile}: ${JSON.stringify(answer)}`);
              answers.push(answer);
            }
          }),
        );
        assert.ok(runtime.alive, 'the runtime process is alive');
        const admin = await fetch(`${runtime.url}/settings`);
        assert.equal(admin.status, 200, 'the admin API answers');
        const after = await stats();
        assert.equal(
          after.caught - counted.caught,
          batch.length,
          'exactly one Catch message per refused message',
        );
        assert.equal(after.completed, counted.completed, 'no hostile message completed');
        assert.equal(await stateOf(t), before, 'the state read back equals the state before');
        const delay = await runtime.loopDelay();
        assert.ok(delay < MAX_LOOP_DELAY_MS, `event loop stalled ${delay.toFixed(0)} ms`);
        console.log(
          `      ${type}: ${from + batch.length} refused, max event-loop delay ${delay.toFixed(1)} ms`,
        );
      }
      const logs = await runtime.logs();
      assert.deepEqual(
        logs.filter((l) => /Unhandled|uncaught|RangeError|Maximum call stack/i.test(l.msg)).map((l) => l.msg),
        [],
      );
    });
  }
});
