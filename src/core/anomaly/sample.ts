import { TwinFlowError } from '../errors';

/** Largest accepted absolute sample value by default: beyond it a value is a fault (a sentinel, an overflow). */
export const DEFAULT_MAGNITUDE = 1e15;

/**
 * A detector input must be a finite number within the magnitude limit, at a finite time; checked before any state
 * is touched, so a refused value (NaN, Infinity, 3.4e38 from a float sentinel) never reaches learned state.
 */
export function checkSample(signal: string, x: unknown, t: unknown, magnitude = DEFAULT_MAGNITUDE): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    const got = typeof x === 'number' ? String(x) : typeof x;
    throw new TwinFlowError('notFinite', `${signal} must be a finite number, got ${got}`, {
      property: signal,
      got,
    });
  }
  if (Math.abs(x) > magnitude) {
    throw new TwinFlowError('beyondMagnitude', `${signal} is ${x}, beyond the limit of ${magnitude}`, {
      property: signal,
      got: String(x),
      limit: magnitude,
    });
  }
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new TwinFlowError('badTimestamp', `${signal} has no valid timestamp`, {
      property: signal,
      field: 'timestamp',
    });
  }
  return x;
}
