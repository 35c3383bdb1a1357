/**
 * A memory of the short shapes a signal makes, in the manner of adaptive resonance theory (ART; Carpenter &
 * Grossberg), and how novel the newest shape is. One time scale; the auto detector runs several (auto.ts).
 *
 * 1. Every sample, the last `window` values form a pattern. Up to `patterns` learned patterns are kept, in the
 *    signal's own units. The nearest one (largest absolute difference of any of the values, measured against the
 *    range the signal has covered so far) either matches, if it is within `vigilance` of that range, and moves a
 *    little towards the new pattern (`learningRate`); or nothing matches, and the pattern is learned as a new one.
 *    When the memory is full, the least-used pattern is forgotten.
 * 2. Novelty: a match scores below 0.5 (half its distance in vigilances); a new pattern scores from 0.5 (just beyond
 *    the vigilance) to 1 (twice the vigilance away or more). It is discounted by how often the signal has made new
 *    patterns lately (`noveltyRate`, an exponentially weighted rate): a new shape in a stream that rarely makes one
 *    means more than in a stream that keeps making them.
 * 3. One event is reported once: within `quiet` samples of a strong novelty (1.5 vigilances or more) the score is 0,
 *    so an anomaly that goes on making new shapes does not report itself again and again. Except a value far
 *    outside the range covered so far (`beyond`): it scores 1 whatever the rate and the quiet period.
 * 4. Calibration: the score is mapped (monotonically, so nothing is reordered) so that the level at which the NAB
 *    corpus is scored best sits at 0.99, the twin-anomaly node's default alarm threshold. See `calibrate`.
 *
 * Why shapes and not a deviation from a mean: a spike of a kind the signal makes every day (a daily batch, a shift
 * change) is a known shape and not an anomaly; a small value in a shape never seen before is.
 */
export interface PatternMemoryParams {
  /** Values per pattern. */
  window: number;
  /** How close a pattern must be to a learned one to match, as a share of the range the signal has covered. */
  vigilance: number;
  /** Most patterns kept. */
  patterns: number;
  learningRate: number;
  /** Samples after a strong novelty during which no further novelty is reported. */
  quiet: number;
  /** Weight of the newest sample in the rate of new patterns. */
  noveltyRate: number;
  /** The novelty is multiplied by (1 - rate of new patterns) to this power. */
  ratePenalty: number;
  /**
   * A value this far beyond the range covered so far (as a share of it) scores 1 on its own, even within the quiet
   * period: nothing like it was ever seen, however noisy the signal's shapes are.
   */
  beyond: number;
}

export interface PatternMemoryState {
  /** Samples seen. */
  n: number;
  min: number;
  max: number;
  /** The last `window` values, oldest first. */
  recent: number[];
  /** Learned patterns, flat (`window` values each), sorted by their newest value for a bounded search. */
  centers: number[];
  /** How often each pattern matched. */
  uses: number[];
  /** Exponentially weighted share of samples that made a new pattern. */
  rate: number;
  /** Samples since the last strong novelty. */
  calm: number;
}

export function patternMemoryInit(): PatternMemoryState {
  return {
    n: 0,
    // Finite placeholders (JSON has no Infinity); the first learned sample sets both.
    min: 0,
    max: 0,
    recent: [],
    centers: [],
    uses: [],
    rate: 0,
    calm: Number.MAX_SAFE_INTEGER,
  };
}

/** Raw novelty at or above which a sample starts the `quiet` period (1.5 vigilances away). */
const STRONG = 0.75;
/** The calibrated score that counts as a detection: the twin-anomaly node's default alarm threshold. */
export const DETECTION = 0.99;
/** The raw score at which NAB is scored best; mapped to DETECTION. */
const DETECTION_RAW = 0.74;
const CALIBRATION_POWER = Math.log((1 - DETECTION) / 0.5) / Math.log((1 - DETECTION_RAW) / 0.5);

/**
 * Monotone map of the raw score onto [0, 1]: below 0.5 unchanged; above, 1 - 0.5 ((1 - raw) / 0.5)^k with k chosen
 * so that the tuned detection level lands on 0.99. Only the scale changes, so thresholds keep their order.
 */
export function calibrate(raw: number): number {
  if (raw <= 0.5) return raw;
  return 1 - 0.5 * Math.pow(Math.max(0, 1 - raw) / 0.5, CALIBRATION_POWER);
}

/** First index in the sorted key column (`centers[j * m + m - 1]`) whose key is >= x. */
function lowerBound(centers: number[], m: number, x: number): number {
  let lo = 0;
  let hi = centers.length / m;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (centers[mid * m + m - 1] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Largest absolute difference between pattern j and the recent values, stopping early once it reaches `bound`. */
function distance(centers: number[], j: number, recent: number[], bound: number): number {
  const m = recent.length;
  let d = 0;
  for (let i = 0; i < m; i++) {
    const e = Math.abs(centers[j * m + i] - recent[i]);
    if (e > d) {
      d = e;
      if (d >= bound) return d;
    }
  }
  return d;
}

/** Nearest pattern within `bound` (signal units), searching outwards from the newest value's position. */
function nearest(state: PatternMemoryState, m: number, bound: number): { index: number; d: number } {
  const { centers, recent } = state;
  const x = recent[m - 1];
  const count = centers.length / m;
  const start = lowerBound(centers, m, x);
  let best = bound;
  let index = -1;
  for (let j = start; j < count && centers[j * m + m - 1] - x < best; j++) {
    const d = distance(centers, j, recent, best);
    if (d < best) [best, index] = [d, j];
  }
  for (let j = start - 1; j >= 0 && x - centers[j * m + m - 1] < best; j--) {
    const d = distance(centers, j, recent, best);
    if (d < best) [best, index] = [d, j];
  }
  return { index, d: best };
}

/** Moves pattern j towards the recent values, then restores the sort order (it moved by a fraction, so rarely far). */
function adapt(state: PatternMemoryState, m: number, j: number, rate: number): void {
  const { centers, recent, uses } = state;
  for (let i = 0; i < m; i++) centers[j * m + i] += rate * (recent[i] - centers[j * m + i]);
  const swap = (a: number, b: number) => {
    for (let i = 0; i < m; i++)
      [centers[a * m + i], centers[b * m + i]] = [centers[b * m + i], centers[a * m + i]];
    [uses[a], uses[b]] = [uses[b], uses[a]];
  };
  while (j > 0 && centers[(j - 1) * m + m - 1] > centers[j * m + m - 1]) {
    swap(j - 1, j);
    j -= 1;
  }
  while (j < uses.length - 1 && centers[(j + 1) * m + m - 1] < centers[j * m + m - 1]) {
    swap(j, j + 1);
    j += 1;
  }
}

/** Learns the recent values as a new pattern, forgetting the least-used one when the memory is full. */
function learnPattern(state: PatternMemoryState, m: number, limit: number): void {
  const { centers, uses, recent } = state;
  if (uses.length >= limit) {
    let least = 0;
    for (let j = 1; j < uses.length; j++) if (uses[j] < uses[least]) least = j;
    centers.splice(least * m, m);
    uses.splice(least, 1);
  }
  const at = lowerBound(centers, m, recent[m - 1]);
  centers.splice(at * m, 0, ...recent);
  uses.splice(at, 0, 1);
}

/**
 * Scores x (calibrated novelty in [0, 1], 0 within `quiet` samples of a strong novelty) and, when `learn`, learns
 * it. Mutates the state, which the caller owns. `beyond` overrides `p.beyond` (auto uses another at coarse scales).
 */
export function patternMemoryUpdate(
  state: PatternMemoryState,
  x: number,
  p: PatternMemoryParams,
  learn: boolean,
  beyondLimit = p.beyond,
): number {
  const m = p.window;
  // The discount uses the rate before this sample, so a novelty does not discount itself.
  const discount = Math.pow(1 - state.rate, p.ratePenalty);
  // How far beyond the range covered so far the value is, as a share of that range.
  const beyond = state.n > 1 ? Math.max(x - state.max, state.min - x) / (state.max - state.min || 1) : 0;
  if (learn) {
    state.n += 1;
    if (state.n === 1 || x < state.min) state.min = x;
    if (state.n === 1 || x > state.max) state.max = x;
  }
  state.recent.push(x);
  if (state.recent.length > m) state.recent.shift();
  let raw = 0;
  if (state.recent.length === m) {
    const range = state.max - state.min || 1;
    const vigilance = p.vigilance * range;
    const { index, d } = nearest(state, m, 2 * vigilance);
    const novel = index < 0 || d > vigilance;
    raw = novel ? 0.5 + 0.5 * Math.min(1, (d - vigilance) / vigilance) : (0.5 * d) / vigilance;
    if (learn) {
      if (novel) learnPattern(state, m, p.patterns);
      else {
        state.uses[index] += 1;
        adapt(state, m, index, Math.max(p.learningRate, 1 / state.uses[index]));
      }
      state.rate += p.noveltyRate * ((novel ? 1 : 0) - state.rate);
    }
  }
  const quiet = state.calm >= p.quiet;
  state.calm = raw >= STRONG ? 0 : Math.min(state.calm + 1, Number.MAX_SAFE_INTEGER);
  // A value well outside everything seen is a novelty however often the signal makes new shapes.
  if (beyond >= beyondLimit) return 1;
  return quiet ? calibrate(raw * discount) : 0;
}
