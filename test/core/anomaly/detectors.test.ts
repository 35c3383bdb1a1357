import assert from 'node:assert/strict';
import { ALARM_DEFAULTS, alarmInit, alarmUpdate } from '../../../src/core/anomaly/alarm';
import type { Detector } from '../../../src/core/anomaly/detector';
import { hotelling } from '../../../src/core/anomaly/hotelling';
import { DETECTORS } from '../../../src/core/anomaly/registry';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any univariate detector
type AnyDetector = Detector<any, any>;
const UNIVARIATE = Object.entries(DETECTORS).filter(([, d]) => !d.multivariate) as [string, AnyDetector][];
const HOTELLING_DEFAULTS = hotelling.defaults;
const hotellingInit = (d: number) => hotelling.init(HOTELLING_DEFAULTS, d);
const hotellingUpdate = (
  state: ReturnType<typeof hotellingInit>,
  x: number[],
  p: typeof HOTELLING_DEFAULTS,
  learn: boolean,
) => hotelling.update(state, x, 0, p, learn);
import { checkSample } from '../../../src/core/anomaly/sample';
import { seasonalSlot } from '../../../src/core/anomaly/seasonal';
import { TwinFlowError } from '../../../src/core/errors';
import { symmetricEigen } from '../../../src/core/stats/eigen';
import { chiSquaredUpperTail } from '../../../src/core/stats/gamma';
import { normalTwoSidedTail } from '../../../src/core/stats/normal';
import { ring, ringPush, ringValues } from '../../../src/core/stats/ring';
import { welford, welfordAdd, welfordRemove, welfordVariance } from '../../../src/core/stats/welford';

const MINUTE = 60_000;

/** A seeded generator (Park-Miller) and Gaussian noise, so every run sees the same series. */
function noise(seed = 7): () => number {
  let s = seed;
  const uniform = () => (s = (s * 48271) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Runs a detector over a series; returns the scores. */
function run(
  detector: AnyDetector,
  series: number[],
  times?: number[],
  params = detector.defaults,
): number[] {
  let state = detector.init(params);
  return series.map((x, i) => {
    const step = detector.update(state, x, times ? times[i] : i * MINUTE, params, true);
    state = step.state;
    return step.result.score;
  });
}

const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
const gauss = noise();
const base = Array.from({ length: 400 }, () => 10 + gauss());

describe('anomaly core', () => {
  describe('statistics', () => {
    it('Welford matches the two-pass variance, sliding included, and stays stable at large offsets', () => {
      assert.equal(welfordVariance([1, 2, 3, 4].reduce(welfordAdd, welford())), 1.6666666666666667); // TSDoc @example
      const big = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16].reduce(welfordAdd, welford());
      assert.equal(welfordVariance(big), 30, 'no catastrophic cancellation at 1e9');
      const s = [5, 1, 4, 2, 3].reduce(welfordAdd, welford());
      welfordRemove(s, 5);
      assert.ok(Math.abs(welfordVariance(s) - 1.6666666666666667) < 1e-12);
    });

    it('ring evicts oldest first; tails match tables', () => {
      assert.equal(ringPush(ringPush(ring(1), 5) === undefined ? ring(1) : ring(1), 5), undefined);
      const r = ring(1);
      ringPush(r, 5);
      assert.equal(ringPush(r, 7), 5); // TSDoc @example
      const r3 = ring(3);
      [1, 2, 3, 4, 5].forEach((x) => ringPush(r3, x));
      assert.deepEqual(ringValues(r3), [3, 4, 5]);
      assert.equal(Math.round(normalTwoSidedTail(1.959964) * 1000) / 1000, 0.05); // TSDoc @example
      assert.equal(Math.round(chiSquaredUpperTail(3.841459, 1) * 1000) / 1000, 0.05); // TSDoc @example
      assert.ok(Math.abs(chiSquaredUpperTail(18.307, 10) - 0.05) < 1e-4);
      assert.ok(Math.abs(chiSquaredUpperTail(0.3518, 3) - 0.95) < 1e-4);
    });

    it('Jacobi eigen-decomposes a symmetric matrix', () => {
      const { values, vectors } = symmetricEigen([
        [2, 1],
        [1, 2],
      ]);
      assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12);
      assert.ok(Math.abs(Math.abs(vectors[0][0]) - Math.SQRT1_2) < 1e-12);
    });
  });

  describe('univariate detectors on synthetic series with known answers', () => {
    it('every detector stays quiet on stationary noise after warm-up (false alarm rate)', () => {
      for (const name of ['zscore', 'ewma', 'mad', 'auto'] as const) {
        const scores = run(DETECTORS[name], base).slice(100);
        const alarms = scores.filter((s) => s >= 0.9999).length;
        assert.ok(alarms <= 2, `${name}: ${alarms} scores >= 0.9999 on pure noise`);
      }
    });

    it('a spike scores near 1 for z-score, EWMA, MAD and auto', () => {
      const series = [...base.slice(0, 300), 30, ...base.slice(300, 320)];
      for (const name of ['zscore', 'ewma', 'mad', 'auto'] as const) {
        const scores = run(DETECTORS[name], series);
        assert.ok(
          max(scores.slice(300, 305)) >= 0.999,
          `${name} missed the spike: ${max(scores.slice(300, 305))}`,
        );
        assert.ok(max(scores.slice(200, 299)) < 0.9999, `${name} fired before the spike`);
      }
    });

    it('MAD still sees a spike right after other spikes (robust spread); z-score is blinded', () => {
      const series = base.slice(0, 200).map((x, i) => (i >= 150 && i % 10 === 0 ? x + 40 : x));
      series.push(25);
      const madScore = run(DETECTORS.mad, series).at(-1)!;
      const zScore = run(DETECTORS.zscore, series).at(-1)!;
      assert.ok(madScore > 0.999, `mad ${madScore}`);
      assert.ok(zScore < madScore, `z-score ${zScore} is inflated by the earlier spikes`);
    });

    it('CUSUM catches a small persistent shift that the z-score does not', () => {
      const series = [...base.slice(0, 200), ...base.slice(200, 400).map((x) => x + 0.8)];
      const cusumScores = run(DETECTORS.cusum, series);
      const zScores = run(DETECTORS.zscore, series);
      assert.ok(max(cusumScores.slice(200)) > 0.999, `cusum ${max(cusumScores.slice(200))}`);
      assert.ok(max(zScores.slice(200)) < max(cusumScores.slice(200)));
      assert.ok(max(cusumScores.slice(60, 200)) < 0.99, 'cusum quiet before the shift');
    });

    it('a step up and a variance change are detected by auto', () => {
      const step = [...base.slice(0, 300), ...base.slice(300, 360).map((x) => x + 6)];
      assert.ok(max(run(DETECTORS.auto, step).slice(300)) >= 0.999);
      const wider = [...base.slice(0, 300), ...base.slice(300, 360).map((x) => 10 + (x - 10) * 6)];
      assert.ok(max(run(DETECTORS.auto, wider).slice(300)) >= 0.999);
    });

    it('auto learns a repeating shape (a daily square wave) and flags a shape it never made', () => {
      const wobble = noise(11);
      // 48 samples a "day": 24 high, 24 low, with a little noise. The jumps are large but part of the pattern.
      const day = (i: number) => (i % 48 < 24 ? 20 : 10) + 0.1 * wobble();
      const series = Array.from({ length: 2400 }, (_, i) => day(i));
      const scores = run(DETECTORS.auto, series);
      assert.ok(
        max(scores.slice(1200)) < 0.99,
        `the daily jumps are known shapes: ${max(scores.slice(1200))}`,
      );
      // A plateau at half height, inside the range, for 6 samples: a shape the signal never made.
      const odd = [
        ...series,
        ...Array.from({ length: 30 }, (_, i) => (i >= 12 && i < 18 ? 15 : day(2400 + i))),
      ];
      const oddScores = run(DETECTORS.auto, odd).slice(2400);
      assert.ok(max(oddScores) >= 0.99, `the plateau is new: ${max(oddScores)}`);
      assert.ok(max(oddScores.slice(0, 12)) < 0.99, 'nothing before it');
    });

    it('auto sees a change that only shows at a coarser time scale', () => {
      const wobble = noise(5);
      // 4 high, 4 low. Then 6 high, 2 low: every 3-sample shape is one the signal already made, but the mean of
      // 8 samples moves from 5 to 7.5.
      const normal = (i: number) => (i % 8 < 4 ? 10 : 0) + 0.1 * wobble();
      const changed = (i: number) => (i % 8 < 6 ? 10 : 0) + 0.1 * wobble();
      const series = [
        ...Array.from({ length: 2000 }, (_, i) => normal(i)),
        ...Array.from({ length: 200 }, (_, i) => changed(i)),
      ];
      const fineOnly = { ...DETECTORS.auto.defaults, scales: [1] };
      assert.ok(
        max(run(DETECTORS.auto, series, undefined, fineOnly).slice(2000)) < 0.99,
        'invisible sample by sample',
      );
      assert.ok(max(run(DETECTORS.auto, series).slice(2000)) >= 0.99, 'seen at the scale of 8 samples');
    });

    it('flatline flags a noisy sensor that got stuck, not a setpoint that is usually flat', () => {
      const stuck = [...base.slice(0, 200), ...new Array<number>(10).fill(10.5)];
      const scores = run(DETECTORS.flatline, stuck);
      assert.ok(scores.at(-1)! > 0.99, `stuck: ${scores.at(-1)}`);
      assert.equal(
        max(scores.slice(31, 200)),
        scores.slice(31, 200).find((s) => s > 0) ?? 0,
        'noise: at most single repeats',
      );
      const setpoint = Array.from({ length: 300 }, (_, i) =>
        i % 50 === 0 ? 20 + i / 50 : 20 + Math.floor(i / 50),
      );
      assert.ok(
        max(run(DETECTORS.flatline, setpoint).slice(100)) < 0.9,
        'a usually-flat signal is not alarming',
      );
    });

    it('rate of change uses timestamps: a gap is not a jump, a fast climb is', () => {
      const times = base.map((_, i) => i * MINUTE);
      const ramp = base.map((x, i) => x + i * 0.01);
      const gapTimes = [...times.slice(0, 300), ...times.slice(300).map((t) => t + 600 * MINUTE)];
      const gapSeries = base.map((x, i) => x + (i >= 300 ? 6 : 0) + i * 0.01);
      assert.ok(run(DETECTORS.rate, gapSeries, gapTimes)[300] < 0.99, 'slow change over a 10 h gap');
      const climb = [...ramp.slice(0, 300), ...ramp.slice(300, 310).map((x, i) => x + (i + 1) * 5)];
      assert.ok(max(run(DETECTORS.rate, climb, times).slice(300)) > 0.999);
    });

    it('seasonal baselines judge a value by its hour of day', () => {
      assert.equal(seasonalSlot(Date.UTC(2026, 0, 5, 10, 30), { ...DETECTORS.seasonal.defaults }), 10);
      assert.equal(
        seasonalSlot(Date.UTC(2026, 0, 5, 0, 0), { ...DETECTORS.seasonal.defaults, period: 'week' }),
        0,
        'Monday 00:00',
      );
      const times: number[] = [];
      const series: number[] = [];
      for (let day = 0; day < 10; day++) {
        for (let hour = 0; hour < 24; hour++) {
          times.push(Date.UTC(2026, 0, 1 + day, hour));
          series.push((hour >= 8 && hour < 18 ? 100 : 10) + gauss());
        }
      }
      times.push(Date.UTC(2026, 0, 11, 3));
      series.push(100); // a daytime load at 03:00
      const scores = run(DETECTORS.seasonal, series, times);
      assert.ok(scores.at(-1)! > 0.999);
      assert.ok(max(scores.slice(200, -1)) < 0.9999, 'the daily pattern itself is normal');
    });

    it('warms up before judging, and frozen learning keeps the baseline', () => {
      const detector = DETECTORS.zscore;
      let state = detector.init(detector.defaults);
      const first = detector.update(state, 10, 0, detector.defaults, true);
      assert.equal(first.result.warmingUp, true);
      assert.equal(first.result.score, 0);
      for (const x of base.slice(0, 100)) state = detector.update(state, x, 0, detector.defaults, true).state;
      const frozen = JSON.stringify(state);
      for (let i = 0; i < 20; i++) detector.update(state, 50, 0, detector.defaults, false);
      assert.equal(JSON.stringify(state), frozen, 'learn=false leaves the state alone');
    });

    it('state is plain JSON: a restored detector continues exactly', () => {
      for (const [name, detector] of UNIVARIATE) {
        let a = detector.init(detector.defaults);
        for (let i = 0; i < 150; i++)
          a = detector.update(a, base[i], i * MINUTE, detector.defaults, true).state;
        let b = JSON.parse(JSON.stringify(a)) as unknown;
        for (let i = 150; i < 200; i++) {
          const ra = detector.update(a, base[i], i * MINUTE, detector.defaults, true);
          const rb = detector.update(b, base[i], i * MINUTE, detector.defaults, true);
          a = ra.state;
          b = rb.state;
          assert.equal(rb.result.score, ra.result.score, `${name} at ${i}`);
        }
      }
    });

    it('rejects NaN, Infinity and missing timestamps before touching state', () => {
      const code = (fn: () => unknown) => {
        try {
          fn();
        } catch (e) {
          return (e as TwinFlowError).code;
        }
        return 'none';
      };
      assert.equal(
        code(() => checkSample('temperature', NaN, 0)),
        'TWINFLOW_NOT_FINITE',
      );
      assert.equal(
        code(() => checkSample('temperature', Infinity, 0)),
        'TWINFLOW_NOT_FINITE',
      );
      assert.equal(
        code(() => checkSample('temperature', '5', 0)),
        'TWINFLOW_NOT_FINITE',
      );
      assert.equal(
        code(() => checkSample('temperature', 5, NaN)),
        'TWINFLOW_BAD_TIMESTAMP',
      );
      assert.equal(checkSample('temperature', 5, 0), 5);
    });
  });

  describe('Hotelling T-squared + Q', () => {
    it('learns correlated signals and names the one that broke the relationship', () => {
      let state = hotellingInit(3);
      const g = noise(3);
      for (let i = 0; i < 400; i++) {
        const load = 50 + 10 * Math.sin(i / 20) + g();
        // current follows load, temperature follows load, vibration is independent noise
        state = hotellingUpdate(
          state,
          [load * 0.2 + 0.1 * g(), 20 + load * 0.5 + 0.3 * g(), 2 + 0.1 * g()],
          HOTELLING_DEFAULTS,
          true,
        ).state;
      }
      const normal = hotellingUpdate(
        JSON.parse(JSON.stringify(state)),
        [60 * 0.2, 20 + 60 * 0.5, 2],
        HOTELLING_DEFAULTS,
        false,
      );
      assert.ok(normal.result.score < 0.99, `a normal combination: ${normal.result.score}`);
      // current as for load 60, temperature as for load 30: the relationship is broken
      const broken = hotellingUpdate(state, [60 * 0.2, 20 + 30 * 0.5, 2], HOTELLING_DEFAULTS, false);
      assert.ok(broken.result.score > 0.999, `broken: ${broken.result.score}`);
      const top = broken.result.contributions.indexOf(Math.max(...broken.result.contributions));
      assert.ok(top === 0 || top === 1, 'current or temperature is named, not vibration');
      assert.ok(Math.abs(broken.result.contributions.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    });
  });

  describe('alarm hysteresis', () => {
    it('raises after k of n anomalous scores and clears after m normal ones, only on transitions', () => {
      const p = { ...ALARM_DEFAULTS, threshold: 0.9, raiseK: 2, raiseN: 3, clearM: 3 };
      let state = alarmInit();
      const events = [0.95, 0.1, 0.1, 0.95, 0.2, 0.96, 0.99, 0.1, 0.1, 0.95, 0.1, 0.1, 0.1].map(
        (score, t) => {
          const step = alarmUpdate(state, score, t, p);
          state = step.state;
          return step.event;
        },
      );
      assert.deepEqual(events, [
        null,
        null,
        null,
        null,
        null,
        'raise',
        null,
        null,
        null,
        null,
        null,
        null,
        'clear',
      ]);
      assert.equal(state.active, false);
    });
  });
});
