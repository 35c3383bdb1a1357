import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { enqueue, outbox, type OutboxState, type PublishItem } from '../../core/uns/buffer';
import { parseOutboxLine } from '../../core/uns/plan';

/**
 * The store-and-forward outbox kept on disk as JSON lines, so updates buffered while the broker is away also survive a
 * restart of Node-RED. Appending is one short write per update (only while the broker is unreachable); dropping the
 * oldest does not rewrite the file every time: it is compacted when it holds twice the capacity, and after a flush.
 * Delivery is at least once: after a crash in the middle of a flush, what was already sent is sent again.
 * Every line is validated when the file is read back (a torn write, a hand edit, a wildcard topic from an older
 * release): bad lines are counted and skipped, never sent. An item that fails `tries` times in a row while at the
 * head is a dead letter: it leaves the outbox for `<file>.dead.jsonl` and the caller's `onDead`, and the rest flows.
 */
export class DiskOutbox {
  readonly state: OutboxState;
  private linesOnDisk = 0;
  /** Lines that could not be read back (a torn last write, a line that is not a valid item), reported once. */
  readonly unreadable: number = 0;
  private readonly failures = new WeakMap<PublishItem, number>();

  constructor(
    private readonly file: string,
    capacity: number,
    private readonly tries = 3,
    private readonly onDead: (item: PublishItem, reason: string) => void = () => undefined,
  ) {
    this.state = outbox(capacity);
    if (!existsSync(file)) return;
    let unreadable = 0;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const item = parseOutboxLine(line);
      if (item) enqueue(this.state, item);
      else unreadable++;
    }
    this.unreadable = unreadable;
    this.compact();
  }

  get length(): number {
    return this.state.items.length;
  }

  add(item: PublishItem): void {
    enqueue(this.state, item);
    if (this.linesOnDisk === 0) mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, JSON.stringify(item) + '\n');
    this.linesOnDisk++;
    if (this.linesOnDisk >= 2 * this.state.capacity) this.compact();
  }

  /** The oldest `count` items were delivered: forget them, in memory and on disk. */
  private delivered(count: number): void {
    if (count <= 0) return;
    this.state.items.splice(0, count);
    this.compact();
  }

  /**
   * Sends what waits, oldest first, each forgotten only once `send` resolved; stops when `send` fails or `more()`
   * says so. Updates added meanwhile queue behind. A full outbox dropping its oldest meanwhile removes the items
   * already sent first (they are at the head), so the count of sent items follows the drops. Returns how many were
   * delivered.
   */
  async flush(send: (item: PublishItem) => Promise<void>, more: () => boolean): Promise<number> {
    let front = 0;
    let dropped = this.state.dropped;
    const followDrops = (): void => {
      front = Math.max(0, front - (this.state.dropped - dropped));
      dropped = this.state.dropped;
    };
    let delivered = 0;
    try {
      for (followDrops(); front < this.length && more(); followDrops()) {
        const item = this.state.items[front];
        try {
          await send(item);
        } catch (err) {
          const failed = (this.failures.get(item) ?? 0) + 1;
          this.failures.set(item, failed);
          // Refused again and again: a dead letter, so the items behind it keep flowing.
          if (failed < this.tries || this.state.items[front] !== item) break;
          this.state.items.splice(front, 1);
          this.dead(item, err instanceof Error ? err.message : String(err));
          continue;
        }
        front++;
        delivered++;
      }
    } finally {
      followDrops();
      this.delivered(front);
    }
    return delivered;
  }

  private dead(item: PublishItem, reason: string): void {
    appendFileSync(
      `${this.file.replace(/\.jsonl$/, '')}.dead.jsonl`,
      JSON.stringify({ ...item, reason }) + '\n',
    );
    this.onDead(item, reason);
  }

  /** The node is gone from the flow: its files go too. */
  remove(): void {
    this.state.items.length = 0;
    for (const file of [this.file, `${this.file}.tmp`, `${this.file.replace(/\.jsonl$/, '')}.dead.jsonl`])
      rmSync(file, { force: true });
  }

  /** Rewrites the file with exactly what is waiting (atomically: a crash leaves the old or the new file). */
  private compact(): void {
    const items = this.state.items;
    if (items.length === 0 && this.linesOnDisk === 0 && !existsSync(this.file)) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, items.map((i) => JSON.stringify(i) + '\n').join(''));
    renameSync(temp, this.file);
    this.linesOnDisk = items.length;
  }
}
