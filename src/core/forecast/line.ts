import { normalQuantile, studentQuantile } from '../stats/quantile';

/**
 * A straight line fitted to the samples of a trailing window, ordinary or robust (Huber weights by iteratively
 * reweighted least squares, scale from the median absolute deviation), with the uncertainty of the fitted line
 * itself: at time t the fitted mean is level + slope (t - center) with standard error
 * sigma sqrt(1 / sum(w) + (t - center)^2 / sxx).
 */
export interface LineFit {
  n: number;
  /** Weighted mean time of the window; level is the fitted value there. */
  center: number;
  level: number;
  /** Change per unit of time. */
  slope: number;
  sumW: number;
  /** Weighted sum of squared time deviations from center. */
  sxx: number;
  /** Residual standard deviation. */
  sigma: number;
  /** Degrees of freedom of sigma (n - 2). */
  dof: number;
}

const HUBER_K = 1.345;

/** Fits a line to (t, y); undefined with fewer than 3 samples or no spread in time. */
export function fitLine(t: ArrayLike<number>, y: ArrayLike<number>, robust: boolean): LineFit | undefined {
  const n = t.length;
  if (n < 3) return undefined;
  const w = new Float64Array(n).fill(1);
  let fit = weightedFit(t, y, w);
  if (!fit || !robust) return fit;
  const residuals = new Float64Array(n);
  for (let iteration = 0; iteration < 8; iteration++) {
    for (let i = 0; i < n; i++) residuals[i] = Math.abs(y[i] - (fit.level + fit.slope * (t[i] - fit.center)));
    const scale = (median(residuals) / 0.6745) * HUBER_K;
    if (!(scale > 0)) break;
    for (let i = 0; i < n; i++) w[i] = residuals[i] <= scale ? 1 : scale / residuals[i];
    const next = weightedFit(t, y, w);
    if (!next) break;
    const moved = Math.abs(next.slope - fit.slope);
    fit = next;
    if (moved <= 1e-12 * (1 + Math.abs(fit.slope))) break;
  }
  return fit;
}

function weightedFit(t: ArrayLike<number>, y: ArrayLike<number>, w: Float64Array): LineFit | undefined {
  const n = t.length;
  let sumW = 0;
  let tBar = 0;
  let yBar = 0;
  for (let i = 0; i < n; i++) {
    sumW += w[i];
    tBar += w[i] * t[i];
    yBar += w[i] * y[i];
  }
  tBar /= sumW;
  yBar /= sumW;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += w[i] * (t[i] - tBar) ** 2;
    sxy += w[i] * (t[i] - tBar) * (y[i] - yBar);
  }
  if (!(sxx > 0)) return undefined;
  const slope = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += w[i] * (y[i] - yBar - slope * (t[i] - tBar)) ** 2;
  // Weights sum to n for an ordinary fit; rescale so sigma is per sample either way.
  const sigma = Math.sqrt((sse * (n / sumW)) / (n - 2));
  return { n, center: tBar, level: yBar, slope, sumW: sumW, sxx, sigma, dof: n - 2 };
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Fitted mean at t and its standard error (of the line, not of a new sample). */
export function lineAt(fit: LineFit, t: number): { mean: number; se: number } {
  const dt = t - fit.center;
  // The weights' scale cancels in the slope; for the errors use per-sample units (sumW and sxx scaled to n).
  const scale = fit.n / fit.sumW;
  return {
    mean: fit.level + fit.slope * dt,
    se: fit.sigma * Math.sqrt(1 / (fit.sumW * scale) + (dt * dt) / (fit.sxx * scale)),
  };
}

/** Forecast of the line at t with a two-sided interval at `level` for a new sample (noise included). */
export function lineForecast(
  fit: LineFit,
  t: number,
  level: number,
): { mean: number; lower: number; upper: number } {
  const { mean, se } = lineAt(fit, t);
  const half = quantileFor(level, fit.dof) * Math.sqrt(se * se + fit.sigma * fit.sigma);
  return { mean, lower: mean - half, upper: mean + half };
}

/** The two-sided multiplier at `level`: Student's t for a fitted line's dof, the normal otherwise. */
export function quantileFor(level: number, dof = Infinity): number {
  const p = 1 - (1 - level) / 2;
  return Number.isFinite(dof) ? studentQuantile(p, Math.max(1, dof)) : normalQuantile(p);
}
