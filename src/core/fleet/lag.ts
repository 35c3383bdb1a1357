/**
 * Mirror lag (receipt time minus the owner's `updated` time) in a fixed histogram: 1 ms buckets up to 60 s and one
 * overflow bucket, so 10,000 updates a second cost one array increment each and percentiles need no sorting.
 */
const BUCKETS = 60_000;

export interface LagHistogram {
  counts: number[];
  total: number;
  max: number;
}

export function createLag(): LagHistogram {
  return { counts: new Array<number>(BUCKETS + 1).fill(0), total: 0, max: 0 };
}

/** Adds one observation (mutates: the histogram is owned by one mirror). Negative lags (clock skew) count as 0. */
export function recordLag(h: LagHistogram, lagMs: number): void {
  const ms = Math.max(0, Math.round(lagMs));
  h.counts[Math.min(ms, BUCKETS)]++;
  h.total++;
  if (ms > h.max) h.max = ms;
}

/**
 * @example lagPercentile({ counts: [0, 2, 0, 1], total: 3, max: 3 }, 0.5) // => 1
 */
export function lagPercentile(h: LagHistogram, p: number): number {
  if (h.total === 0) return 0;
  const rank = Math.ceil(p * h.total);
  let seen = 0;
  for (let ms = 0; ms < h.counts.length; ms++) {
    seen += h.counts[ms];
    if (seen >= rank) return ms === BUCKETS ? h.max : ms;
  }
  return h.max;
}

export function lagSummary(h: LagHistogram): { count: number; p50: number; p99: number; max: number } {
  return { count: h.total, p50: lagPercentile(h, 0.5), p99: lagPercentile(h, 0.99), max: h.max };
}
