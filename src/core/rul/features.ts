/**
 * Window features of a unit's recent cycles, shared by training (every cycle of every unit) and by streaming
 * prediction (one twin at a time), so what the model learned is exactly what it sees in a flow.
 *
 * Inputs are normalised signal rows (z-scores) plus the health index of each row. Per channel (each signal, then the
 * health index): the mean of the last `recent` rows (a smoothed current value), the mean over the window, and the
 * least-squares slope over the window (per cycle). Last: the unit's age in cycles. With fewer rows than the window,
 * the features use what there is (a test engine may have run only a few cycles).
 */
export interface FeatureShape {
  window: number;
  recent: number;
}

export function featureCount(channels: number): number {
  return channels * 3 + 1;
}

/**
 * Features from the last `count` rows of `rows` ending at index `end` (exclusive); `rows[i]` has one value per
 * channel. Writes into `out` at `offset`.
 */
export function windowFeatures(
  rows: ArrayLike<number>[],
  end: number,
  age: number,
  shape: FeatureShape,
  out: Float64Array | number[],
  offset = 0,
): void {
  const channels = rows[end - 1].length;
  const n = Math.min(shape.window, end);
  const start = end - n;
  const recent = Math.min(shape.recent, n);
  // Slope by least squares against i = 0 .. n-1: sum((i - ib)(y - yb)) / sum((i - ib)^2).
  const ib = (n - 1) / 2;
  let sxx = 0;
  for (let i = 0; i < n; i++) sxx += (i - ib) * (i - ib);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let sumRecent = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const y = rows[start + i][c];
      sum += y;
      if (i >= n - recent) sumRecent += y;
      sxy += (i - ib) * y;
    }
    out[offset + c * 3] = sumRecent / recent;
    out[offset + c * 3 + 1] = sum / n;
    out[offset + c * 3 + 2] = sxx > 0 ? sxy / sxx : 0;
  }
  out[offset + channels * 3] = age;
}
