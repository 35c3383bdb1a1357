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
  lastStatus,
  loadNode,
  runtimeContext,
  startWithStores,
  stopWithStores,
  sendAndWait,
  type TestFlow,
  useSettings,
  waitFor,
} from '../helpers/node-red';
import { ZSCORE_ANOMALY_SETTINGS } from '../helpers/node-settings';

const twinAnomaly = loadNode('twin-anomaly');

function flow(extra: Record<string, unknown> = {}): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    {
      ...ZSCORE_ANOMALY_SETTINGS,
      id: 'a1',
      z: 'f1',
      wires: [['out'], ['alarm']],
      ...extra,
    },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'alarm', type: 'helper', z: 'f1' },
    ...finishNodes('a1'),
  ] as TestFlow;
}

const node = (id: string): Node => helper.getNode(id) as Node;

const send = (msg: AnyMessage): Promise<void> => sendAndWait('a1', msg);

/** A deterministic noisy signal around 60. */
const noisy = (i: number): number => 60 + Math.sin(i * 1.7) * 0.8 + Math.cos(i * 0.37) * 0.4;

type Anomaly = {
  score: number;
  warmingUp: boolean;
  alarm: boolean;
  contributors: { signal: string; share: number }[];
};

describe('twin-anomaly node (built bundle, real runtime)', function () {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
    useSettings({ twinflowClock: clock });
  });
  afterEach(async () => {
    await helper.unload();
    useSettings({});
  });

  it('learns a number stream, scores a spike near 1, raises and clears the alarm on output 2', async () => {
    await helper.load(twinAnomaly, flow());
    const out = collect(node('out'));
    const alarms = collect(node('alarm'));
    for (let i = 0; i < 40; i++) await send({ topic: 'Bearing01', payload: noisy(i) });
    const learned = out.at(-1)!.anomaly as Anomaly & { signals: Record<string, { expected: number }> };
    assert.equal(learned.warmingUp, false);
    assert.ok(learned.score < 0.999, `normal reading scored ${learned.score}`);
    assert.ok(Math.abs(learned.signals.temperature.expected - 60) < 1, 'the expected value is about 60');
    await send({ topic: 'Bearing01', payload: 75 });
    const spike = out.at(-1)!.anomaly as Anomaly;
    assert.ok(spike.score > 0.999);
    assert.deepEqual(
      alarms.map((a) => (a.payload as { event: string }).event),
      ['raise'],
    );
    for (let i = 40; i < 44; i++) await send({ topic: 'Bearing01', payload: noisy(i) });
    assert.deepEqual(
      alarms.map((a) => (a.payload as { event: string; twin: string }).event),
      ['raise', 'clear'],
    );
    assert.equal(out.at(-1)!.payload, noisy(43), 'the message is passed on with msg.anomaly added');
  });

  it('reads twin-state samples, skips bad quality and stale ones, and keeps state per twin', async () => {
    await helper.load(twinAnomaly, flow({ signalName: 'value' }));
    const out = collect(node('out'));
    for (let i = 0; i < 30; i++) {
      await send({
        topic: 'P1',
        payload: { temperature: { value: noisy(i), quality: 'good' }, running: { value: true } },
      });
    }
    await send({ topic: 'P1', payload: { temperature: { value: 500, quality: 'bad' } } });
    const skipped = out.at(-1)!.anomaly as Anomaly & { signals: Record<string, { skipped?: boolean }> };
    assert.equal(skipped.signals.temperature.skipped, true);
    assert.equal(skipped.score, 0);
    await send({ topic: 'P2', payload: { temperature: 500 } });
    assert.equal((out.at(-1)!.anomaly as Anomaly).warmingUp, true, 'P2 has its own, fresh state');
  });

  it('pauses learning while the machine is not running or msg.learn is false', async () => {
    await helper.load(twinAnomaly, flow());
    const out = collect(node('out'));
    for (let i = 0; i < 30; i++) await send({ topic: 'P1', payload: { temperature: noisy(i) } });
    // a stopped machine cools down: scored, not learned
    for (let i = 0; i < 30; i++) await send({ topic: 'P1', payload: { temperature: 30, running: false } });
    await send({ topic: 'P1', payload: { temperature: 30 }, learn: false });
    assert.ok((out.at(-1)!.anomaly as Anomaly).score > 0.999, 'standstill was not learned as normal');
  });

  it('names the signal that broke the relationship with the multivariate detector', async () => {
    await helper.load(
      twinAnomaly,
      flow({ detector: 'hotelling', params: '{"warmup": 40}', signals: 'current, flow' }),
    );
    const out = collect(node('out'));
    for (let i = 0; i < 80; i++) {
      const load = 0.5 + 0.4 * Math.sin(i / 5);
      await send({
        topic: 'Pump01',
        payload: {
          current: 20 + 30 * load + 0.2 * Math.sin(i * 3.1),
          flow: 100 + 250 * load + Math.cos(i * 2.3),
        },
      });
    }
    await send({ topic: 'Pump01', payload: { current: 20 + 30 * 0.9, flow: 100 + 250 * 0.3 } });
    const result = out.at(-1)!.anomaly as Anomaly;
    assert.ok(result.score > 0.999, `score ${result.score}`);
    assert.equal(result.contributors.length, 2);
    assert.ok(Math.abs(result.contributors[0].share + result.contributors[1].share - 1) < 1e-9);
  });

  it('rejects bad input through Catch and leaves the learned state unchanged', async () => {
    await helper.load(twinAnomaly, flow());
    for (let i = 0; i < 25; i++) await send({ topic: 'P1', payload: { temperature: noisy(i) } });
    const stateKey = 'anomaly_P1';
    const before = JSON.stringify(node('a1').context().get(stateKey));
    const caught = collect(node('caught'));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const payload of [NaN, Infinity, 'hot', [1, 2], { temperature: NaN }, { temperature: '61' }, null]) {
      await send({ topic: 'P1', payload });
    }
    assert.equal(caught.length, 7);
    for (const c of caught) assert.match((c.error as { code: string }).code, /^TWINFLOW_/);
    assert.equal(JSON.stringify(node('a1').context().get(stateKey)), before);
  });

  it('with signals named, reads and checks only them: the rest of the payload passes through untouched', async () => {
    await helper.load(twinAnomaly, flow({ signals: 'temperature' }));
    const out = collect(node('out'));
    const caught = collect(node('caught'));
    for (let i = 0; i < 25; i++)
      await send({ topic: 'P1', payload: { temperature: noisy(i), running: true } });
    // What the node does not read cannot reach its state: a BigInt or a Map elsewhere is no concern of it (the full
    // check refused both before).
    const payload = { temperature: noisy(25), counter: 12345678901234567890n, extra: new Map([['a', 1]]) };
    await send({ topic: 'P1', payload });
    assert.equal(caught.length, 0);
    assert.equal(out.at(-1)!.payload, payload, 'the payload is passed on as it came');
    assert.equal((out.at(-1)!.anomaly as Anomaly).warmingUp, false);
    // What it reads is checked as before: the watched signal and the running property.
    const before = JSON.stringify(node('a1').context().get('anomaly_P1'));
    const watchedGetter = Object.defineProperty({}, 'temperature', { enumerable: true, get: () => 60 });
    for (const bad of [watchedGetter, { temperature: 1n }, { temperature: 60, running: new Map() }]) {
      await send({ topic: 'P1', payload: bad });
    }
    assert.equal(caught.length, 3);
    for (const c of caught) assert.match((c.error as { code: string }).code, /^TWINFLOW_/);
    assert.equal(JSON.stringify(node('a1').context().get('anomaly_P1')), before);
  });

  it('forgets a twin on msg.reset', async () => {
    await helper.load(twinAnomaly, flow());
    const out = collect(node('out'));
    for (let i = 0; i < 25; i++) await send({ topic: 'P1', payload: noisy(i) });
    await send({ topic: 'P1', reset: true });
    await send({ topic: 'P1', payload: noisy(0) });
    assert.equal((out.at(-1)!.anomaly as Anomaly).warmingUp, true);
  });

  it('reports an invalid configuration on every message', async () => {
    await helper.load(twinAnomaly, flow({ params: '{"window": "wide"}' }));
    const caught = collect(node('caught'));
    await send({ topic: 'P1', payload: 1 });
    assert.equal((caught[0].error as { code: string }).code, 'TWINFLOW_BAD_PARAMETER');
  });

  it('keeps what it learned across a runtime restart (real file context store)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinflow-anomaly-'));
    useSettings({
      twinflowClock: clock,
      contextStorage: { file: { module: 'localfilesystem', config: { dir, flushInterval: 30 } } },
    });
    try {
      await helper.load(twinAnomaly, flow({ store: 'file' }));
      await startWithStores();
      for (let i = 0; i < 30; i++) await send({ topic: 'P1', payload: noisy(i) });
      await stopWithStores();
      await startWithStores();
      const out = collect(node('out'));
      await send({ topic: 'P1', payload: noisy(30) });
      assert.equal((out[0].anomaly as Anomaly).warmingUp, false, 'no new warm-up after the restart');
    } finally {
      await helper.unload();
      await runtimeContext.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses 3.4e38 and 1e300 through Catch with the learned state byte-for-byte unchanged', async () => {
    await helper.load(
      twinAnomaly,
      flow({ detector: 'hotelling', params: '{"warmup": 20}', signals: 'a, b' }),
    );
    for (let i = 0; i < 30; i++) await send({ topic: 'P1', payload: { a: noisy(i), b: noisy(i + 3) } });
    const before = JSON.stringify(node('a1').context().get('anomaly_P1'));
    const caught = collect(node('caught'));
    for (const bad of [3.4e38, 1e300, -1e300]) await send({ topic: 'P1', payload: { a: bad, b: 1 } });
    assert.deepEqual(
      caught.map((c) => (c.error as { code: string }).code),
      ['TWINFLOW_BEYOND_MAGNITUDE', 'TWINFLOW_BEYOND_MAGNITUDE', 'TWINFLOW_BEYOND_MAGNITUDE'],
    );
    assert.equal(JSON.stringify(node('a1').context().get('anomaly_P1')), before);
    assert.equal(lastStatus(node('a1'))?.fill, 'red');
  });

  it('__proto__, constructor and toString are ordinary signal and key names', async () => {
    await helper.load(twinAnomaly, flow());
    const out = collect(node('out'));
    for (const key of ['__proto__', 'constructor', 'toString']) {
      for (let i = 0; i < 25; i++) {
        const payload = JSON.parse(
          `{"__proto__": ${noisy(i)}, "constructor": ${noisy(i + 1)}, "toString": 2}`,
        ) as object;
        await send({ topic: key, payload });
      }
      const anomaly = out.at(-1)!.anomaly as Anomaly & { signals: Record<string, { warmingUp: boolean }> };
      assert.deepEqual(Object.keys(anomaly.signals).sort(), ['__proto__', 'constructor', 'toString']);
      assert.equal(anomaly.warmingUp, false, `${key} learned`);
    }
  });

  it('limits: the 10,001st key and a 20,000-signal message are refused; nothing else changes', async function () {
    this.timeout(120_000);
    await helper.load(twinAnomaly, flow({ runningProperty: '' }));
    const caught = collect(node('caught'));
    const completed = collect(node('completed'));
    for (let i = 0; i < 10_000; i++) node('a1').receive({ topic: `k${i}`, payload: 1 } as never);
    await waitFor(() => completed.length === 10_000, 60_000, '10,000 keys');
    assert.equal(caught.length, 0);
    await send({ topic: 'k10000', payload: 1 });
    assert.equal((caught[0].error as { code: string }).code, 'TWINFLOW_TOO_MANY_KEYS');
    assert.equal(node('a1').context().get('anomaly_k10000'), undefined);
    assert.match(lastStatus(node('a1'))?.text ?? '', /10000 keys/);
    await send({
      topic: 'k1',
      payload: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`s${i}`, i])),
    });
    assert.equal((caught[1].error as { code: string }).code, 'TWINFLOW_TOO_MANY_SIGNALS');
    await send({ topic: 'x'.repeat(257), payload: 1 });
    assert.equal((caught[2].error as { code: string }).code, 'TWINFLOW_NAME_TOO_LONG');
  });

  it('train-then-monitor: status shows the training progress, then monitoring; rebaseline trains again', async () => {
    await helper.load(
      twinAnomaly,
      flow({
        mode: 'train-then-monitor',
        train: '30',
        trainUnit: 'samples',
        params: '{"window": 50, "warmup": 10}',
      }),
    );
    const out = collect(node('out'));
    for (let i = 0; i < 12; i++) {
      clock.advance(1000);
      await send({ topic: 'P1', payload: noisy(i) });
    }
    // The test runtime's RED._ returns the catalogue key; the catalogue says "training __done__/__total__".
    assert.equal(lastStatus(node('a1'))?.text, 'training');
    assert.equal((out.at(-1)!.anomaly as { phase: string }).phase, 'training');
    for (let i = 12; i < 31; i++) {
      clock.advance(1000);
      await send({ topic: 'P1', payload: noisy(i) });
    }
    assert.equal((out.at(-1)!.anomaly as { phase: string }).phase, 'monitoring');
    assert.equal(lastStatus(node('a1'))?.text, 'monitoring');
    clock.advance(1000);
    await send({ topic: 'P1', command: 'rebaseline' });
    clock.advance(1000);
    await send({ topic: 'P1', payload: noisy(40) });
    assert.equal((out.at(-1)!.anomaly as { phase: string }).phase, 'training');
    await send({ topic: 'P1', command: 'train-end' });
    await send({ topic: 'P1', payload: noisy(41) });
    assert.equal((out.at(-1)!.anomaly as { phase: string }).phase, 'monitoring');
  });

  it('a saved state that is not valid is replaced, with a warning, not a crash', async () => {
    await helper.load(twinAnomaly, flow());
    node('a1')
      .context()
      .set('anomaly_P1', {
        version: 2,
        detector: 'zscore',
        mode: 'online',
        units: { temperature: { detector: { n: null } } },
      });
    const warnings: unknown[] = [];
    (node('a1') as unknown as { warn: (m: unknown) => void }).warn = (m) => warnings.push(m);
    const out = collect(node('out'));
    await send({ topic: 'P1', payload: noisy(0) });
    assert.equal((out.at(-1)!.anomaly as Anomaly).warmingUp, true);
    assert.equal(warnings.length, 1);
  });
});
