import assert from 'node:assert/strict';
import { timeToThreshold } from '../../../src/core/forecast/crossing';
import {
  forecastCrossing,
  forecastInit,
  forecastResult,
  forecastUpdate,
  movedEnough,
  type ForecastMethod,
  type ForecastSettings,
} from '../../../src/core/forecast/engine';
import { holtForecast, holtInit, holtUpdate } from '../../../src/core/forecast/holt';
import { fitLine, lineAt } from '../../../src/core/forecast/line';
import { normal, rng } from '../../../src/core/sim/rng';
import { normalQuantile, studentQuantile } from '../../../src/core/stats/quantile';

const settings = (method: ForecastMethod, extra: Partial<ForecastSettings> = {}): ForecastSettings => ({
  method,
  alpha: 0.3,
  beta: 0.05,
  phi: 0.98,
  window: 50,
  level: 0.9,
  horizon: 50,
  lookAhead: 5000,
  minSamples: 10,
  ...extra,
});

/** A linear degradation y = 60 + 0.1 t + noise, watched for 100 samples; the mean reaches 90 at t = 300. */
function degrade(method: ForecastMethod, sigma: number, seed: number) {
  const s = settings(method);
  const state = forecastInit(s);
  const random = rng(seed);
  for (let t = 0; t < 100; t++) forecastUpdate(state, s, t, 60 + 0.1 * t + sigma * normal(random));
  return { state, s, truth: 300 - 99 };
}

describe('forecast: quantiles', () => {
  it('normalQuantile and studentQuantile match their tables', () => {
    assert.equal(Math.round(normalQuantile(0.95) * 1e4) / 1e4, 1.6449);
    assert.equal(Math.round(normalQuantile(0.025) * 1e4) / 1e4, -1.96);
    assert.equal(Math.round(studentQuantile(0.975, 10) * 100) / 100, 2.23);
    assert.equal(Math.round(studentQuantile(0.95, 30) * 1000) / 1000, 1.697);
  });
});

describe('forecast: line over a window', () => {
  it('fits an exact line exactly, and the robust fit ignores an outlier', () => {
    const t = Array.from({ length: 20 }, (_, i) => i);
    const y = t.map((x) => 2 + 0.5 * x);
    const exact = fitLine(t, y, false)!;
    assert.ok(Math.abs(exact.slope - 0.5) < 1e-12);
    assert.ok(Math.abs(lineAt(exact, 30).mean - 17) < 1e-9);
    const spoiled = y.map((v, i) => (i === 10 ? v + 50 : v + 0.01 * Math.sin(i)));
    const ordinary = fitLine(t, spoiled, false)!;
    const robust = fitLine(t, spoiled, true)!;
    assert.ok(Math.abs(robust.slope - 0.5) < 0.01, `robust slope ${robust.slope}`);
    assert.ok(
      Math.abs(robust.slope - 0.5) < Math.abs(ordinary.slope - 0.5) / 5 ||
        Math.abs(ordinary.slope - 0.5) < 0.01,
    );
    assert.ok(lineAt(robust, 10).mean < 8, 'the outlier does not pull the robust line up');
  });
});

describe('forecast: time to threshold', () => {
  for (const method of ['linear', 'robust'] as const) {
    it(`${method}: the 90% interval covers the true crossing time at about its stated rate (noisy linear, 400 seeds)`, () => {
      let covered = 0;
      const runs = 400;
      for (let seed = 1; seed <= runs; seed++) {
        const { state, s, truth } = degrade(method, 1, seed);
        const c = forecastCrossing(state, s, 90, 'above')!;
        assert.ok(c.lower !== null, 'a crossing is in sight');
        if (c.lower <= truth && (c.upper === null || c.upper >= truth)) covered++;
      }
      const rate = covered / runs;
      // Binomial(400, 0.9) has a standard deviation of 1.5 points; allow for the t approximation and Huber weights.
      assert.ok(rate >= 0.85 && rate <= 0.96, `coverage ${rate}`);
    });
  }

  it('noise-free linear degradation: the expected crossing is exact and the interval collapses onto it', () => {
    for (const method of ['linear', 'robust', 'holt'] as const) {
      const { state, s, truth } = degrade(method, 0, 1);
      const c = forecastCrossing(state, s, 90, 'above')!;
      const tolerance = 1e-6 * (1 + truth);
      assert.ok(Math.abs(c.expected! - truth) < tolerance, `${method} expected ${c.expected}`);
      assert.ok(c.lower! <= truth + tolerance && c.upper! >= truth - tolerance, `${method} interval`);
    }
  });

  it('Holt: the crossing interval (a prediction band, noise included) covers the truth at least at the stated rate', () => {
    let covered = 0;
    let inSight = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { state, s, truth } = degrade('holt', 0.5, seed);
      const c = forecastCrossing(state, s, 90, 'above')!;
      if (c.expected !== null) inSight++;
      if (c.lower !== null && c.lower <= truth && (c.upper === null || c.upper >= truth)) covered++;
    }
    assert.ok(covered / 200 >= 0.9, `coverage ${covered / 200}`);
    assert.ok(inSight / 200 >= 0.8, `a crossing was expected in ${inSight} of 200 runs`);
  });

  it('a constant signal gives no crossing, for every method, with probability 0', () => {
    for (const method of ['holt', 'damped', 'linear', 'robust'] as const) {
      const s = settings(method);
      const state = forecastInit(s);
      for (let t = 0; t < 100; t++) forecastUpdate(state, s, t, 60);
      const c = forecastCrossing(state, s, 90, 'above')!;
      assert.deepEqual(
        {
          crossed: c.crossed,
          expected: c.expected,
          lower: c.lower,
          upper: c.upper,
          probability: c.probability,
        },
        { crossed: false, expected: null, lower: null, upper: null, probability: 0 },
        method,
      );
    }
  });

  it('a falling signal toward a lower limit; already beyond is "crossed"', () => {
    const s = settings('linear');
    const state = forecastInit(s);
    for (let t = 0; t < 50; t++) forecastUpdate(state, s, t, 10 - 0.1 * t);
    const c = forecastCrossing(state, s, 0, 'below')!;
    assert.ok(Math.abs(c.expected! - 51) < 1e-6);
    assert.equal(c.crossed, false);
    assert.equal(forecastCrossing(state, s, 8, 'below')!.crossed, true);
  });

  it('the probability of crossing within the horizon rises as the crossing nears', () => {
    const far = timeToThreshold((h) => ({ mean: h, sd: 10, half: 16.4 }), 100, 'above', 50, 1000).probability;
    const near = timeToThreshold((h) => ({ mean: h, sd: 10, half: 16.4 }), 55, 'above', 50, 1000).probability;
    assert.ok(far < 0.001 && near > 0.3 && near < 0.5, `${far} ${near}`);
  });

  it('the damped trend levels off and may never reach a limit the linear trend reaches', () => {
    const linear = degrade('holt', 0, 1);
    const damped = degrade('damped', 0, 1);
    assert.ok(forecastCrossing(linear.state, linear.s, 90, 'above')!.expected !== null);
    assert.equal(forecastCrossing(damped.state, damped.s, 90, 'above')!.expected, null);
  });
});

describe('forecast: Holt', () => {
  it('tracks level and trend of a line and widens its interval with the horizon', () => {
    const p = { alpha: 0.3, beta: 0.1, phi: 1 };
    const state = holtInit();
    const random = rng(3);
    for (let t = 0; t < 200; t++) holtUpdate(state, t * 10, 5 + 0.2 * t + 0.1 * normal(random), p);
    assert.ok(Math.abs(state.trend - 0.2) < 0.02, `trend ${state.trend}`);
    assert.equal(state.step, 10);
    const near = holtForecast(state, p, 1);
    const far = holtForecast(state, p, 50);
    assert.ok(far.sd > near.sd * 2);
    assert.ok(Math.abs(far.mean - (5 + 0.2 * 249)) < 1);
  });

  it('the forecast result converts the trend to per time unit and gives a prediction interval', () => {
    const s = settings('holt');
    const state = forecastInit(s);
    for (let t = 0; t < 40; t++) forecastUpdate(state, s, t * 2, 10 + t);
    const r = forecastResult(state, s)!;
    assert.ok(Math.abs(r.trend - 0.5) < 1e-9);
    assert.ok(r.horizon.lower <= r.horizon.value && r.horizon.value <= r.horizon.upper);
    assert.ok(Math.abs(r.horizon.value - (49 + 25)) < 1e-6);
  });

  it('needs its minimum of samples before a result', () => {
    const s = settings('linear');
    const state = forecastInit(s);
    for (let t = 0; t < 9; t++) forecastUpdate(state, s, t, t);
    assert.equal(forecastResult(state, s), undefined);
    forecastUpdate(state, s, 9, 9);
    assert.ok(forecastResult(state, s));
  });
});

describe('forecast: reporting', () => {
  it('movedEnough reports the first estimate, a relative move beyond the share, and a crossing appearing or going', () => {
    assert.equal(movedEnough(undefined, 10, 0.05, 0), true);
    assert.equal(movedEnough(100, 104, 0.05, 0), false);
    assert.equal(movedEnough(100, 106, 0.05, 0), true);
    assert.equal(movedEnough(null, null, 0.05, 0), false);
    assert.equal(movedEnough(null, 50, 0.05, 0), true);
    assert.equal(movedEnough(50, null, 0.05, 0), true);
  });
});
