import type { Clock } from '../shared/clock';

/** Twins taken per turn of the event loop, at most and at least. */
const MAX_BATCH = 200;
const MIN_BATCH = 5;
/** A turn that came this much later than asked means the process is saturated: take fewer per turn. */
const LATE_MS = 20;

interface Waiting {
  twin: string;
  values: Record<string, unknown>;
}

/**
 * A bounded queue of accepted desired values between the broker and twin-state. Commands are decided on arrival (a
 * refusal is answered at once, see RefusalReplies); what a command accepted waits here, one entry per twin: a newer
 * accepted value for a twin that is still waiting is merged into its entry (the newest value of each property wins;
 * a desired value is a state, not an event). That keeps a burst at one twin (100,000 `/set` messages) from turning
 * into 100,000 desired updates, each costing twin-state and the publishes of the changed twin: V8 lets the heap grow
 * with that garbage until the burst is over (about 2.5 MB per 1,000 updates, measured).
 * Entries are taken a batch per turn of the event loop, and the batch adapts to how late the turn came (halved when
 * the loop lags, grown again when it keeps up), so the admin API keeps answering; while the broker connection still
 * has many publishes to send (`ready`), none is taken. A full queue holds the connection's incoming messages
 * (`hold(true)`: the burst waits at the broker, see BrokerConnection.holdIncoming) until half of it is done; a
 * command for another twin that still finds it full is refused (`busy`).
 */
export class CommandIntake {
  private readonly queue: Waiting[] = [];
  private readonly byTwin = new Map<string, Waiting>();
  private head = 0;
  private timer: unknown;
  private due = 0;
  private batch = MAX_BATCH;
  private holding = false;

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
    /** Takes a twin's accepted values (sends them on as desired). */
    private readonly take: (twin: string, values: Record<string, unknown>) => void,
    private readonly onError: (err: unknown) => void,
    /** False while what earlier commands set off is still on its way out (the broker connection's backlog). */
    private readonly ready: () => boolean = () => true,
    /** Holds (true) or releases (false) the source of the commands. */
    private readonly hold: (on: boolean) => void = () => undefined,
  ) {}

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Queues a twin's accepted values (merged into its waiting entry), or calls `refuseBusy` when full. */
  offer(twin: string, values: Record<string, unknown>, refuseBusy: () => void): void {
    const earlier = this.byTwin.get(twin);
    if (earlier) {
      Object.assign(earlier.values, values);
      return;
    }
    if (this.waiting >= this.limit) return refuseBusy();
    const entry = { twin, values: { ...values } };
    this.queue.push(entry);
    this.byTwin.set(twin, entry);
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
      this.byTwin.delete(entry.twin);
      try {
        this.take(entry.twin, entry.values);
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
    this.byTwin.clear();
    this.head = 0;
  }
}
