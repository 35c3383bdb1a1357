/**
 * Ridge regression by the normal equations (X'X + lambda I) w = X'y, solved by Gaussian elimination with partial
 * pivoting. The intercept is fitted and not penalised. Small problems only (a few dozen columns).
 * @example ridge([[0], [1], [2]], [1, 3, 5], 0) // => { weights: [2], bias: 1 } (within rounding)
 */
export function ridge(
  x: ArrayLike<number>[],
  y: ArrayLike<number>,
  lambda: number,
): { weights: number[]; bias: number } {
  const n = x.length;
  const d = n > 0 ? x[0].length : 0;
  const meanX = new Array<number>(d).fill(0);
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) meanX[j] += x[i][j] / n;
    meanY += y[i] / n;
  }
  const a = Array.from({ length: d }, () => new Array<number>(d + 1).fill(0));
  for (let i = 0; i < n; i++) {
    const yi = y[i] - meanY;
    for (let j = 0; j < d; j++) {
      const xj = x[i][j] - meanX[j];
      for (let k = j; k < d; k++) a[j][k] += xj * (x[i][k] - meanX[k]);
      a[j][d] += xj * yi;
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < j; k++) a[j][k] = a[k][j];
    a[j][j] += lambda;
  }
  const weights = solve(a, d);
  let bias = meanY;
  for (let j = 0; j < d; j++) bias -= weights[j] * meanX[j];
  return { weights, bias };
}

/** Solves the augmented d x (d + 1) system in place; a singular direction gets weight 0. */
function solve(a: number[][], d: number): number[] {
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    if (Math.abs(a[col][col]) < 1e-12) continue;
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      if (f === 0) continue;
      for (let c = col; c <= d; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, j) => (Math.abs(row[j]) < 1e-12 ? 0 : row[d] / row[j]));
}
