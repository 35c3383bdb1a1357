import { TwinFlowError } from '../errors';

/**
 * A wall-time budget for simulation work, so no single message can hold the event loop: the core never reads a
 * clock itself, the caller hands in `now` (the runtime's injectable clock).
 *
 * `expired()` reads the clock on every call (between communication steps, where a step costs far more).
 * `check()` is for the inner loops of a model (micro-steps, controller samples, parts): it reads the clock only
 * every CHECK_EVERY calls, so it costs a counter increment per iteration, and throws `overBudget` once the time is
 * up, which abandons the step (models are pure, so the simulation stays as it was).
 */
export interface Budget {
  readonly ms: number;
  expired(): boolean;
  /** Milliseconds left (reads the clock); 0 or less once expired. */
  left(): number;
  check(): void;
}

const CHECK_EVERY = 64;

export function budget(now: () => number, ms: number, start = now()): Budget {
  const end = start + ms;
  let calls = 0;
  return {
    ms,
    expired: () => now() >= end,
    left: () => end - now(),
    check() {
      if (++calls % CHECK_EVERY !== 0 || now() < end) return;
      throw new TwinFlowError('overBudget', `the step took longer than the budget of ${ms} ms`, {
        budget: ms,
      });
    },
  };
}

/** No limit: for callers that bound work by other means (benchmarks, tests of the physics). */
export const unlimited: Budget = {
  ms: Infinity,
  expired: () => false,
  left: () => Infinity,
  check: () => undefined,
};
