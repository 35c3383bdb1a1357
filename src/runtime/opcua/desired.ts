import { jsonEqual } from '../../core/twin/merge';
import type { Clock } from '../shared/clock';
import type { TwinStore } from '../model/store';

/** How long a client's write waits for twin-state to take the desired value before it is answered BadTimeout. */
export const WRITE_CONFIRM_MS = 3000;

/**
 * Resolves true once the twin holds `value` as the property's desired value, set at or after `since` (twin-state
 * took the write), false after `timeoutMs` (twin-state not wired, or it refused the value).
 */
export function tookDesired(
  store: TwinStore,
  twin: string,
  property: string,
  value: unknown,
  since: number,
  clock: Clock,
  timeoutMs = WRITE_CONFIRM_MS,
): Promise<boolean> {
  const took = (): boolean => {
    const desired = store.get(twin)?.desired[property];
    return desired !== undefined && desired.timestamp >= since && jsonEqual(desired.value, value);
  };
  return new Promise((resolve) => {
    const started = clock.now();
    const timer = clock.setInterval(() => {
      const done = took();
      if (done || clock.now() - started >= timeoutMs) {
        clock.clearInterval(timer);
        resolve(done);
      }
    }, 20);
  });
}
