/**
 * A seeded pseudo-random generator with plain-JSON state (mulberry32), so a simulation with the same seed repeats
 * exactly and its randomness survives a snapshot, a restore and a redeploy.
 */
export interface Rng {
  s: number;
  /** A spare normal deviate from the Box-Muller pair, or null. */
  spare: number | null;
}

export function rng(seed: number): Rng {
  return { s: seed >>> 0 || 0x9e3779b9, spare: null };
}

/** Uniform in [0, 1). Mutates the state. */
export function uniform(r: Rng): number {
  r.s = (r.s + 0x6d2b79f5) >>> 0;
  let t = r.s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Standard normal (Box-Muller). Mutates the state. */
export function normal(r: Rng): number {
  if (r.spare !== null) {
    const value = r.spare;
    r.spare = null;
    return value;
  }
  const u = Math.max(uniform(r), 1e-300);
  const v = uniform(r);
  const radius = Math.sqrt(-2 * Math.log(u));
  r.spare = radius * Math.sin(2 * Math.PI * v);
  return radius * Math.cos(2 * Math.PI * v);
}

/** Exponentially distributed with the given mean. */
export function exponential(r: Rng, mean: number): number {
  return -mean * Math.log(1 - uniform(r));
}
