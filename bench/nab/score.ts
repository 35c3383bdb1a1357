/**
 * The NAB scorer (Numenta Anomaly Benchmark v1.1), re-implemented from its code's behaviour as documented in the
 * project's reference notes: probationary period, windows as row ranges, scaled sigmoid rewards and penalties,
 * one threshold per corpus found by an exhaustive sweep, normalisation against the null detector.
 */
export interface NabProfile {
  tp: number;
  fp: number;
  fn: number;
}

export const NAB_PROFILES: Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', NabProfile> = {
  standard: { tp: 1, fp: 0.11, fn: 1 },
  reward_low_FP_rate: { tp: 1, fp: 0.22, fn: 1 },
  reward_low_FN_rate: { tp: 1, fp: 0.11, fn: 2 },
};

export interface NabFile {
  name: string;
  /** Anomaly score per row, in file order. */
  scores: ArrayLike<number>;
  /** Windows as inclusive row ranges [first, last], sorted and disjoint. */
  windows: [number, number][];
}

/** Rows before this are ignored entirely: min(floor(0.15 n), 750). */
export function probationLength(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

/** NAB's scaled sigmoid: 2σ(-5y) - 1 for y <= 3, else -1. */
export function scaledSigmoid(y: number): number {
  return y > 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
}

const S_MINUS_ONE = scaledSigmoid(-1);

/**
 * What a detection at each row would contribute (NaN in the probationary period), and the window each row is in
 * (-1 outside windows).
 */
export function rowValues(
  n: number,
  windows: [number, number][],
  profile: NabProfile,
): { value: Float64Array; window: Int32Array } {
  const value = new Float64Array(n);
  const window = new Int32Array(n).fill(-1);
  const probation = probationLength(n);
  let w = 0;
  let previous: [number, number] | undefined;
  for (let i = 0; i < n; i++) {
    while (w < windows.length && windows[w][1] < i) previous = windows[w++];
    if (i < probation) {
      value[i] = NaN;
      continue;
    }
    const current = w < windows.length && windows[w][0] <= i ? windows[w] : undefined;
    if (current) {
      const width = current[1] - current[0] + 1;
      value[i] = (profile.tp * scaledSigmoid(-(current[1] - i + 1) / width)) / S_MINUS_ONE;
      window[i] = w;
    } else if (previous) {
      const width = previous[1] - previous[0] + 1;
      value[i] = profile.fp * scaledSigmoid((i - previous[1]) / (width - 1));
    } else {
      value[i] = -profile.fp;
    }
  }
  return { value, window };
}

/** Raw score of one file at a threshold (detection: score >= threshold, outside the probationary period). */
export function scoreFile(file: NabFile, profile: NabProfile, threshold: number): number {
  const { value, window } = rowValues(file.scores.length, file.windows, profile);
  const best = new Array<number>(file.windows.length).fill(-Infinity);
  let total = 0;
  for (let i = 0; i < value.length; i++) {
    if (Number.isNaN(value[i]) || !(file.scores[i] >= threshold)) continue;
    if (window[i] >= 0) best[window[i]] = Math.max(best[window[i]], value[i]);
    else total += value[i];
  }
  for (const b of best) total += b === -Infinity ? -profile.fn : b;
  return total;
}

/**
 * The threshold that maximises the corpus's raw score, by NAB's exhaustive sweep: candidates are 1.1 and every
 * distinct score; on ties the highest threshold wins.
 */
export function optimizeThreshold(files: NabFile[], profile: NabProfile): { threshold: number; raw: number } {
  const rows: { score: number; value: number; window: number }[] = [];
  let windowCount = 0;
  for (const file of files) {
    const { value, window } = rowValues(file.scores.length, file.windows, profile);
    for (let i = 0; i < value.length; i++) {
      if (Number.isNaN(value[i])) continue;
      rows.push({
        score: file.scores[i],
        value: value[i],
        window: window[i] >= 0 ? windowCount + window[i] : -1,
      });
    }
    windowCount += file.windows.length;
  }
  rows.sort((a, b) => b.score - a.score);
  const best = new Array<number>(windowCount).fill(-Infinity);
  let raw = -profile.fn * windowCount;
  let bestRaw = raw;
  let bestThreshold = 1.1;
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k];
    if (row.window >= 0) {
      const before = best[row.window];
      if (row.value > before) {
        raw += before === -Infinity ? profile.fn + row.value : row.value - before;
        best[row.window] = row.value;
      }
    } else raw += row.value;
    const next = rows[k + 1];
    if (!next || next.score !== row.score) {
      if (raw > bestRaw) {
        bestRaw = raw;
        bestThreshold = row.score;
      }
    }
  }
  return { threshold: bestThreshold, raw: bestRaw };
}

/** 0..100: 100 perfect, 0 the null detector (every window missed). */
export function normalizeScore(raw: number, profile: NabProfile, windowCount: number): number {
  const perfect = windowCount * profile.tp;
  const nullScore = -windowCount * profile.fn;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}
