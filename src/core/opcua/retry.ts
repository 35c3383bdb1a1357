/**
 * Retry timing for OPC UA connections and items, in one place so the endpoint, the map and their tests agree.
 *
 * A lost connection is most often a server restarting: the first retries come fast (every 250 ms for 15 s), so
 * values are back within a second or two of the server; a server that stays away is then asked less and less
 * often, doubling up to `maxMs`.
 *
 * @example reconnectDelay(0) // => 250
 * @example reconnectDelay(100, 10_000) // => 10000
 */
/** How long after a deploy a refused connection is retried quietly (a server in the same flows starting). */
export const STARTUP_GRACE_MS = 3000;
export const FAST_RETRIES = 60;
export const FAST_RETRY_MS = 250;

export function reconnectDelay(attempt: number, maxMs = 10_000): number {
  if (attempt < FAST_RETRIES) return Math.min(FAST_RETRY_MS, maxMs);
  return Math.min(maxMs, 1000 * 2 ** Math.min(attempt - FAST_RETRIES, 16));
}

/**
 * One item that does not resolve (or that the server refuses) is retried alone: after 1 s, doubling to 60 s.
 * @example itemRetryDelay(0) // => 1000
 * @example itemRetryDelay(3) // => 8000
 * @example itemRetryDelay(20) // => 60000
 */
export function itemRetryDelay(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.min(attempt, 16));
}

export interface ItemFailure {
  /** OPC UA status name of the last failure (BadNodeIdUnknown, BadNoMatch ...). */
  status: string;
  /** Failed attempts so far. */
  attempts: number;
  /** When the next attempt is due (epoch ms). */
  dueAt: number;
}

/**
 * The bad items of one map, keyed by `twin.property`: which failed, with what, and when each is tried again.
 * Plain state and pure steps; the runtime owns the timer.
 */
export class ItemRetries {
  private readonly failures = new Map<string, ItemFailure>();

  /** Records a failure; returns true when it is the item's first (the one to report at Catch). */
  fail(key: string, status: string, now: number): boolean {
    const previous = this.failures.get(key);
    const attempts = (previous?.attempts ?? 0) + 1;
    this.failures.set(key, { status, attempts, dueAt: now + itemRetryDelay(attempts - 1) });
    return previous === undefined;
  }

  /** The item works (again). */
  succeed(key: string): void {
    this.failures.delete(key);
  }

  get(key: string): ItemFailure | undefined {
    return this.failures.get(key);
  }

  get size(): number {
    return this.failures.size;
  }

  /** Items whose retry is due at `now`. */
  due(now: number): string[] {
    return [...this.failures].filter(([, f]) => f.dueAt <= now).map(([key]) => key);
  }

  /** Milliseconds from `now` to the next due retry, or undefined when nothing is bad. */
  nextIn(now: number): number | undefined {
    let next = Infinity;
    for (const f of this.failures.values()) next = Math.min(next, f.dueAt);
    return next === Infinity ? undefined : Math.max(0, next - now);
  }

  clear(): void {
    this.failures.clear();
  }
}
