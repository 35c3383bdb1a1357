import { gammaln } from 'simple-statistics';

/**
 * Upper tail of the chi-squared distribution through the regularised incomplete gamma function Q(a, x)
 * (Numerical Recipes, 3rd ed., §6.2: series for x < a + 1, Lentz continued fraction otherwise).
 */
function gammaSeriesP(a: number, x: number): number {
  let sum = 1 / a;
  let term = sum;
  for (let n = 1; n < 500; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - gammaln(a));
}

function gammaContinuedFractionQ(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - gammaln(a)) * h;
}

/** Q(a, x) = Γ(a, x) / Γ(a). */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (!Number.isFinite(x)) return 0;
  return x < a + 1 ? 1 - gammaSeriesP(a, x) : gammaContinuedFractionQ(a, x);
}

/**
 * P(X >= x) for X ~ chi-squared with k degrees of freedom.
 * @example Math.round(chiSquaredUpperTail(3.841459, 1) * 1000) / 1000 // => 0.05
 */
export function chiSquaredUpperTail(x: number, k: number): number {
  return regularizedGammaQ(k / 2, x / 2);
}
