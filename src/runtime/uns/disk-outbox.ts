import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { enqueue, outbox, type OutboxState, type PublishItem } from '../../core/uns/buffer';

/**
 * The store-and-forward outbox kept on disk as JSON lines, so updates buffered while the broker is away also survive a
 * restart of Node-RED. Appending is one short write per update (only while the broker is unreachable); dropping the
 * oldest does not rewrite the file every time: it is compacted when it holds twice the capacity, and after a flush.
 * Delivery is at least once: after a crash in the middle of a flush, what was already sent is sent again.
 */
export class DiskOutbox {
  readonly state: OutboxState;
  private linesOnDisk = 0;
  /** Lines that could not be read back (a torn last write), reported once. */
  readonly unreadable: number = 0;

  constructor(
    private readonly file: string,
    capacity: number,
  ) {
    this.state = outbox(capacity);
    if (!existsSync(file)) return;
    let unreadable = 0;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const item = JSON.parse(line) as PublishItem;
        if (typeof item.topic === 'string' && typeof item.payload === 'string') enqueue(this.state, item);
        else unreadable++;
      } catch {
        unreadable++;
      }
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
        await send(this.state.items[front]);
        front++;
        delivered++;
      }
    } catch {
      // the broker went away again: what is left waits for the next connection
    } finally {
      followDrops();
      this.delivered(front);
    }
    return delivered;
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
