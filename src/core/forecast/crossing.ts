import { normalUpperTail } from '../stats/normal';

/**
 * Time to a threshold from any forecast with an uncertainty band. Given the expected value and the half width of
 * the band at a time h ahead, the crossing time is read off where the curves meet the limit:
 *   expected: the forecast mean reaches it;
 *   lower:    the band's near edge reaches it (the earliest plausible crossing);
 *   upper:    the band's far edge reaches it (the latest; null when it does not within the look-ahead).
 * For a fitted line with the line's own standard error this is Fieller's interval for the time its mean crosses,
 * which covers the true crossing time at the band's level. The probability of a crossing within the horizon is
 * P(value at the horizon beyond the limit) under a normal forecast distribution.
 *
 * `direction` 'above' watches for the signal rising to the limit, 'below' for it falling to it.
 */
export type Direction = 'above' | 'below';

export interface BandAt {
  mean: number;
  /** Standard deviation used for the probability. */
  sd: number;
  /** Half width of the band at the interval's level. */
  half: number;
}

export interface Crossing {
  /** Already beyond the limit (by the current estimate). */
  crossed: boolean;
  /** Expected time until the crossing; null when the forecast does not reach the limit within the look-ahead. */
  expected: number | null;
  lower: number | null;
  upper: number | null;
  /** Probability of being beyond the limit at the horizon. */
  probability: number;
}

/** Number of grid points over the look-ahead before refining by bisection. */
const GRID = 64;

export function timeToThreshold(
  band: (h: number) => BandAt,
  limit: number,
  direction: Direction,
  horizon: number,
  lookAhead: number,
): Crossing {
  const s = direction === 'above' ? 1 : -1;
  const reached = (h: number, edge: number): boolean => {
    const b = band(h);
    return s * (b.mean + edge * s * b.half) >= s * limit;
  };
  // Grid denser near now: h = lookAhead (k / GRID)^2.
  const first = (edge: number): number | null => {
    if (reached(0, edge)) return 0;
    let previous = 0;
    for (let k = 1; k <= GRID; k++) {
      const h = lookAhead * (k / GRID) ** 2;
      if (reached(h, edge)) {
        let lo = previous;
        let hi = h;
        for (let i = 0; i < 50 && hi - lo > 1e-9 * (1 + hi); i++) {
          const mid = (lo + hi) / 2;
          if (reached(mid, edge)) hi = mid;
          else lo = mid;
        }
        return hi;
      }
      previous = h;
    }
    return null;
  };
  const now = band(0);
  const atHorizon = band(horizon);
  const z = (s * (atHorizon.mean - limit)) / atHorizon.sd;
  const probability = atHorizon.sd > 0 ? normalUpperTail(-z) : s * (atHorizon.mean - limit) >= 0 ? 1 : 0;
  return {
    crossed: s * (now.mean - limit) >= 0,
    expected: first(0),
    lower: first(1),
    upper: first(-1),
    probability,
  };
}
