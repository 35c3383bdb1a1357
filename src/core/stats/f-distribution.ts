import { gammaln } from 'simple-statistics';

/**
 * The F distribution, for the T-squared control limit of a PCA model fitted on n samples (Tracy, Young & Mason
 * 1992): T2_lim = a (n - 1)(n + 1) / (n (n - a)) F_conf(a, n - a). Through the regularised incomplete beta function
 * (Numerical Recipes, 3rd ed., §6.4, Lentz continued fraction).
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** ln B(a, b), the constant part of the beta function; a caller that evaluates many x may compute it once. */
export function logBeta(a: number, b: number): number {
  return gammaln(a) + gammaln(b) - gammaln(a + b);
}

/** I_x(a, b), the regularised incomplete beta function. */
export function regularizedBeta(x: number, a: number, b: number, lnBeta = logBeta(a, b)): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - lnBeta);
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * P(X >= f) for X ~ F(d1, d2).
 * @example Math.round(fUpperTail(4.964603, 1, 10) * 1000) / 1000 // => 0.05
 */
export function fUpperTail(f: number, d1: number, d2: number, lnBeta = logBeta(d2 / 2, d1 / 2)): number {
  if (!(f > 0)) return 1;
  if (!Number.isFinite(f)) return 0;
  return regularizedBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2, lnBeta);
}

/**
 * The F quantile: the f with P(X >= f) = tail, by bisection on the monotone upper tail.
 * @example Math.round(fQuantileUpper(0.05, 1, 10) * 1000) / 1000 // => 4.965
 */
export function fQuantileUpper(tail: number, d1: number, d2: number): number {
  let lo = 0;
  let hi = 1;
  while (fUpperTail(hi, d1, d2) > tail && hi < 1e12) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (fUpperTail(mid, d1, d2) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
