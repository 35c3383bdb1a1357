/**
 * How simulation time maps to wall time (epoch ms): wall = wall0 + (simTime - sim0) * 1000 / speed.
 *
 * Message and shadow modes run at speed 1 from an epoch. The real-time clock anchors at its start and counts the
 * steps that are due from the wall clock itself, not from timer ticks: a timer's lateness (about 1 ms a tick,
 * 4 s an hour at one tick a second) then never accumulates, and every step's timestamp is the wall time at which
 * it fell due, so it is never ahead of the wall clock, at any speed.
 */
export interface Pace {
  wall0: number;
  sim0: number;
  speed: number;
}

export function paceFrom(wall0: number, sim0: number, speed = 1): Pace {
  return { wall0, sim0, speed };
}

/** The wall time (epoch ms) of a simulation time. */
export function wallTimeOf(pace: Pace, simTime: number): number {
  return pace.wall0 + ((simTime - pace.sim0) * 1000) / pace.speed;
}

/**
 * Steps of h seconds due since the anchor at wall time `now`. The small tolerance counts a step due at exactly its
 * time despite rounding (a 100 ms tick at speed 10 with a 1 s step is one step, not 0.999...).
 */
export function stepsDue(pace: Pace, h: number, now: number): number {
  return Math.max(0, Math.floor(((now - pace.wall0) * pace.speed) / (h * 1000) + 1e-9));
}

/** The timer period of the real-time clock: one step's wall time, at least 1 ms (faster models do several a tick). */
export function tickMs(h: number, speed: number): number {
  return Math.max(1, (h * 1000) / speed);
}
