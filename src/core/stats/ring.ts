/**
 * A fixed-capacity FIFO of numbers as plain JSON: the window of a sliding statistic. `push` returns the value that
 * fell out (or undefined while filling), which is what a sliding Welford needs to remove.
 */
export interface Ring {
  capacity: number;
  start: number;
  values: number[];
}

export function ring(capacity: number): Ring {
  return { capacity: Math.max(1, Math.floor(capacity)), start: 0, values: [] };
}

/** @example const r = ring(1); ringPush(r, 5); ringPush(r, 7) // => 5 (the evicted value) */
export function ringPush(r: Ring, x: number): number | undefined {
  if (r.values.length < r.capacity) {
    r.values.push(x);
    return undefined;
  }
  const evicted = r.values[r.start];
  r.values[r.start] = x;
  r.start = (r.start + 1) % r.capacity;
  return evicted;
}

/** Values oldest first. */
export function ringValues(r: Ring): number[] {
  return r.values.length < r.capacity
    ? r.values.slice()
    : [...r.values.slice(r.start), ...r.values.slice(0, r.start)];
}
