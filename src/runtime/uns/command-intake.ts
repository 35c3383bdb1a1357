import type { Clock } from '../shared/clock';

/** Commands decided per turn of the event loop: a burst of /set messages cannot hold the loop for long. */
const BATCH = 200;

/**
 * A bounded queue between the broker and the bridge's command handling. A burst of commands (100,000 /set
 * messages at once) is taken BATCH at a time, yielding to the event loop between batches so the admin API and
 * other flows stay responsive; beyond `limit` waiting commands, a command is refused at once (`busy`) instead of
 * piling up in memory.
 */
export class CommandIntake {
  private readonly queue: (() => void)[] = [];
  private head = 0;
  private timer: unknown;

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Queues `decide`, or calls `refuseBusy` at once when the queue is full. */
  offer(decide: () => void, refuseBusy: () => void): void {
    if (this.waiting >= this.limit) return refuseBusy();
    this.queue.push(decide);
    this.timer ??= this.clock.setTimeout(this.drain, 0);
  }

  private readonly drain = (): void => {
    this.timer = undefined;
    const end = Math.min(this.queue.length, this.head + BATCH);
    while (this.head < end) {
      try {
        this.queue[this.head++]();
      } catch (err) {
        this.onError(err);
      }
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else this.timer = this.clock.setTimeout(this.drain, 0);
  };

  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.head = 0;
  }
}
