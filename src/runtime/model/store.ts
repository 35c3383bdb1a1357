import type { NodeContextData } from 'node-red';
import { EventEmitter } from 'node:events';
import {
  checkStaleness,
  staleCheckInterval,
  type TwinDocument,
  type TwinEvent,
  type TwinModel,
  type TwinUpdate,
  withFields,
} from '../../core/twin';
import type { Clock } from '../shared/clock';
import { contextGet, contextSetNow } from '../shared/context';
import type { MaybePromise } from '../shared/maybe-promise';
import { ContextWriter } from './context-writer';
import { deletedKey, readSavedTwins, twinKey } from './saved-twins';

/**
 * Every twin of one model, in memory and mirrored to global context in the chosen store (one object per model, one
 * property per twin; write-behind for a store that answers synchronously, see ContextWriter), so the file store survives restarts and a shared store can be read by other instances. Global,
 * not the config node's context: with no store configured Node-RED deletes a node's context when it stops, so editing
 * the model would wipe its twins (`drop` deletes them when the model node is deleted).
 * The only writer of its documents: a pure reducer computes the new document, it is swapped in, then persisted; if
 * persisting fails the previous one is put back and the error goes to the caller (a message applies whole or not at
 * all). Lives on the twin-model config node: shared state belongs on config nodes, never in module globals.
 */
export class TwinStore extends EventEmitter<{ events: [TwinEvent[]] }> {
  private twins = new Map<string, TwinDocument>();
  /** Each twin's context key, encoded once (every report writes it). */
  private readonly keys = new Map<string, string>();
  /** Last version of each deleted twin (until it is created again). */
  private deletedVersions = new Map<string, number>();
  private readonly writer: ContextWriter;
  private timer: unknown;
  private loaded = false;
  readonly ready: Promise<void>;

  /**
   * @param context global context
   * @param area the model's key in global context (derived from the model node's id)
   */
  constructor(
    private readonly context: NodeContextData,
    private readonly area: string,
    private readonly storeName: string | undefined,
    readonly model: TwinModel,
    private readonly clock: Clock,
    /** Where failures of background work (the staleness check) are logged: the model node's log. */
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    super();
    this.writer = new ContextWriter(context, storeName, clock, onError);
    this.ready = this.load().then(() => {
      this.loaded = true;
    });
    const interval = staleCheckInterval(model);
    if (interval > 0) {
      this.timer = clock.setInterval(() => {
        // Before loading finished (or when it failed, which the model node reports) there is nothing to check.
        if (this.loaded) this.checkStale().catch((err: unknown) => this.onError(err));
      }, interval);
    }
  }

  private async load(): Promise<void> {
    const saved = readSavedTwins(await contextGet<unknown>(this.context, this.area, this.storeName));
    [this.twins, this.deletedVersions] = [saved.twins, saved.deletedVersions];
  }

  /** True once every persisted twin is back in memory. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  get size(): number {
    return this.twins.size;
  }

  get(id: string): TwinDocument | undefined {
    return this.twins.get(id);
  }

  ids(): string[] {
    return [...this.twins.keys()];
  }

  documents(): IterableIterator<TwinDocument> {
    return this.twins.values();
  }

  /**
   * Runs a pure operation on one twin and commits its result (see the class comment for atomicity). Synchronous
   * when the context store answers synchronously.
   */
  apply(id: string, operation: (doc: TwinDocument | undefined) => TwinUpdate): MaybePromise<TwinUpdate> {
    if (!this.loaded) return this.ready.then(() => this.apply(id, operation));
    const before = this.twins.get(id);
    let update = operation(before);
    if (update.doc === before) return update;
    const lastVersion = before ? undefined : this.deletedVersions.get(id);
    if (lastVersion !== undefined) {
      update = { ...update, doc: withFields(update.doc, { version: lastVersion + update.doc.version }) };
    }
    this.twins.set(id, update.doc);
    const revert = (err: unknown): never => {
      if (before) this.twins.set(id, before);
      else this.twins.delete(id);
      throw err;
    };
    let written: Promise<void> | undefined;
    try {
      written = this.persist(id, update.doc);
    } catch (err) {
      revert(err);
    }
    const result = update;
    if (lastVersion !== undefined) {
      // The twin carries its version again; a failed removal of the marker only leaves a number that load ignores.
      this.deletedVersions.delete(id);
      try {
        this.persistDeleted(id, undefined)?.catch(() => undefined);
      } catch {
        // the marker stays; load ignores it for a twin that exists
      }
    }
    return written ? written.then(() => result, revert) : result;
  }

  async remove(id: string): Promise<TwinDocument | undefined> {
    await this.ready;
    const before = this.twins.get(id);
    if (!before) return undefined;
    this.twins.delete(id);
    try {
      await this.persistDeleted(id, before.version);
      await this.persist(id, undefined);
    } catch (err) {
      this.twins.set(id, before);
      throw err;
    }
    this.deletedVersions.set(id, before.version);
    return before;
  }

  /** Writes one twin (undefined: removes it) to context; undefined when the store took it synchronously. */
  private persist(id: string, doc: TwinDocument | undefined): Promise<void> | undefined {
    let key = this.keys.get(id);
    if (key === undefined) this.keys.set(id, (key = twinKey(this.area, id)));
    return this.writer.writeSoon(key, doc);
  }

  /** Writes (or with undefined, clears) a deleted twin's last version. */
  private persistDeleted(id: string, version: number | undefined): Promise<void> | undefined {
    return this.writer.write(deletedKey(this.area, id), version);
  }

  /** Marks stale twins and emits their events; runs on the clock and can be called directly. */
  async checkStale(): Promise<TwinEvent[]> {
    await this.ready;
    const now = this.clock.now();
    const all: TwinEvent[] = [];
    for (const [id, doc] of this.twins) {
      const { doc: next, events } = checkStaleness(doc, this.model, now);
      if (next === doc) continue;
      this.twins.set(id, next);
      all.push(...events);
      try {
        await this.persist(id, next);
      } catch {
        this.twins.set(id, doc);
      }
    }
    if (all.length > 0) this.emit('events', all);
    return all;
  }

  /** Deletes every twin of the model from context: the model node itself was deleted. */
  async drop(): Promise<void> {
    this.twins.clear();
    this.writer.discard();
    await this.close();
    await contextSetNow(this.context, this.area, undefined, this.storeName);
  }

  /** Stops the staleness timer, writes what is due and waits until every write reached the context store. */
  async close(): Promise<void> {
    if (this.timer !== undefined) this.clock.clearInterval(this.timer);
    this.timer = undefined;
    await this.writer.close();
  }
}
