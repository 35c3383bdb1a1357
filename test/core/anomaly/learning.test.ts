import assert from 'node:assert/strict';
import {
  createEngine,
  engineCommand,
  engineInit,
  engineRestore,
  engineUpdate,
  readSignals,
  type Engine,
  type SignalInput,
  type TwinAnomalyState,
} from '../../../src/core/anomaly/engine';
import { hotelling } from '../../../src/core/anomaly/hotelling';
import { DETECTOR_NAMES } from '../../../src/core/anomaly/registry';
import { MIGRATIONS, parse, VERSION } from '../../../src/core/nodes/twin-anomaly';
import { migrateConfig } from '../../../src/core/nodes/migrate';
import { fQuantileUpper, fUpperTail } from '../../../src/core/stats/f-distribution';
import { ewVariance, ewVarianceAdd } from '../../../src/core/stats/ew-variance';

/** Seeded Gaussian noise (mulberry32 + Box-Muller), so every run sees the same series. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function engineFor(settings: Record<string, unknown>): Engine {
  const spec = parse(settings);
  if ('errors' in spec) throw new Error(spec.errors.join('; '));
  return createEngine(spec.config.engine);
}

const T0 = Date.UTC(2026, 0, 1);

function inputsOf(values: Record<string, number>, t: number): Record<string, SignalInput> {
  const inputs = Object.create(null) as Record<string, SignalInput>;
  for (const name of Object.keys(values)) inputs[name] = { value: values[name], timestamp: t, skip: false };
  return inputs;
}

/** Feeds samples i = from..to-1 (one per second); returns the raise/clear events with their sample index. */
function feed(
  state: TwinAnomalyState,
  engine: Engine,
  from: number,
  to: number,
  sample: (i: number) => Record<string, number>,
  alarms: boolean[] = [],
): { i: number; event: string }[] {
  const events: { i: number; event: string }[] = [];
  for (let i = from; i < to; i++) {
    const t = T0 + i * 1000;
    const { result } = engineUpdate(state, inputsOf(sample(i), t), engine, t, true);
    if (result.event) events.push({ i, event: result.event });
    alarms[i] = result.alarm;
  }
  return events;
}

const STEP_DETECTORS = ['zscore', 'ewma', 'mad', 'cusum', 'hotelling'] as const;

describe('twin-anomaly engine: learning modes, per-signal alarms, robust state', () => {
  describe('a +5 sigma level step held for 10,000 samples', () => {
    const STEP = 1000;
    const END = STEP + 10_000;
    for (const detector of STEP_DETECTORS) {
      const signals = detector === 'hotelling' ? 'a,b' : '';
      const noise = gaussian(11);
      const series = Array.from({ length: END }, (_, i) => {
        const common = noise();
        return { a: common + (i >= STEP ? 5 : 0), b: 0.8 * common + 0.6 * noise() + (i >= STEP ? 5 : 0) };
      });
      const sample = (i: number) => (detector === 'hotelling' ? series[i] : { a: series[i].a });

      it(`${detector}, online: raises within 10 samples, clears within adaptAfter + clearM, raises once`, () => {
        const engine = engineFor({ detector, signals });
        const { adaptAfter, alarm } = engine.config;
        const state = engineInit(engine);
        const events = feed(state, engine, 0, END, sample);
        const raise = events.find((e) => e.event === 'raise');
        assert.ok(raise && raise.i >= STEP && raise.i < STEP + 10, JSON.stringify(events.slice(0, 4)));
        const clear = events.find((e) => e.event === 'clear');
        assert.ok(clear, 'the alarm clears');
        assert.ok(clear.i <= raise.i + adaptAfter.samples + alarm.clearM, `cleared at ${clear.i}`);
        if (detector !== 'cusum') {
          // Absorbed by the down-weighted learning, before the horizon's relearning (cusum judges against a fixed
          // reference and needs the relearning).
          assert.ok(clear.i < raise.i + adaptAfter.samples, `cleared at ${clear.i}, before the horizon`);
        }
        assert.deepEqual(
          events.map((e) => e.event),
          ['raise', 'clear'],
          'the new regime became the new normal',
        );
      });

      it(`${detector}, train-then-monitor: stays raised until rebaseline, then clears after training`, () => {
        const engine = engineFor({ detector, signals, mode: 'train-then-monitor', train: '400' });
        const state = engineInit(engine);
        const alarms: boolean[] = [];
        const before = feed(state, engine, 0, STEP + 5000, sample, alarms);
        assert.deepEqual(
          before.map((e) => e.event),
          ['raise'],
        );
        assert.ok(before[0].i < STEP + 10);
        assert.ok(alarms.slice(before[0].i).every(Boolean), 'raised all along while away from the baseline');
        engineCommand(state, 'rebaseline', engine, T0 + (STEP + 5000) * 1000);
        const after = feed(state, engine, STEP + 5000, END, sample);
        assert.deepEqual(
          after.map((e) => e.event),
          ['clear'],
        );
        assert.ok(
          after[0].i <= STEP + 5000 + 400 + engine.config.alarm.clearM,
          `cleared at ${after[0].i}, once trained on the new level`,
        );
      });
    }
  });

  it('auto, online: a +5 sigma step raises within 10 samples, once, and clears', () => {
    const engine = engineFor({ detector: 'auto' });
    const state = engineInit(engine);
    const noise = gaussian(11);
    const events = feed(state, engine, 0, 11_000, (i) => ({ a: noise() + (i >= 1000 ? 5 : 0) }));
    assert.deepEqual(
      events.map((e) => e.event),
      ['raise', 'clear'],
    );
    assert.ok(events[0].i >= 1000 && events[0].i < 1010, `raised at ${events[0].i}`);
  });

  it('online with a horizon in time: a step is absorbed within adaptAfter minutes plus the clear count', () => {
    const engine = engineFor({ detector: 'ewma', adaptAfter: '10', adaptUnit: 'minutes' });
    const state = engineInit(engine);
    const noise = gaussian(17);
    // One sample a second: 600 samples in 10 minutes.
    const events = feed(state, engine, 0, 3000, (i) => ({ a: noise() + (i >= 1000 ? 5 : 0) }));
    assert.deepEqual(
      events.map((e) => e.event),
      ['raise', 'clear'],
    );
    assert.ok(events[1].i < events[0].i + 600, `cleared at ${events[1].i}, before the horizon's relearning`);
    const restored = engineRestore(JSON.parse(JSON.stringify(state)), engine);
    assert.ok(restored, 'the learning weight survives a JSON round trip');
  });

  it('online, in alarm: a short excursion teaches the detector almost nothing, a long one is learned', () => {
    const engine = engineFor({ detector: 'zscore' });
    const state = engineInit(engine);
    const noise = gaussian(13);
    const alarms: boolean[] = [];
    feed(state, engine, 0, 1000, () => ({ a: noise() }));
    const before = state.units.a.learned;
    // 40 samples at +5 sigma: the weight ramps up to 40/1000, so about 40 * 41 / 2 / 1000 = 0.8 samples' worth.
    feed(state, engine, 1000, 1040, () => ({ a: 5 + noise() }), alarms);
    assert.ok(alarms[1039], 'in alarm during the excursion');
    assert.ok(state.units.a.learned - before <= 1, `learned ${state.units.a.learned - before} of 40`);
    const events = feed(state, engine, 1040, 1100, () => ({ a: noise() }));
    assert.deepEqual(
      events.map((e) => e.event),
      ['clear'],
    );
    const { result } = engineUpdate(state, inputsOf({ a: 4.5 }, T0 + 1100_000), engine, T0 + 1100_000, true);
    assert.ok(result.signals.a.score > 0.999, 'the excursion did not widen the normal band');
  });

  it('a two-signal key where one steps: the other keeps learning and its scores stay calibrated', () => {
    const engine = engineFor({ detector: 'zscore', adaptUnit: 'never' });
    const state = engineInit(engine);
    const noise = gaussian(5);
    // b drifts slowly (5 sigma over the run): it stays normal only if it keeps learning while a is in alarm.
    const sample = (i: number) => ({ a: noise() + (i >= 1000 ? 5 : 0), b: noise() + i * 0.0005 });
    const bScores: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const t = T0 + i * 1000;
      const { result } = engineUpdate(state, inputsOf(sample(i), t), engine, t, true);
      if (i >= 1000) bScores.push(result.signals.b.score);
    }
    assert.equal(state.units.a.alarm.active, true, 'a is still in alarm (relearning is off)');
    assert.equal(state.units.b.alarm.active, false);
    assert.ok(state.units.b.learned > 9_900, `b learned ${state.units.b.learned} of 10,000 samples`);
    assert.ok(state.units.a.learned < 1_010, 'a stopped learning when it stepped');
    const beyond99 = bScores.filter((s) => s >= 0.99).length / bScores.length;
    assert.ok(
      beyond99 > 0.003 && beyond99 < 0.03,
      `b beyond its 99 % band on ${(beyond99 * 100).toFixed(2)} %`,
    );
  });

  it('a multivariate score keeps its contributors and raises an alarm for the signal that broke away', () => {
    const engine = engineFor({ detector: 'hotelling', signals: 'a,b,c', signalAlarms: true });
    const state = engineInit(engine);
    const noise = gaussian(8);
    const sample = (i: number) => {
      const load = noise();
      return {
        a: load + 0.3 * noise(),
        b: load + 0.3 * noise(),
        c: noise() + (i >= 2000 && i < 2100 ? 6 : 0),
      };
    };
    for (let i = 0; i < 2050; i++) {
      const t = T0 + i * 1000;
      const { result } = engineUpdate(state, inputsOf(sample(i), t), engine, t, true);
      if (i === 2049) {
        assert.equal(result.alarm, true);
        assert.equal(result.contributors[0].signal, 'c');
        assert.deepEqual(result.alarms, ['c']);
        assert.equal(result.signals.c.alarm, true);
        assert.equal(result.signals.a.alarm, false);
      }
    }
  });

  it('train-then-monitor by duration and by train-end command; the phase survives a JSON round trip', () => {
    const byTime = engineFor({
      detector: 'zscore',
      mode: 'train-then-monitor',
      train: '2',
      trainUnit: 'minutes',
    });
    const state = engineInit(byTime);
    const noise = gaussian(2);
    feed(state, byTime, 0, 119, () => ({ x: noise() }));
    assert.equal(state.units.x.phase, 'training');
    const restored = engineRestore(JSON.parse(JSON.stringify(state)), byTime)!;
    feed(restored, byTime, 119, 125, () => ({ x: noise() }));
    assert.equal(restored.units.x.phase, 'monitoring');

    const byCommand = engineFor({
      detector: 'hotelling',
      signals: 'x,y',
      mode: 'train-then-monitor',
      trainUnit: 'command',
    });
    const s2 = engineInit(byCommand);
    feed(s2, byCommand, 0, 5000, () => ({ x: noise(), y: noise() }));
    assert.equal(s2.vector!.unit.phase, 'training');
    engineCommand(s2, 'train-end', byCommand, T0);
    assert.equal(s2.vector!.unit.phase, 'monitoring');
  });

  it('rebaseline one signal: only that signal trains again', () => {
    const engine = engineFor({ detector: 'ewma', mode: 'train-then-monitor', train: '100' });
    const state = engineInit(engine);
    const noise = gaussian(3);
    feed(state, engine, 0, 200, () => ({ p: noise(), q: noise() }));
    engineCommand(state, 'rebaseline', engine, T0, 'p');
    assert.equal(state.units.p.phase, 'training');
    assert.equal(state.units.q.phase, 'monitoring');
  });

  describe('hostile values never touch learned state', () => {
    for (const detector of DETECTOR_NAMES) {
      it(`${detector}: 3.4e38, 1e300, NaN and Infinity are refused; state and later scores unchanged`, () => {
        const engine = engineFor({ detector, signals: 'a,b' });
        const noise = gaussian(21);
        const series = Array.from({ length: 600 }, () => ({ a: noise(), b: noise() }));
        const run = (state: TwinAnomalyState, from: number, to: number) =>
          series.slice(from, to).map((x, k) => {
            const t = T0 + (from + k) * 60_000;
            return engineUpdate(state, readSignals(x, engine, 'value', t), engine, t, true).result.score;
          });
        const clean = engineInit(engine);
        const cleanScores = run(clean, 0, 600);
        const hit = engineInit(engine);
        run(hit, 0, 300);
        const saved = JSON.stringify(hit);
        for (const bad of [3.4e38, 1e300, NaN, Infinity, -Infinity]) {
          assert.throws(
            () => readSignals({ a: bad, b: 1 }, engine, 'value', T0),
            (err: { code?: string }) => /^TWINFLOW_(NOT_FINITE|BEYOND_MAGNITUDE)$/.test(err.code ?? ''),
          );
          assert.equal(JSON.stringify(hit), saved, 'byte-for-byte unchanged');
        }
        assert.deepEqual(run(hit, 300, 600), cleanScores.slice(300));
      });
    }
  });

  it('one large but accepted outlier moves a learned level by a bounded amount', () => {
    const s = ewVariance();
    const noise = gaussian(4);
    for (let i = 0; i < 1000; i++) ewVarianceAdd(s, noise(), 0.05);
    const { mean, variance } = s;
    ewVarianceAdd(s, 1e14, 0.05);
    assert.ok(Math.abs(s.mean - mean) <= 0.05 * 3 * Math.sqrt(variance) + 1e-12);
    assert.ok(s.variance < variance * 3);
  });

  it('a viewed payload (not a copy) reads what a copy would hold: own enumerable keys, no getter, no tag', () => {
    const engine = engineFor({ detector: 'zscore', signals: 'a,hidden' });
    let calls = 0;
    const payload = { a: 1 };
    Object.defineProperty(payload, 'hidden', {
      enumerable: false,
      get: () => {
        calls++;
        return 2;
      },
    });
    Object.defineProperty(payload, Symbol.toStringTag, {
      get: () => {
        calls++;
        return 'Thing';
      },
    });
    const inputs = readSignals(payload, engine, 'value', T0, true);
    assert.deepEqual(Object.keys(inputs), ['a']);
    assert.equal(inputs.a.value, 1);
    assert.equal(calls, 0);
  });

  it('names are data: __proto__, constructor and toString are ordinary signals; limits refuse the rest', () => {
    const engine = engineFor({ detector: 'zscore' });
    const payload = JSON.parse('{"__proto__": 1, "constructor": 2, "toString": 3}') as Record<
      string,
      unknown
    >;
    const state = engineInit(engine);
    for (let i = 0; i < 40; i++) {
      const inputs = readSignals(payload, engine, 'value', T0 + i);
      engineUpdate(state, inputs, engine, T0 + i, true);
    }
    assert.deepEqual(Object.keys(state.units).sort(), ['__proto__', 'constructor', 'toString']);
    assert.equal(state.units['constructor'].learned, 40);
    const restored = engineRestore(JSON.parse(JSON.stringify(state)), engine)!;
    assert.deepEqual(Object.keys(restored.units).sort(), ['__proto__', 'constructor', 'toString']);
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`s${i}`, i]));
    assert.throws(() => readSignals(wide, engine, 'value', T0), { code: 'TWINFLOW_TOO_MANY_SIGNALS' });
    assert.throws(() => readSignals({ ['x'.repeat(257)]: 1 }, engine, 'value', T0), {
      code: 'TWINFLOW_NAME_TOO_LONG',
    });
    // 256 signals learned, then one new one more: refused without a change
    const full = engineInit(engine);
    engineUpdate(
      full,
      readSignals(
        Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`s${i}`, i])),
        engine,
        'value',
        T0,
      ),
      engine,
      T0,
      true,
    );
    const saved = JSON.stringify(full);
    assert.throws(
      () => engineUpdate(full, readSignals({ extra: 1 }, engine, 'value', T0), engine, T0, true),
      {
        code: 'TWINFLOW_TOO_MANY_SIGNALS',
      },
    );
    assert.equal(JSON.stringify(full), saved);
  });

  it('a persisted state with a non-finite number, another detector or a bad shape is not trusted', () => {
    const engine = engineFor({ detector: 'ewma' });
    const state = engineInit(engine);
    feed(state, engine, 0, 50, (i) => ({ x: i % 7 }));
    const good = JSON.parse(JSON.stringify(state)) as { units: { x: { detector: { mean: unknown } } } };
    assert.ok(engineRestore(good, engine));
    good.units.x.detector.mean = null;
    assert.equal(engineRestore(good, engine), undefined);
    assert.equal(engineRestore({ ...state, detector: 'zscore' }, engine), undefined);
    assert.equal(engineRestore('nonsense', engine), undefined);
  });

  for (const seed of [42, 7, 1234]) {
    it(`on 100k samples of seeded Gaussian noise (seed ${seed}) each default detector raises at most 1 alarm`, function () {
      this.timeout(120_000);
      for (const detector of DETECTOR_NAMES) {
        const engine = engineFor({ detector, signals: detector === 'hotelling' ? 'a,b,c' : '' });
        const state = engineInit(engine);
        const noise = gaussian(seed);
        const events = feed(state, engine, 0, 100_000, (): Record<string, number> =>
          detector === 'hotelling' ? { a: noise(), b: noise(), c: noise() } : { a: noise() },
        );
        const raises = events.filter((e) => e.event === 'raise').length;
        assert.ok(raises <= 1, `${detector}: ${raises} alarms`);
      }
    });
  }

  it('PCA control limits: F quantiles, and about the nominal false alarm rate on normal data', () => {
    assert.equal(Math.round(fUpperTail(4.964603, 1, 10) * 1000) / 1000, 0.05); // TSDoc @example
    assert.equal(Math.round(fQuantileUpper(0.05, 1, 10) * 1000) / 1000, 4.965); // TSDoc @example
    assert.ok(Math.abs(fQuantileUpper(0.01, 5, 100) - 3.206) < 0.01);
    const noise = gaussian(17);
    const sample = () => {
      const z = [noise(), noise(), noise()];
      return [z[0], z[0] + 0.5 * z[1], z[1] - z[0] + 0.5 * noise(), z[2], 0.3 * z[2] + noise()];
    };
    let state = hotelling.init(hotelling.defaults, 5);
    for (let i = 0; i < 3000; i++)
      state = hotelling.update(state, sample(), 0, hotelling.defaults, true, 'training').state;
    hotelling.freeze!(state, hotelling.defaults);
    let beyond = 0;
    for (let i = 0; i < 20_000; i++)
      if (hotelling.update(state, sample(), 0, hotelling.defaults, false).result.score >= 0.99) beyond++;
    // T-squared or Q beyond its 99 % limit: about 2 %.
    assert.ok(beyond / 20_000 > 0.01 && beyond / 20_000 < 0.03, `${beyond / 200} %`);
  });

  describe('spec and migrations', () => {
    it('version 0 -> 1: missing alarm fields take the detector own defaults (auto 1/1, others 3/5)', () => {
      const auto = migrateConfig<Record<string, unknown>>(
        { detector: 'auto' },
        MIGRATIONS.slice(0, 1) as never,
      );
      assert.deepEqual([auto.raiseK, auto.raiseN, auto.threshold], [1, 1, 0.9999]);
      const z = migrateConfig<Record<string, unknown>>(
        { detector: 'zscore' },
        MIGRATIONS.slice(0, 1) as never,
      );
      assert.deepEqual([z.raiseK, z.raiseN, z.threshold], [3, 5, 0.999]);
      const kept = migrateConfig<Record<string, unknown>>(
        { detector: 'zscore', raiseK: '2' },
        MIGRATIONS.slice(0, 1) as never,
      );
      assert.equal(kept.raiseK, '2');
    });

    it('version 1 -> 2: learning online as before, relearning after 1000 samples, default limits', () => {
      const v1 = {
        version: 1,
        detector: 'zscore',
        params: '{}',
        threshold: '0.99',
        raiseK: '3',
        raiseN: '5',
        clearM: '10',
      };
      const v2 = migrateConfig<Record<string, unknown>>(v1, MIGRATIONS as never);
      assert.equal(v2.version, VERSION);
      assert.equal(v2.mode, 'online');
      assert.deepEqual(
        [v2.adaptAfter, v2.adaptUnit, v2.maxKeys, v2.maxSignals],
        ['1000', 'samples', '10000', '256'],
      );
      assert.equal(v2.threshold, '0.99', 'saved settings are kept');
    });

    it('parse refuses bad settings with every problem named', () => {
      const result = parse({
        detector: 'zscore',
        raiseK: '6',
        raiseN: '5',
        threshold: '2',
        mode: 'sometimes',
      });
      assert.ok('errors' in result);
      assert.equal(result.errors.length, 3, result.errors.join('; '));
      assert.ok('errors' in parse({ detector: 'zscore', params: '{"window": "wide"}' }));
      assert.ok('errors' in parse({ detector: 'hotelling', params: '{"confidence": 1}' }));
      assert.ok('errors' in parse({ detector: 'hotelling', params: '{"lags": 1.5}' }));
    });
  });
});

describe('twin-anomaly catalogue', () => {
  it('has the status texts the node shows, with their details', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const catalogue = require('../../../src/locales/en-US/twin-anomaly.json') as {
      'twin-anomaly': { status: Record<string, string> };
    };
    const status = catalogue['twin-anomaly'].status;
    assert.equal(status.training, 'training __done__/__total__');
    assert.equal(status.monitoring, 'monitoring, score __score__');
    for (const key of ['trainingOpen', 'score', 'learning', 'alarm', 'reset', 'rebaseline', 'trainEnd'])
      assert.ok(status[key], key);
  });
});
