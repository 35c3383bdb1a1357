import { normalTwoSidedTail } from '../stats/normal';
import { ring, ringPush, type Ring } from '../stats/ring';
import { WARMING_UP, type Detector } from './detector';

/**
 * Robust z-score from the median and the median absolute deviation of the last `window` values: outliers in the
 * window do not inflate the spread, so spikes stay visible next to other spikes. 1.4826 * MAD estimates sigma for
 * normal data. The window is kept sorted (binary insertion), so the median is O(1) and MAD O(window).
 */
export interface MadParams {
  window: number;
  warmup: number;
  minStd: number;
}

export interface MadState {
  window: Ring;
  sorted: number[];
}

const MAD_TO_SIGMA = 1.4826;

function insertSorted(a: number[], x: number): void {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 0, x);
}

function removeSorted(a: number[], x: number): void {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  if (a[lo] === x) a.splice(lo, 1);
}

function medianOfSorted(a: number[]): number {
  const m = a.length >>> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/**
 * MAD of a sorted array around its median in O(n): the distances to the median grow outwards on both sides, so
 * merging the two sides in order reaches the middle distance without sorting.
 */
function madOfSorted(a: number[], median: number): number {
  const n = a.length;
  let r = 0;
  while (r < n && a[r] < median) r++;
  let l = r - 1;
  const k = n >>> 1;
  let previous = 0;
  let current = 0;
  for (let taken = 0; taken <= k; taken++) {
    const dl = l >= 0 ? median - a[l] : Infinity;
    const dr = r < n ? a[r] - median : Infinity;
    previous = current;
    if (dl <= dr) {
      current = dl;
      l--;
    } else {
      current = dr;
      r++;
    }
  }
  return n % 2 ? current : (previous + current) / 2;
}

export const mad: Detector<MadParams, MadState> = {
  name: 'mad',
  defaults: { window: 100, warmup: 30, minStd: 1e-9 },
  init: (p) => ({ window: ring(p.window), sorted: [] }),
  update(state, x, _t, p, learn) {
    const { sorted } = state;
    let result = WARMING_UP(sorted.length ? medianOfSorted(sorted) : x);
    if (sorted.length >= p.warmup) {
      const median = medianOfSorted(sorted);
      const sigma = Math.max(MAD_TO_SIGMA * madOfSorted(sorted, median), p.minStd);
      result = {
        score: 1 - normalTwoSidedTail((x - median) / sigma),
        expected: median,
        lower: median - 3 * sigma,
        upper: median + 3 * sigma,
        warmingUp: false,
      };
    }
    if (learn) {
      const evicted = ringPush(state.window, x);
      if (evicted !== undefined) removeSorted(sorted, evicted);
      insertSorted(sorted, x);
    }
    return { state, result };
  },
};
