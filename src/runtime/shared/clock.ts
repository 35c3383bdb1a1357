import type { NodeAPI } from 'node-red';

/**
 * Time and timers for the runtime, injectable so tests (and fast-forward replays) control time instead of waiting
 * (the MQTT.js Timer pattern). Production uses the system clock; a test puts its own clock in the runtime settings
 * as `twinflowClock`.
 */
export interface Clock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs fn once pending I/O has been handled (optional: an injected clock without it gets a 0 ms timer). */
  setImmediate?(fn: () => void): unknown;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setImmediate: (fn) => setImmediate(fn),
};

/** Runs fn on a later turn of the event loop: how long work yields between its slices. */
export function defer(clock: Clock, fn: () => void): void {
  if (clock.setImmediate) clock.setImmediate(fn);
  else clock.setTimeout(fn, 0);
}

export function clockFor(RED: NodeAPI): Clock {
  const injected = (RED.settings as unknown as { twinflowClock?: Clock }).twinflowClock;
  return injected ?? systemClock;
}
