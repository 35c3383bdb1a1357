import { AttributeIds, type ClientSession } from 'node-opcua';
import type { MappedItem, Mapping } from '../../core/opcua/mapping';
import { ItemRetries } from '../../core/opcua/retry';
import type { Clock } from '../shared/clock';
import { readAll, Subscriptions, type MonitorOptions, type Resolved } from './monitor';
import { sampleFrom, type OnReading } from './sample';
import { resolveItems } from './resolve';

export interface MapSessionEvents {
  reading: OnReading;
  /** An item is bad: `first` is true once per bad episode of the item (the one to report at Catch). */
  itemBad(item: MappedItem, status: string, first: boolean): void;
  /** Something changed that the status shows (items working, bad). */
  changed(): void;
}

const keyOf = (item: MappedItem): string => `${item.twin}.${item.property}`;
/** How long a freshly connected server may answer BadNodeIdUnknown for every item before each is reported bad. */
const STARTUP_GRACE_MS = 3000;

/**
 * What one twin-opcua-map does on one session: resolve every address, monitor what resolved, and keep the items that
 * did not (an address that does not resolve, an item the server refuses) bad and retried alone, 1 s doubling to
 * 60 s, each joining the others' subscription when it appears. One bad item never re-creates the others.
 */
export class MapSession {
  private readonly subscriptions: Subscriptions;
  private readonly retries = new ItemRetries();
  private readonly good = new Map<string, Resolved>();
  private timer: unknown;
  private refreshTimer: unknown;
  private closed = false;

  constructor(
    private readonly session: ClientSession,
    private readonly namespaces: string[],
    private readonly mapping: Mapping,
    private readonly items: MappedItem[],
    options: MonitorOptions,
    private readonly clock: Clock,
    private readonly on: MapSessionEvents,
  ) {
    this.subscriptions = new Subscriptions(session, options, (item, sample) => {
      if (!this.closed) on.reading(item, sample);
    });
  }

  get total(): number {
    return this.items.length;
  }

  get bad(): number {
    return this.retries.size;
  }

  /** The resolved item of a twin's property (for writes), when it works. */
  resolved(twin: string, property: string): Resolved | undefined {
    return this.good.get(`${twin}.${property}`);
  }

  /** Every working item (node-red-contrib-opcua messages are matched by NodeId). */
  working(): Iterable<Resolved> {
    return this.good.values();
  }

  async start(): Promise<void> {
    await this.addressSpaceReady();
    await this.join(this.items);
    const refreshMs = (this.mapping.refresh ?? 0) * 1000;
    // Keep-alive reads for by-exception sources: constant values would otherwise go stale in the twin.
    if (refreshMs > 0)
      this.refreshTimer = this.clock.setInterval(() => {
        readAll(this.session, [...this.good.values()], this.on.reading).catch(() => undefined);
      }, refreshMs);
  }

  /**
   * A server that has just started (a PLC loading its program, a twin-opcua-server before its first values) answers
   * BadNodeIdUnknown for everything. While not one of the first items resolves, wait (at most STARTUP_GRACE_MS) before
   * calling each item bad, so a plant that starts together with its client does not begin with an error per item.
   */
  private async addressSpaceReady(): Promise<void> {
    const probe = this.items.slice(0, 20);
    const until = this.clock.now() + STARTUP_GRACE_MS;
    while (!this.closed && probe.length > 0 && this.clock.now() < until) {
      if (await this.anyExists(probe)) return;
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 250));
    }
  }

  /** Whether any of `items` resolves to a node the server has (an explicit NodeId resolves without asking it). */
  private async anyExists(items: MappedItem[]): Promise<boolean> {
    try {
      const found = await resolveItems(this.session, this.namespaces, items, this.mapping.namespace);
      const nodeIds = found.flatMap((r) => (r.nodeId ? [r.nodeId] : []));
      if (nodeIds.length === 0) return false;
      const read = await this.session.read(
        nodeIds.map((nodeId) => ({ nodeId, attributeId: AttributeIds.NodeClass })),
      );
      return read.some((dv) => dv.statusCode.isGood());
    } catch {
      return true; // not a startup question (an unknown namespace, a lost session): join reports it as before
    }
  }

  /** Resolves and monitors `items`; the ones that fail become (or stay) bad with their next retry scheduled. */
  private async join(items: MappedItem[]): Promise<void> {
    const resolutions = await resolveItems(this.session, this.namespaces, items, this.mapping.namespace);
    if (this.closed) return;
    const resolved: Resolved[] = [];
    for (const r of resolutions) {
      if (r.nodeId) resolved.push({ item: r.item, nodeId: r.nodeId });
      else this.failed(r.item, r.status ?? 'BadNodeIdUnknown');
    }
    const refused = await this.subscriptions.add(resolved);
    if (this.closed) return;
    const refusedKeys = new Set(refused.map((r) => keyOf(r.item)));
    for (const r of refused) this.failed(r.item, r.status);
    for (const r of resolved) {
      if (refusedKeys.has(keyOf(r.item))) continue;
      this.good.set(keyOf(r.item), r);
      this.retries.succeed(keyOf(r.item));
    }
    this.arm();
    this.on.changed();
  }

  private failed(item: MappedItem, status: string): void {
    this.good.delete(keyOf(item));
    const first = this.retries.fail(keyOf(item), status, this.clock.now());
    if (first) this.on.reading(item, sampleFrom(item, null, 'bad', status, this.clock.now()));
    this.on.itemBad(item, status, first);
  }

  /** One timer for every bad item: the next due retry. */
  private arm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const wait = this.retries.nextIn(this.clock.now());
    if (wait === undefined || this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      const due = new Set(this.retries.due(this.clock.now()));
      this.join(this.items.filter((i) => due.has(keyOf(i)))).catch(() => this.arm());
    }, wait);
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (this.refreshTimer !== undefined) this.clock.clearInterval(this.refreshTimer);
    await this.subscriptions.stop();
  }
}
