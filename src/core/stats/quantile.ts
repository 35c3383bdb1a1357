/**
 * Inverse of the standard normal distribution function (Acklam's rational approximation, relative error below
 * 1.2e-9), for the z of a two-sided interval.
 * @example Math.round(normalQuantile(0.95) * 1e4) / 1e4 // => 1.6449
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * Quantile of Student's t with `dof` degrees of freedom (Cornish-Fisher expansion around the normal quantile; within
 * about 1% for dof >= 4, exact in the limit). Small windows get wider intervals than the normal would give.
 * @example Math.round(studentQuantile(0.975, 10) * 100) / 100 // => 2.23
 */
export function studentQuantile(p: number, dof: number): number {
  const z = normalQuantile(p);
  if (!Number.isFinite(dof) || dof > 1e6) return z;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * dof) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * dof ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * dof ** 3)
  );
}
