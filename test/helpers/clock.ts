import type { Clock } from '../../src/runtime/shared/clock';

/** A clock that moves only when the test says so, injected through the runtime setting `twinflowClock`. */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { due: number; every: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setInterval(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { due: this.time + ms, every: ms, fn });
    return id;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { due: this.time + ms, every: 0, fn });
    return id;
  }

  clearInterval(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let nextId = -1;
      let nextDue = Infinity;
      for (const [id, t] of this.timers) if (t.due <= end && t.due < nextDue) [nextId, nextDue] = [id, t.due];
      if (nextId < 0) break;
      const timer = this.timers.get(nextId)!;
      this.time = timer.due;
      if (timer.every > 0) timer.due += timer.every;
      else this.timers.delete(nextId);
      timer.fn();
    }
    this.time = end;
  }
}
