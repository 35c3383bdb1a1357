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
 *    corpus is scored best sits at 0.99 (DETECTION), the level at which a novelty counts as a detection. See
 *    `calibrate`.
 * 5. How rare a detection is in this signal: above DETECTION the score is a tail probability p under the signal's own
 *    learned null distribution of novelties, 1 - 0.01 p^(1/3) (0.99 at p = 1, 0.999 at 1e-3, 0.9999 at 1e-6, the
 *    node's default alarm threshold). The null is learned from the signal's own novel shapes, a peaks-over-threshold
 *    model with the vigilance as the threshold: a learned shape is new with probability `rate` (the exponentially
 *    weighted share of new shapes, bias-corrected), and its distance beyond the vigilance is exponential with the
 *    mean of the distances beyond it so far (`excess`). So p = rate exp(-excess of this shape / mean excess). Why: a
 *    memory of shapes finds something new in any noise sooner or later (a value more extreme than all before it comes
 *    about once in n samples), so "new" alone cannot bound the false alarm rate; how far out, against how far out
 *    this signal's new shapes usually are, can. The score's order below 0.99 is unchanged.
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
  /** New shapes learned so far, counted up to EXCESS_MEMORY (the weight of the mean excess). Absent in older states. */
  novel?: number;
  /** Mean distance of a new shape beyond the vigilance, in vigilances: the scale of the tail model. */
  excess?: number;
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
/** The calibrated score that counts as a detection (and starts auto's quiet period at every scale). */
export const DETECTION = 0.99;
/**
 * The score at which the tail probability of a detection is 1e-6 per sample: the twin-anomaly node's default alarm
 * threshold for auto (see `tailScore`).
 */
export const RARE_DETECTION = 0.9999;
/** Farthest distance searched, in vigilances: beyond it a tail probability is negligible at any learned scale. */
const TAIL_REACH = 10;
/** The mean excess is a running mean over the first new shapes, then exponentially weighted with this weight's inverse. */
const EXCESS_MEMORY = 100;
/** Mean excess before any new shape was seen, in vigilances (counted as one observation). */
const EXCESS_PRIOR = 1;
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

/**
 * The score of a detection from its tail probability p: 1 - (1 - DETECTION) p^(1/3), so DETECTION at p = 1 and one
 * more 9 for every factor of 1000 (0.9999 at p = 1e-6). Monotone: a rarer detection scores higher.
 */
export function tailScore(p: number): number {
  return 1 - (1 - DETECTION) * Math.cbrt(Math.min(1, Math.max(0, p)));
}

/**
 * Probability, under the signal's learned null, that a learned shape is new and at least `excess` vigilances beyond
 * the vigilance: the rate of new shapes (bias-corrected: the weighted average starts at 0) times an exponential tail.
 */
function tailProbability(state: PatternMemoryState, excess: number, p: PatternMemoryParams): number {
  const scored = state.n - p.window + 1;
  const rate = scored > 0 ? Math.min(1, state.rate / (1 - Math.pow(1 - p.noveltyRate, scored))) : 1;
  return rate * Math.exp(-excess / (state.excess ?? EXCESS_PRIOR));
}

function learnExcess(state: PatternMemoryState, excess: number): void {
  const count = Math.min((state.novel ?? 0) + 1, EXCESS_MEMORY);
  const mean = state.excess ?? EXCESS_PRIOR;
  state.novel = count;
  state.excess = mean + (excess - mean) / (count + 1);
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
 * Scores x (calibrated novelty in [0, 1], a detection's tail score from DETECTION up, 0 within `quiet` samples of a
 * strong novelty) and, when `learn`, learns
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
  let tail = 1;
  if (state.recent.length === m) {
    const range = state.max - state.min || 1;
    const vigilance = p.vigilance * range;
    const { index, d } = nearest(state, m, TAIL_REACH * vigilance);
    const novel = index < 0 || d > vigilance;
    raw = novel ? 0.5 + 0.5 * Math.min(1, (d - vigilance) / vigilance) : (0.5 * d) / vigilance;
    const excess = d / vigilance - 1;
    if (novel) tail = tailProbability(state, excess, p);
    if (learn) {
      // The first shape has nothing to be measured against: it says nothing about how far new shapes lie.
      if (novel && state.uses.length > 0) learnExcess(state, excess);
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
  if (!quiet) return 0;
  const score = calibrate(raw * discount);
  return score < DETECTION ? score : tailScore(tail);
}
