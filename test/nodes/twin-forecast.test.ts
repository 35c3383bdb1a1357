import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'node-red';
import { trainRulModel } from '../../src/core/rul/train';
import { syntheticFleet } from '../helpers/degradation';
import { ManualClock } from '../helpers/clock';
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
} from '../helpers/node-red';

const twinForecast = loadNode('twin-forecast');
const twinModel = loadNode('twin-model');

function flow(extra: Record<string, unknown> = {}, more: object[] = []): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    {
      id: 'fc',
      type: 'twin-forecast',
      z: 'f1',
      mode: 'trend',
      signals: '',
      signalName: 'bearingTemp',
      method: 'linear',
      window: '30',
      level: '90',
      horizon: '10',
      lookAhead: '1000',
      timeUnit: 'min',
      limit: '90',
      direction: 'above',
      report: 'change',
      change: '5',
      writeTwin: true,
      version: 1,
      wires: [['out'], ['twin']],
      ...extra,
    },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'twin', type: 'helper', z: 'f1' },
    ...finishNodes('fc'),
    ...more,
  ] as TestFlow;
}

const node = (id: string): Node => helper.getNode(id) as Node;
const send = (msg: AnyMessage): Promise<void> => sendAndWait('fc', msg);
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);

type Limit = {
  expected: number | null;
  lower: number | null;
  upper: number | null;
  crossed: boolean;
  at: number | null;
};
type Forecast = {
  twin: string;
  signals: Record<string, { limit?: Limit; horizon: { value: number }; path?: unknown[] }>;
  ignored: string[];
};

describe('twin-forecast node (built bundle, real runtime)', function () {
  this.timeout(30_000);
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock(T0);
    useSettings({ twinflowClock: clock });
  });
  afterEach(async () => {
    await helper.unload();
    useSettings({});
  });

  it('forecasts the time to a limit per twin, reports only when it moves, and writes tttLimit for twin-state', async () => {
    await helper.load(twinForecast, flow());
    const out = collect(node('out'));
    const twin = collect(node('twin'));
    // 60 + 0.1 °C per minute: 90 °C at minute 300.
    for (let i = 0; i < 60; i++) {
      await send({
        topic: 'Pump01',
        timestamp: T0 + i * MINUTE,
        payload: { bearingTemp: 60 + 0.1 * i + 0.05 * Math.sin(i * 1.7) },
      });
    }
    assert.ok(
      out.length >= 1 && out.length < 20,
      `${out.length} messages for 51 estimates: only when the estimate moved`,
    );
    const last = out.at(-1)!.forecast as Forecast;
    assert.equal(last.twin, 'Pump01');
    const limit = last.signals.bearingTemp.limit!;
    const truth = 300 - 59;
    assert.ok(Math.abs(limit.expected! - truth) < 10, `expected ${limit.expected} min`);
    assert.ok(limit.lower! <= limit.expected! && limit.expected! <= limit.upper!);
    const sampleAt = (last.signals.bearingTemp as unknown as { at: number }).at;
    assert.equal(limit.at, sampleAt + limit.expected! * MINUTE);
    assert.equal(twin.at(-1)!.topic, 'Pump01');
    assert.ok(Math.abs((twin.at(-1)!.payload as { tttLimit: number }).tttLimit - limit.expected!) < 5);
    // Statuses are offered at most every 250 ms and shown at most twice a second: one more sample, later.
    clock.advance(1000);
    await send({ topic: 'Pump01', timestamp: T0 + 60 * MINUTE, payload: { bearingTemp: 66 } });
    clock.advance(1000);
    assert.deepEqual(
      lastStatus(node('fc')),
      { fill: 'yellow', shape: 'dot', text: 'eta' },
      'a crossing is expected',
    );
  });

  it('a constant signal: no crossing; bad quality is ignored; a non-finite value and a time going back are refused without a change', async () => {
    await helper.load(twinForecast, flow({ report: 'every', writeTwin: false, signals: 'bearingTemp' }));
    const out = collect(node('out'));
    const caught = collect(node('caught'));
    for (let i = 0; i < 20; i++)
      await send({
        topic: 'P',
        timestamp: T0 + i * MINUTE,
        payload: { bearingTemp: { value: 70, quality: 'good' } },
      });
    assert.equal((out.at(-1)!.forecast as Forecast).signals.bearingTemp.limit!.expected, null);
    const before = JSON.stringify(node('fc').context().get('forecast_P'));
    await send({
      topic: 'P',
      timestamp: T0 + 20 * MINUTE,
      payload: { bearingTemp: { value: 500, quality: 'bad' } },
    });
    assert.deepEqual((out.at(-1)!.forecast as Forecast).ignored, ['bearingTemp']);
    await send({ topic: 'P', timestamp: T0 + 21 * MINUTE, payload: { bearingTemp: Number.NaN } });
    await send({ topic: 'P', timestamp: T0 + 22 * MINUTE, payload: { bearingTemp: 'hot' } });
    await send({ topic: 'P', timestamp: T0 + 5 * MINUTE, payload: { bearingTemp: 71 } });
    assert.deepEqual(
      caught.map((m) => (m.error as { code?: string }).code),
      ['TWINFLOW_BAD_SAMPLE', 'TWINFLOW_BAD_SAMPLE', 'TWINFLOW_TIME_BACKWARDS'],
    );
    assert.equal(JSON.stringify(node('fc').context().get('forecast_P')), before, 'state unchanged');
    assert.equal(lastStatus(node('fc'))?.fill, 'red');
  });

  it('takes the limit from the twin model when the setting is blank, and refuses keys beyond the limit', async () => {
    const model = {
      id: 'm1',
      type: 'twin-model',
      name: 'Pump',
      properties: JSON.stringify([{ name: 'bearingTemp', type: 'number', max: 80 }]),
    };
    await helper.load(
      [twinForecast, twinModel],
      flow({ limit: '', model: 'm1', maxKeys: '2', report: 'every' }, [model]),
    );
    const out = collect(node('out'));
    const caught = collect(node('caught'));
    for (let i = 0; i < 15; i++)
      await send({ topic: 'A', timestamp: T0 + i * MINUTE, payload: { bearingTemp: 60 + i } });
    assert.equal((out.at(-1)!.forecast as Forecast).signals.bearingTemp.limit!.expected !== null, true);
    assert.ok(Math.abs((out.at(-1)!.forecast as Forecast).signals.bearingTemp.limit!.expected! - 6) < 1e-6);
    await send({ topic: 'B', timestamp: T0, payload: { bearingTemp: 1 } });
    await send({ topic: 'C', timestamp: T0, payload: { bearingTemp: 1 } });
    assert.equal((caught.at(-1)!.error as { code?: string }).code, 'TWINFLOW_TOO_MANY_KEYS');
  });

  it('with path points, carries the forecast path for a chart', async () => {
    await helper.load(twinForecast, flow({ method: 'holt', pathPoints: '5', report: 'every', limit: '' }));
    const out = collect(node('out'));
    for (let i = 0; i < 12; i++) await send({ topic: 'P', timestamp: T0 + i * MINUTE, payload: 50 + i });
    const path = (out.at(-1)!.forecast as Forecast).signals.bearingTemp.path as {
      t: number;
      value: number;
    }[];
    assert.equal(path.length, 6);
    assert.equal(path[0].t, T0 + 11 * MINUTE);
    assert.ok(Math.abs(path[5].value - (61 + 10)) < 1e-6);
  });

  describe('RUL mode', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'twinflow-rul-node-'));
      const model = trainRulModel(syntheticFleet(30, 1), {
        boost: {
          trees: 40,
          depth: 4,
          learningRate: 0.1,
          minLeaf: 10,
          lambda: 1,
          subsample: 0.8,
          bins: 32,
          seed: 1,
        },
      });
      writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
      writeFileSync(join(dir, 'broken.json'), '{"format": "something else"}');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('estimates the RUL per twin from the model file, maps signals, and writes rul for twin-state', async () => {
      await helper.load(
        twinForecast,
        flow({
          mode: 'rul',
          rulModel: join(dir, 'model.json'),
          rulSignals: 'temp=bearingTemp',
          report: 'every',
        }),
      );
      const out = collect(node('out'));
      const twin = collect(node('twin'));
      const unit = syntheticFleet(1, 9).units[0];
      for (const row of unit.rows) {
        await send({
          topic: 'E1',
          payload: { bearingTemp: row[0], vib: row[1], press: { value: row[2], quality: 'good' } },
        });
      }
      const rul = (
        out.at(-1)!.forecast as { rul: { rul: number; lower: number; upper: number; cycles: number } }
      ).rul;
      assert.equal(rul.cycles, unit.rows.length);
      assert.ok(rul.rul < 15, `RUL at failure ${rul.rul}`);
      assert.ok(rul.lower <= rul.rul && rul.rul <= rul.upper);
      assert.equal(twin.at(-1)!.topic, 'E1');
      assert.equal(typeof (twin.at(-1)!.payload as { rul: number }).rul, 'number');
    });

    it('a model file that is not a RUL model is a clear error at deploy', async () => {
      await helper.load(twinForecast, flow({ mode: 'rul', rulModel: join(dir, 'broken.json') }));
      assert.match(lastStatus(node('fc'))?.text ?? '', /not a usable RUL model/);
      const caught = collect(node('caught'));
      await send({ topic: 'E1', payload: { temp: 1 } });
      assert.equal((caught[0].error as { code?: string }).code, 'TWINFLOW_BAD_RUL_MODEL');
    });
  });
});
