import { TwinFlowError } from '../errors';

/** A detector input must be a finite number at a finite time; checked before any state is touched. */
export function checkSample(signal: string, x: unknown, t: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new TwinFlowError(
      'notFinite',
      `${signal} must be a finite number, got ${typeof x === 'number' ? String(x) : typeof x}`,
      {
        property: signal,
        got: typeof x === 'number' ? String(x) : typeof x,
      },
    );
  }
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new TwinFlowError('badTimestamp', `${signal} has no valid timestamp`, {
      property: signal,
      field: 'timestamp',
    });
  }
  return x;
}
