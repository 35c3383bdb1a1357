import { createClient } from 'redis';
import { fieldOf, getPath, keyParts, rebuild, setPath } from '../core/context/path';

/**
 * A Node-RED context store on Redis, for state an active and a standby instance share (twins, detector state):
 *
 *   contextStorage: { twins: { module: require('@twinflow/node-red-digital-twin/context-redis'),
 *                               config: { url: 'redis://127.0.0.1:6379' } } }
 *
 * Layout: one hash per context scope (`<prefix>:<scope>`, prefix 'nodered' by default), one field per key that
 * was set (`twins.t_Pump01` is its own field), the value as JSON. Everything is loaded into memory when Node-RED
 * opens the store, so reads are synchronous (function nodes' context.get without a callback works) and writes are
 * taken at once and written behind, in batches, in order.
 *
 * Outage: when Redis goes away the store keeps answering from memory and keeps the writes waiting, the latest per
 * key, up to `maxPending` keys (default 100,000); a write to a further key is refused with an error (the caller's
 * Catch sees it, and TwinFlow's twin store then keeps the twin as it was). The client reconnects on its own (every
 * 0.1 to 2 s); on reconnect the waiting writes go out, and memory and Redis agree again. Every change of connection
 * is logged once with the URL and the number of writes waiting. Nothing here throws out of an event handler, so a
 * lost connection can never crash Node-RED. Redis itself should persist (AOF or RDB) for the data to outlive it.
 */
interface Config {
  url?: string;
  prefix?: string;
  maxPending?: number;
  /** How long `open` waits for a first connection before Node-RED's start fails with the reason. */
  connectTimeout?: number;
  /** Where connection changes are reported (default console.warn, which Node-RED's log shows). */
  log?: (text: string) => void;
}

type Callback = (err?: Error | null, ...values: unknown[]) => void;
type Tree = Record<string, unknown>;

class RedisContextStore {
  private readonly url: string;
  private readonly prefix: string;
  private readonly maxPending: number;
  private readonly log: (text: string) => void;
  private readonly client;
  private readonly data = new Map<string, Tree>();
  /** Fields that exist in Redis (or will once written), per scope. */
  private readonly fields = new Map<string, Set<string>>();
  /** Writes not yet in Redis: per scope, field -> JSON, or null to delete; `drop` deletes the whole hash first. */
  private pending = new Map<string, { drop: boolean; writes: Map<string, string | null> }>();
  private pendingCount = 0;
  /** Writes not yet in Redis (what an outage has buffered). */
  get waiting(): number {
    return this.pendingCount;
  }
  private flushing = false;
  private scheduled = false;
  private down = false;

  constructor(private readonly config: Config) {
    this.url = config.url ?? 'redis://127.0.0.1:6379';
    this.prefix = config.prefix ?? 'nodered';
    this.maxPending = config.maxPending ?? 100_000;
    this.log = config.log ?? ((text) => console.warn(text));
    this.client = createClient({
      url: this.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5000,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
      },
    });
    this.client.on('error', (err: Error) => this.lost(err.message || String(err)));
    this.client.on('ready', () => this.back());
  }

  private lost(reason: string): void {
    if (this.down) return;
    this.down = true;
    this.log(
      `[twinflow context-redis] ${this.url} unreachable (${reason}): reads from memory, ${this.pendingCount} writes waiting (limit ${this.maxPending}), reconnecting`,
    );
  }

  private back(): void {
    if (!this.down) return this.schedule();
    this.down = false;
    this.log(`[twinflow context-redis] ${this.url} reconnected: writing ${this.pendingCount} waiting writes`);
    this.schedule();
  }

  async open(): Promise<void> {
    const timeout = this.config.connectTimeout ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`context-redis: cannot connect to ${this.url} within ${timeout} ms`)),
        timeout,
      );
    });
    try {
      await Promise.race([this.client.connect(), expired]);
      await Promise.race([this.load(), expired]);
    } catch (err) {
      await this.client.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async load(): Promise<void> {
    const head = `${this.prefix}:`;
    for await (const batch of this.client.scanIterator({ MATCH: `${head}*`, COUNT: 1000 })) {
      for (const key of batch as unknown as string[]) {
        const scope = key.slice(head.length);
        const hash = await this.client.hGetAll(key);
        this.data.set(scope, rebuild(hash));
        this.fields.set(scope, new Set(Object.keys(hash)));
      }
    }
  }

  async close(): Promise<void> {
    // Give waiting writes one chance to reach Redis, then stop reconnecting.
    if (!this.down) await this.flush().catch(() => undefined);
    if (this.client.isOpen) await this.client.close().catch(() => this.client.destroy());
    else this.client.destroy();
  }

  get(scope: string, key: string | string[], callback?: Callback): unknown {
    try {
      const tree = this.data.get(scope);
      const values = (Array.isArray(key) ? key : [key]).map((k) =>
        structuredCloneOf(getPath(tree, keyParts(k))),
      );
      if (!callback) return Array.isArray(key) ? values : values[0];
      callback(null, ...values);
    } catch (err) {
      if (!callback) throw err;
      callback(err as Error);
    }
    return undefined;
  }

  set(scope: string, key: string | string[], value: unknown, callback?: Callback): void {
    try {
      const keys = Array.isArray(key) ? key : [key];
      const values = Array.isArray(key) ? (Array.isArray(value) ? value : [value]) : [value];
      keys.forEach((k, i) => this.setOne(scope, keyParts(k), i < values.length ? values[i] : null));
      this.schedule();
    } catch (err) {
      if (!callback) throw err;
      return callback(err as Error);
    }
    callback?.(null);
  }

  private setOne(scope: string, parts: string[], value: unknown): void {
    const json = value === undefined ? null : JSON.stringify(value);
    const tree = this.data.get(scope) ?? {};
    const fields = this.fields.get(scope) ?? new Set<string>();
    const field = fieldOf(parts);
    const queue = this.queue(scope);
    if (!queue.writes.has(field) && this.pendingCount >= this.maxPending)
      throw new Error(
        `context-redis: ${this.url} unreachable and ${this.pendingCount} writes already waiting; write to ${parts.join('.')} refused`,
      );
    const before = getPath(tree, parts);
    setPath(tree, parts, json === null ? undefined : (JSON.parse(json) as unknown));
    this.data.set(scope, tree);
    this.fields.set(scope, fields);
    // Fields below this key are replaced by it.
    if (typeof before === 'object' && before !== null) {
      const below = field.slice(0, -1) + ',';
      for (const f of fields) if (f.startsWith(below)) this.write(scope, fields, f, null);
    }
    // A deleted key inside a stored ancestor: rewrite the ancestor, or the next load would bring the key back.
    for (let depth = 1; json === null && depth < parts.length; depth++) {
      const ancestor = fieldOf(parts.slice(0, depth));
      if (fields.has(ancestor)) {
        const v = getPath(tree, parts.slice(0, depth));
        this.write(scope, fields, ancestor, v === undefined ? null : JSON.stringify(v));
      }
    }
    this.write(scope, fields, field, json);
  }

  private queue(scope: string): { drop: boolean; writes: Map<string, string | null> } {
    let q = this.pending.get(scope);
    if (!q) {
      q = { drop: false, writes: new Map() };
      this.pending.set(scope, q);
    }
    return q;
  }

  private write(scope: string, fields: Set<string>, field: string, json: string | null): void {
    const q = this.queue(scope);
    if (!q.writes.has(field)) this.pendingCount++;
    q.writes.set(field, json);
    if (json === null) fields.delete(field);
    else fields.add(field);
  }

  keys(scope: string, callback?: Callback): unknown {
    const keys = Object.keys(this.data.get(scope) ?? {});
    if (!callback) return keys;
    callback(null, keys);
    return undefined;
  }

  delete(scope: string): Promise<void> {
    this.data.delete(scope);
    this.fields.delete(scope);
    const q = this.queue(scope);
    this.pendingCount -= q.writes.size;
    q.writes.clear();
    q.drop = true;
    this.schedule();
    return Promise.resolve();
  }

  clean(activeNodes: string[]): Promise<void> {
    for (const scope of [...this.data.keys()]) {
      if (scope !== 'global' && !activeNodes.includes(scope.split(':')[0])) {
        // delete() only queues the removal (a failed write is reported by the flush); never unhandled either way.
        this.delete(scope).catch(() => undefined);
      }
    }
    return Promise.resolve();
  }

  private schedule(): void {
    if (this.scheduled || this.flushing || this.down) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush().catch(() => undefined);
    });
  }

  /** Sends every waiting write in one MULTI; on failure they wait again (behind anything newer for the same key). */
  private async flush(): Promise<void> {
    if (this.flushing || this.pending.size === 0 || !this.client.isReady) return;
    this.flushing = true;
    const batch = this.pending;
    const count = this.pendingCount;
    this.pending = new Map();
    this.pendingCount = 0;
    try {
      const multi = this.client.multi();
      for (const [scope, q] of batch) {
        const key = `${this.prefix}:${scope}`;
        if (q.drop) multi.del(key);
        const sets: Record<string, string> = {};
        const dels: string[] = [];
        for (const [field, json] of q.writes)
          if (json === null) dels.push(field);
          else sets[field] = json;
        if (dels.length > 0) multi.hDel(key, dels);
        if (Object.keys(sets).length > 0) multi.hSet(key, sets);
      }
      await multi.exec();
    } catch (err) {
      this.requeue(batch, count);
      this.lost(err instanceof Error ? err.message : String(err));
    } finally {
      this.flushing = false;
    }
    if (this.pending.size > 0) this.schedule();
  }

  private requeue(batch: typeof this.pending, count: number): void {
    const newer = this.pending;
    this.pending = batch;
    this.pendingCount = count;
    for (const [scope, q] of newer) {
      const into = this.queue(scope);
      if (q.drop) {
        this.pendingCount -= into.writes.size;
        into.writes.clear();
        into.drop = true;
      }
      for (const [field, json] of q.writes) {
        if (!into.writes.has(field)) this.pendingCount++;
        into.writes.set(field, json);
      }
    }
  }
}

/** Context values are handed out as copies, as Node-RED's own stores do through JSON: nobody edits the store by reference. */
function structuredCloneOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (JSON.parse(JSON.stringify(value)) as unknown) : value;
}

export = function (config: Config = {}): RedisContextStore {
  return new RedisContextStore(config);
};
