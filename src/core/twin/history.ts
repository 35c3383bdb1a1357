import type { Quality } from '../envelope';

/**
 * A bounded history of one property as plain JSON (so it persists through any context store): parallel arrays
 * used as a ring, `next` is where the next entry goes. Parallel arrays of numbers keep 100k twins' histories far
 * smaller than an array of small objects would.
 */
export interface HistoryRing {
  capacity: number;
  next: number;
  /** Entries held, at most capacity. */
  size: number;
  t: number[];
  v: unknown[];
  q: Quality[];
}

export interface HistoryEntry {
  timestamp: number;
  value: unknown;
  quality: Quality;
}

export function emptyHistory(capacity: number): HistoryRing {
  return { capacity, next: 0, size: 0, t: [], v: [], q: [] };
}

/**
 * Returns a new ring with the entry appended, dropping the oldest when full. The input ring is not modified, so a
 * rejected message can never leave half a history behind.
 * @example historyEntries(pushHistory(pushHistory(emptyHistory(1), 1, 10, 'good'), 2, 20, 'good')) // => [{timestamp: 2, value: 20, quality: 'good'}]
 */
export function pushHistory(
  ring: HistoryRing,
  timestamp: number,
  value: unknown,
  quality: Quality,
): HistoryRing {
  const t = ring.t.slice();
  const v = ring.v.slice();
  const q = ring.q.slice();
  t[ring.next] = timestamp;
  v[ring.next] = value;
  q[ring.next] = quality;
  return {
    capacity: ring.capacity,
    next: (ring.next + 1) % ring.capacity,
    size: Math.min(ring.size + 1, ring.capacity),
    t,
    v,
    q,
  };
}

/** Entries oldest first, optionally only those with from <= timestamp <= to. */
export function historyEntries(ring: HistoryRing, from = -Infinity, to = Infinity): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  const start = ring.size < ring.capacity ? 0 : ring.next;
  for (let i = 0; i < ring.size; i++) {
    const k = (start + i) % ring.capacity;
    const timestamp = ring.t[k];
    if (timestamp >= from && timestamp <= to) out.push({ timestamp, value: ring.v[k], quality: ring.q[k] });
  }
  return out;
}

/** A ring resized to a new capacity keeping the newest entries (the model's history depth was edited). */
export function resizeHistory(ring: HistoryRing, capacity: number): HistoryRing {
  if (capacity === ring.capacity) return ring;
  return historyEntries(ring)
    .slice(-capacity)
    .reduce((acc, e) => pushHistory(acc, e.timestamp, e.value, e.quality), emptyHistory(capacity));
}
