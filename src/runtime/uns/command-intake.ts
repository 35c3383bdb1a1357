import type { Clock } from '../shared/clock';

/** Commands decided per turn of the event loop, at most and at least. */
const MAX_BATCH = 200;
const MIN_BATCH = 5;
/** A turn that came this much later than asked means the process is saturated: take fewer per turn. */
const LATE_MS = 20;

interface Waiting {
  key: string | undefined;
  decide: () => void;
}

/**
 * A bounded queue between the broker and the bridge's command handling. A burst of commands (100,000 /set
 * messages at once) is taken a batch per turn of the event loop, and the batch adapts to how late the turn came
 * (halved when the loop lags, grown again when it keeps up): what an accepted command sets off downstream (twin-state,
 * the publishes of the changed twin) cannot pile up faster than the process handles it, and the admin API keeps
 * answering; while the broker connection still has many publishes to send (`ready`), none is taken.
 * A command with a `key` (its topic) supersedes one with the same key still waiting: only the newest is decided (a
 * desired value is a state, not an event; the superseded command gets no reply). This is what keeps memory flat in a
 * burst at one topic: each accepted command costs twin-state and the publishes of the changed twin, and V8 lets the
 * heap grow with that garbage (about 2.5 MB per 1,000 commands, measured) until the burst is over.
 * A full queue holds the connection's incoming messages (`hold(true)`: the burst waits at the broker, see
 * BrokerConnection.holdIncoming) until half of it is done; a command that still finds it full is refused (`busy`).
 */
export class CommandIntake {
  private readonly queue: Waiting[] = [];
  private readonly byKey = new Map<string, Waiting>();
  private head = 0;
  private timer: unknown;
  private due = 0;
  private batch = MAX_BATCH;
  private holding = false;

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
    /** False while what earlier commands set off is still on its way out (the broker connection's backlog). */
    private readonly ready: () => boolean = () => true,
    /** Holds (true) or releases (false) the source of the commands. */
    private readonly hold: (on: boolean) => void = () => undefined,
  ) {}

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Queues `decide` (or lets it supersede the waiting command with the same key), or calls `refuseBusy` when full. */
  offer(decide: () => void, refuseBusy: () => void, key?: string): void {
    const earlier = key === undefined ? undefined : this.byKey.get(key);
    if (earlier) {
      earlier.decide = decide;
      return;
    }
    if (this.waiting >= this.limit) return refuseBusy();
    const entry = { key, decide };
    this.queue.push(entry);
    if (key !== undefined) this.byKey.set(key, entry);
    if (this.timer === undefined) this.schedule();
    if (!this.holding && this.waiting >= this.limit) this.setHolding(true);
  }

  private setHolding(on: boolean): void {
    this.holding = on;
    this.hold(on);
  }

  private schedule(ms = 1): void {
    this.due = this.clock.now() + ms;
    this.timer = this.clock.setTimeout(this.drain, ms);
  }

  private readonly drain = (): void => {
    this.timer = undefined;
    // While holding, the source waits for this queue: the connection's backlog may only shrink once the source reads
    // on (its acknowledgements come in behind the held message), so draining must not wait for it.
    if (!this.holding && !this.ready()) return this.schedule(10);
    const late = this.clock.now() - this.due;
    this.batch = late > LATE_MS ? Math.max(MIN_BATCH, this.batch >> 1) : Math.min(MAX_BATCH, this.batch + 10);
    const end = Math.min(this.queue.length, this.head + this.batch);
    while (this.head < end) {
      const entry = this.queue[this.head++];
      if (entry.key !== undefined) this.byKey.delete(entry.key);
      try {
        entry.decide();
      } catch (err) {
        this.onError(err);
      }
    }
    if (this.holding && this.waiting <= this.limit >> 1) this.setHolding(false);
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else {
      if (this.head > 4096) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.schedule();
    }
  };

  close(): void {
    if (this.holding) this.setHolding(false);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.byKey.clear();
    this.head = 0;
  }
}
