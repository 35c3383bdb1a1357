import type { NodeContextData } from 'node-red';
import type { Clock } from '../shared/clock';
import { contextSetNow } from '../shared/context';

/** How long a key written to a synchronous store may lag behind memory (as twin-anomaly's learned state). */
export const REWRITE_MS = 1000;

/**
 * The twin store's writes to Node-RED context, write-behind where that loses nothing. A store that answers at once
 * (memory, the file store's cache) only holds the value until it flushes to disk (the file store every 30 s by
 * default) or never persists it (memory); writing each of a twin's ten updates a second there is wasted work. So a
 * key the store took synchronously less than REWRITE_MS ago is only marked dirty, and every dirty key is written
 * once when that time is up, and always on close (Node-RED stops the flows before it closes the context stores, so
 * a restart restores the last state). A key's first write, and every write to an asynchronous store (file without
 * cache, Redis), is made at once, in order, and its failure goes to the caller. Only a later failure of a store that
 * already took the same key synchronously is logged instead (the twin in memory stays right either way).
 * A shared store is therefore read up to REWRITE_MS behind by other readers of a synchronous one.
 */
export class ContextWriter {
  /** Per key the store took synchronously: when, and the newest value when a write of it is due. */
  private readonly written = new Map<string, { at: number; due: boolean; value: unknown }>();
  /** The keys whose write is due at the next flush. */
  private due: string[] = [];
  private timer: unknown;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: NodeContextData,
    private readonly storeName: string | undefined,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Writes now, or later when this key was written synchronously a moment ago (see the class comment). */
  writeSoon(key: string, value: unknown): Promise<void> | undefined {
    const last = this.written.get(key);
    if (value === undefined || last === undefined || this.clock.now() - last.at >= REWRITE_MS)
      return this.write(key, value);
    last.value = value;
    if (!last.due) {
      last.due = true;
      this.due.push(key);
    }
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, REWRITE_MS);
    return undefined;
  }

  /** Writes now, superseding a due write of the same key; chained so `close` can wait for it. */
  write(key: string, value: unknown): Promise<void> | undefined {
    const last = this.written.get(key);
    if (last) {
      last.due = false;
      last.value = undefined;
    }
    let written: Promise<void> | undefined;
    try {
      written = contextSetNow(this.context, key, value, this.storeName);
    } catch (err) {
      this.written.delete(key);
      throw err;
    }
    if (written) {
      this.written.delete(key);
      this.pending = this.pending.then(
        () => written,
        () => written,
      );
    } else if (value === undefined) this.written.delete(key);
    else if (last) last.at = this.clock.now();
    else this.written.set(key, { at: this.clock.now(), due: false, value: undefined });
    return written;
  }

  /** Writes every due key now. */
  flush(): void {
    const keys = this.due;
    this.due = [];
    for (const key of keys) {
      const entry = this.written.get(key);
      if (!entry?.due) continue; // written (or removed) since
      const value = entry.value;
      entry.value = undefined;
      try {
        this.write(key, value)?.catch(this.onError);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  /** Forgets every due write (the model's twins are being deleted). */
  discard(): void {
    this.written.clear();
    this.due = [];
  }

  /** Writes what is due and waits until every write reached the store. */
  async close(): Promise<void> {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    await this.pending.catch(() => undefined);
  }
}
