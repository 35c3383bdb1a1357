import { rng, uniform } from '../sim/rng';

/**
 * Gradient-boosted regression trees (squared loss), compact enough to train in seconds in pure TypeScript and to
 * evaluate in a flow in microseconds. Training bins every feature into at most `bins` quantile bins (histogram
 * split finding, as in LightGBM); a tree stores raw-value thresholds, so prediction needs no binning.
 *
 * A tree is plain JSON in parallel arrays: node i is a leaf when feature[i] < 0 (its value in value[i]), otherwise
 * it sends x to left[i] when x[feature[i]] <= threshold[i] and to right[i] otherwise.
 */
export interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface Boosted {
  base: number;
  trees: Tree[];
}

export interface BoostParams {
  trees: number;
  depth: number;
  learningRate: number;
  minLeaf: number;
  /** L2 penalty on leaf values. */
  lambda: number;
  /** Share of rows each tree sees (stochastic boosting). */
  subsample: number;
  bins: number;
  seed: number;
}

export const BOOST_DEFAULTS: BoostParams = {
  trees: 300,
  depth: 5,
  learningRate: 0.05,
  minLeaf: 20,
  lambda: 1,
  subsample: 0.8,
  bins: 64,
  seed: 1,
};

export function predictTree(tree: Tree, x: ArrayLike<number>, offset = 0): number {
  let i = 0;
  while (tree.feature[i] >= 0)
    i = x[offset + tree.feature[i]] <= tree.threshold[i] ? tree.left[i] : tree.right[i];
  return tree.value[i];
}

/** All trees of a model in flat typed arrays (node k of tree t at start[t] + k): a faster walk in a flow. */
interface Packed {
  start: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

const packedModels = new WeakMap<Boosted, Packed>();

function pack(model: Boosted): Packed {
  const total = model.trees.reduce((a, t) => a + t.feature.length, 0);
  const p: Packed = {
    start: new Int32Array(model.trees.length),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    value: new Float64Array(total),
  };
  let at = 0;
  model.trees.forEach((t, i) => {
    p.start[i] = at;
    p.feature.set(t.feature, at);
    p.threshold.set(t.threshold, at);
    p.left.set(t.left, at);
    p.right.set(t.right, at);
    p.value.set(t.value, at);
    at += t.feature.length;
  });
  return p;
}

export function predictBoosted(model: Boosted, x: ArrayLike<number>, offset = 0): number {
  let p = packedModels.get(model);
  if (!p) {
    p = pack(model);
    packedModels.set(model, p);
  }
  let y = model.base;
  for (let t = 0; t < p.start.length; t++) {
    const base = p.start[t];
    let i = 0;
    while (p.feature[base + i] >= 0) {
      i = x[offset + p.feature[base + i]] <= p.threshold[base + i] ? p.left[base + i] : p.right[base + i];
    }
    y += p.value[base + i];
  }
  return y;
}

/** Quantile cut points per feature (at most bins - 1 distinct values). */
function cutPoints(x: Float64Array, rows: number, cols: number, bins: number): number[][] {
  const cuts: number[][] = [];
  const column = new Float64Array(rows);
  for (let f = 0; f < cols; f++) {
    for (let r = 0; r < rows; r++) column[r] = x[r * cols + f];
    column.sort();
    const points: number[] = [];
    for (let b = 1; b < bins; b++) {
      const v = column[Math.min(rows - 1, Math.floor((b * rows) / bins))];
      if (points.length === 0 || v > points[points.length - 1]) points.push(v);
    }
    // A cut at the maximum would send everything left; drop it.
    if (points.length > 0 && points[points.length - 1] >= column[rows - 1]) points.pop();
    cuts.push(points);
  }
  return cuts;
}

/**
 * Bin index of every value, column-major (feature f of row r at f * rows + r, so a histogram pass reads memory in
 * order): the number of cut points strictly below the value, so value <= cut[b] exactly when bin <= b.
 */
function binAll(x: Float64Array, rows: number, cols: number, cuts: number[][]): Uint8Array {
  const binned = new Uint8Array(rows * cols);
  for (let f = 0; f < cols; f++) {
    const c = cuts[f];
    for (let r = 0; r < rows; r++) {
      const v = x[r * cols + f];
      let lo = 0;
      let hi = c.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      binned[f * rows + r] = lo;
    }
  }
  return binned;
}

/** Residual sums and counts per (feature, bin) over the member rows. */
function histogram(
  binned: Uint8Array,
  rows: number,
  cols: number,
  bins: number,
  members: Int32Array,
  residual: Float64Array,
): { sum: Float64Array; count: Float64Array } {
  const sum = new Float64Array(cols * bins);
  const count = new Float64Array(cols * bins);
  for (let f = 0; f < cols; f++) {
    const column = f * rows;
    const base = f * bins;
    for (let k = 0; k < members.length; k++) {
      const r = members[k];
      const b = base + binned[column + r];
      sum[b] += residual[r];
      count[b] += 1;
    }
  }
  return { sum, count };
}

/**
 * Trains on x (row-major, rows x cols) against y. `onTree` reports progress (trees done) for long runs. A child's
 * histogram is its parent's minus its sibling's, so only the smaller child is counted.
 */
export function trainBoosted(
  x: Float64Array,
  y: ArrayLike<number>,
  cols: number,
  params: BoostParams,
  onTree?: (done: number) => void,
): Boosted {
  const rows = y.length;
  const bins = params.bins;
  const cuts = cutPoints(x, rows, cols, bins);
  const binned = binAll(x, rows, cols, cuts);
  let base = 0;
  for (let r = 0; r < rows; r++) base += y[r] / rows;
  const prediction = new Float64Array(rows).fill(base);
  const residual = new Float64Array(rows);
  const random = rng(params.seed);
  const trees: Tree[] = [];
  for (let t = 0; t < params.trees; t++) {
    for (let r = 0; r < rows; r++) residual[r] = y[r] - prediction[r];
    const chosen: number[] = [];
    for (let r = 0; r < rows; r++)
      if (params.subsample >= 1 || uniform(random) < params.subsample) chosen.push(r);
    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const grow = (
      members: Int32Array,
      hist: { sum: Float64Array; count: Float64Array },
      depth: number,
    ): number => {
      const id = tree.feature.length;
      let sum = 0;
      for (let k = 0; k < members.length; k++) sum += residual[members[k]];
      const n = members.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push((params.learningRate * sum) / (n + params.lambda));
      if (depth >= params.depth || n < 2 * params.minLeaf) return id;
      const parentScore = (sum * sum) / (n + params.lambda);
      let bestGain = 1e-9;
      let bestFeature = -1;
      let bestBin = -1;
      for (let f = 0; f < cols; f++) {
        const nCuts = cuts[f].length;
        let leftSum = 0;
        let leftCount = 0;
        for (let b = 0; b < nCuts; b++) {
          leftSum += hist.sum[f * bins + b];
          leftCount += hist.count[f * bins + b];
          const rightCount = n - leftCount;
          if (leftCount < params.minLeaf) continue;
          if (rightCount < params.minLeaf) break;
          const rightSum = sum - leftSum;
          const gain =
            (leftSum * leftSum) / (leftCount + params.lambda) +
            (rightSum * rightSum) / (rightCount + params.lambda) -
            parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
          }
        }
      }
      if (bestFeature < 0) return id;
      const column = bestFeature * rows;
      let leftN = 0;
      for (let k = 0; k < n; k++) if (binned[column + members[k]] <= bestBin) leftN++;
      const leftMembers = new Int32Array(leftN);
      const rightMembers = new Int32Array(n - leftN);
      let li = 0;
      let ri = 0;
      for (let k = 0; k < n; k++) {
        const r = members[k];
        if (binned[column + r] <= bestBin) leftMembers[li++] = r;
        else rightMembers[ri++] = r;
      }
      const leftIsSmaller = leftN <= n - leftN;
      const small = histogram(binned, rows, cols, bins, leftIsSmaller ? leftMembers : rightMembers, residual);
      const large = { sum: hist.sum.slice(), count: hist.count.slice() };
      for (let i = 0; i < large.sum.length; i++) {
        large.sum[i] -= small.sum[i];
        large.count[i] -= small.count[i];
      }
      tree.feature[id] = bestFeature;
      tree.threshold[id] = cuts[bestFeature][bestBin];
      tree.left[id] = grow(leftMembers, leftIsSmaller ? small : large, depth + 1);
      tree.right[id] = grow(rightMembers, leftIsSmaller ? large : small, depth + 1);
      return id;
    };
    const members = Int32Array.from(chosen);
    grow(members, histogram(binned, rows, cols, bins, members, residual), 0);
    for (let r = 0; r < rows; r++) prediction[r] += predictTree(tree, x, r * cols);
    trees.push(tree);
    onTree?.(t + 1);
  }
  return { base, trees };
}
