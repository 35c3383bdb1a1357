import assert from 'node:assert/strict';
import { auto } from '../../../src/core/anomaly/auto';
import { alarmDefaultsFor } from '../../../src/core/anomaly/registry';
import {
  calibrate,
  DETECTION,
  RARE_DETECTION,
  tailScore,
  patternMemoryInit,
  patternMemoryUpdate,
  type PatternMemoryParams,
  type PatternMemoryState,
} from '../../../src/core/anomaly/pattern-memory';

const params: PatternMemoryParams = { ...auto.defaults };

/** Feeds values; returns the scores. */
function feed(state: PatternMemoryState, xs: number[], p = params, learn = true): number[] {
  return xs.map((x) => patternMemoryUpdate(state, x, p, learn));
}

/** A seeded uniform generator (Park-Miller), so every run sees the same series. */
function uniform(seed = 3): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

describe('pattern memory (the auto detector at one time scale)', () => {
  it('a shape within the vigilance matches and is not learned again; one beyond it is learned as new', () => {
    const state = patternMemoryInit();
    // Range 0..10, so the vigilance is 0.8: the three-value shape (0, 10, 0) is learned once.
    feed(state, [0, 10, 0, 10, 0, 10, 0]);
    const learned = state.uses.length;
    assert.ok(learned >= 2 && learned <= 3, `${learned} shapes`);
    const [matched] = feed(state, [10.3]); // (10, 0, 10.3): 0.3 from a learned shape
    assert.equal(state.uses.length, learned, 'a near shape matches');
    assert.ok(matched < 0.5, `a match scores below 0.5: ${matched}`);
    feed(state, [5]); // (0, 10.3, 5): 5 from anything learned
    assert.equal(state.uses.length, learned + 1, 'a far shape is new');
  });

  it('keeps at most `patterns` shapes, sorted by their newest value, and forgets the least used', () => {
    const p = { ...params, patterns: 20 };
    const state = patternMemoryInit();
    const next = uniform();
    feed(
      state,
      Array.from({ length: 2000 }, () => next() * 100),
      p,
    );
    assert.equal(state.uses.length, 20);
    assert.equal(state.centers.length, 20 * p.window);
    for (let j = 1; j < 20; j++) {
      assert.ok(state.centers[j * 3 + 2] >= state.centers[(j - 1) * 3 + 2], 'sorted by the newest value');
    }
  });

  it('one event, one report: after a strong novelty the score is 0 for `quiet` samples, unless far outside', () => {
    const state = patternMemoryInit();
    const cycle = [0, 5, 10, 5];
    feed(
      state,
      Array.from({ length: 400 }, (_, i) => cycle[i % 4]),
    );
    const scores = feed(state, [0, 5, 2.5, 7.5, 2.5, 5, 10, 5, 0, 5, 10]);
    assert.ok(scores[2] >= DETECTION, `a new shape inside the range is reported: ${scores[2]}`);
    assert.ok(
      scores.slice(3).every((s) => s === 0),
      'then quiet',
    );
    const [outside] = feed(state, [40]);
    assert.equal(outside, 1, 'a value far outside the range covered is reported even when quiet');
  });

  it('frozen learning scores without changing what was learned', () => {
    const state = patternMemoryInit();
    feed(
      state,
      Array.from({ length: 200 }, (_, i) => (i % 10) * 1.5),
    );
    const learned = JSON.stringify({
      c: state.centers,
      u: state.uses,
      min: state.min,
      max: state.max,
      r: state.rate,
    });
    const scores = feed(state, [100, -50, 3, 7], params, false);
    assert.equal(scores[0], 1, 'still scored');
    assert.equal(
      JSON.stringify({ c: state.centers, u: state.uses, min: state.min, max: state.max, r: state.rate }),
      learned,
    );
  });

  it('the calibration is monotone, keeps 0.5 and 1, and puts the tuned level at the alarm threshold', () => {
    let previous = -1;
    for (let i = 0; i <= 100; i++) {
      const raw = i / 100;
      const c = calibrate(raw);
      assert.ok(c >= previous, `monotone at ${raw}`);
      previous = c;
    }
    assert.equal(calibrate(0.5), 0.5);
    assert.equal(calibrate(1), 1);
    assert.equal(calibrate(0.3), 0.3, 'matches are left as they are');
    assert.ok(
      Math.abs(calibrate(0.74) - DETECTION) < 1e-12,
      'the tuned raw level lands on the detection level',
    );
  });

  it('above the detection level the score is the tail probability of the novelty: 0.99 at 1, 0.9999 at 1e-6', () => {
    assert.equal(tailScore(1), DETECTION);
    assert.ok(Math.abs(tailScore(1e-3) - 0.999) < 1e-12);
    assert.ok(Math.abs(tailScore(1e-6) - RARE_DETECTION) < 1e-12);
    assert.equal(tailScore(0), 1);
    assert.equal(
      alarmDefaultsFor('auto').threshold,
      RARE_DETECTION,
      'where the alarm of a new auto node fires',
    );
  });

  it('a new shape in a signal whose new shapes are rare and near is rare; in noise it is not', () => {
    // A regular cycle: after its first few shapes it makes no new one, so (once the weighted rate of new shapes has
    // decayed) a new shape is far in its own tail.
    const regular = patternMemoryInit();
    feed(
      regular,
      Array.from({ length: 20_000 }, (_, i) => [0, 5, 10, 5][i % 4]),
    );
    const [, , odd] = feed(regular, [0, 5, 2.5]);
    assert.ok(odd >= RARE_DETECTION, `rare in a regular signal: ${odd}`);
    // Uniform noise: the memory keeps meeting new shapes, so its detections are common ones.
    const noisy = patternMemoryInit();
    const next = uniform(7);
    const scores = feed(
      noisy,
      Array.from({ length: 50_000 }, () => next()),
    ).slice(1000);
    const detections = scores.filter((s) => s >= DETECTION).length;
    assert.ok(detections > 0, 'noise does make new shapes');
    assert.equal(scores.filter((s) => s >= RARE_DETECTION).length, 0, 'none of them rare');
  });
});
