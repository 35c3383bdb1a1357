import assert from 'node:assert/strict';
import {
  NAB_PROFILES,
  normalizeScore,
  optimizeThreshold,
  probationLength,
  rowValues,
  scaledSigmoid,
  scoreFile,
} from '../../../bench/nab/score';

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);
const S1 = 0.9866142981514305; // S(-1), from the reference notes

describe('NAB scorer on hand-computed cases', () => {
  it('reproduces the scaled sigmoid values and the probationary period', () => {
    close(scaledSigmoid(-1), S1);
    close(scaledSigmoid(-0.5), 0.8482836399575131);
    close(scaledSigmoid(0), 0);
    close(scaledSigmoid(1), -0.98661429815143);
    close(scaledSigmoid(3), -0.9999993881955461);
    assert.equal(scaledSigmoid(3.0001), -1);
    assert.equal(probationLength(4032), 604);
    assert.equal(probationLength(100), 15);
    assert.equal(probationLength(10_000), 750);
  });

  // 100 rows, probation 15, one window on rows 50..59 (width 10).
  const windows: [number, number][] = [[50, 59]];
  const standard = NAB_PROFILES.standard;

  it('gives each row the reward or penalty a detection there would earn', () => {
    const { value, window } = rowValues(100, windows, standard);
    assert.ok(Number.isNaN(value[14]) && !Number.isNaN(value[15]), 'probation ends at row 15');
    close(value[20], -0.11, 1e-15); // before any window: the full FP weight
    close(value[50], 1); // first row of the window: exactly A_TP
    close(value[59], scaledSigmoid(-1 / 10) / S1); // last row: small but positive
    assert.equal(window[55], 0);
    close(value[60], 0.11 * scaledSigmoid(1 / 9)); // right after the window: y = (60 - 59) / (10 - 1)
    close(value[99], -0.11); // y = 40/9 > 3: the full penalty
  });

  it('scores a file: earliest detection in the window counts once, every FP separately, misses cost A_FN', () => {
    const scores = new Array<number>(100).fill(0);
    scores[10] = 1; // in probation: ignored
    scores[30] = 1; // FP before the window: -0.11
    scores[52] = 1; // TP, third row of the window
    scores[55] = 1; // later in the same window: adds nothing
    scores[99] = 1; // FP far after: -0.11
    const expected = -0.11 + scaledSigmoid(-(59 - 52 + 1) / 10) / S1 - 0.11;
    close(scoreFile({ name: 'f', scores, windows }, standard, 0.5), expected);
    close(
      scoreFile({ name: 'f', scores: new Array<number>(100).fill(0), windows }, standard, 0.5),
      -1,
      1e-15,
    );
    close(
      scoreFile(
        { name: 'f', scores: new Array<number>(100).fill(0), windows },
        NAB_PROFILES.reward_low_FN_rate,
        0.5,
      ),
      -2,
      1e-15,
    );
  });

  it('compares score >= threshold inclusively', () => {
    const scores = new Array<number>(100).fill(0);
    scores[50] = 0.5;
    close(scoreFile({ name: 'f', scores, windows }, standard, 0.5), 1);
  });

  it('finds the corpus threshold by the exhaustive sweep, preferring the highest on ties', () => {
    const a = new Array<number>(100).fill(0.1);
    a[50] = 0.9; // a TP at 0.9
    a[30] = 0.7; // an FP at 0.7
    const b = new Array<number>(100).fill(0.1); // a file without windows
    b[40] = 0.95; // an FP above everything
    const files = [
      { name: 'a', scores: a, windows },
      { name: 'b', scores: b, windows: [] as [number, number][] },
    ];
    const best = optimizeThreshold(files, standard);
    // thresholds: 1.1 -> -1; 0.95 -> -1.11; 0.9 -> +0.89 (TP, one FP); 0.7 -> 0.78; 0.1 -> worse
    assert.equal(best.threshold, 0.9);
    close(best.raw, 1 - 0.11);
    close(normalizeScore(best.raw, standard, 1), (100 * (0.89 + 1)) / 2);
    const nothing = optimizeThreshold(
      [{ name: 'c', scores: new Array<number>(100).fill(0.5), windows }],
      standard,
    );
    assert.equal(nothing.threshold, 1.1, 'the null detector: detecting nothing is best');
    close(normalizeScore(nothing.raw, standard, 1), 0);
  });
});
