import {
  AttributeIds,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  TimestampsToReturn,
  type ClientSession,
  type ClientSubscription,
  type NodeId,
} from 'node-opcua';
import type { MappedItem } from '../../core/opcua/mapping';
import { itemRoute, sampleReader, type OnReading } from './sample';

export type Resolved = { item: MappedItem; nodeId: NodeId };

/** Items per CreateMonitoredItems / Read / TranslateBrowsePaths request. */
export const BATCH = 500;

export interface MonitorOptions {
  queueSize: number;
  /** 0: each subscription publishes at its items' sampling interval. */
  publishingInterval: number;
}

/**
 * The subscriptions of one map on one session: one per publishing interval, a large maxNotificationsPerPublish
 * (node-red-contrib-opcua's 10 throttles thousands of items), and monitored items created in batches of 500, the
 * batches in parallel. Items can be added later (a failed item retried alone) without touching the others.
 */
export class Subscriptions {
  private readonly subscriptions = new Map<number, Promise<ClientSubscription>>();
  private readonly toSample = sampleReader();
  private stopped = false;

  constructor(
    private readonly session: ClientSession,
    private readonly options: MonitorOptions,
    private readonly onReading: OnReading,
  ) {}

  private subscription(interval: number): Promise<ClientSubscription> {
    let s = this.subscriptions.get(interval);
    if (!s) {
      // createSubscription2 rejects when the session is gone; ClientSubscription.create would throw inside node-opcua.
      s = this.session.createSubscription2({
        requestedPublishingInterval: interval,
        requestedLifetimeCount: 60,
        requestedMaxKeepAliveCount: 10,
        maxNotificationsPerPublish: 0, // 0: no limit
        publishingEnabled: true,
        priority: 1,
      });
      this.subscriptions.set(interval, s);
    }
    return s;
  }

  /** Monitors `entries`; resolves with the items the server refused and their status codes. */
  async add(entries: Resolved[]): Promise<{ item: MappedItem; status: string }[]> {
    const groups = new Map<string, Resolved[]>();
    for (const e of entries) {
      // One CreateMonitoredItems call shares its parameters: group by interval and deadband, then cut in batches.
      const interval = this.options.publishingInterval || e.item.samplingInterval;
      const key = `${interval}|${e.item.samplingInterval}|${e.item.deadbandType}|${e.item.deadbandValue}`;
      const list = groups.get(key) ?? [];
      list.push(e);
      groups.set(key, list);
    }
    const calls: Promise<{ item: MappedItem; status: string }[]>[] = [];
    for (const [key, list] of groups)
      for (let start = 0; start < list.length; start += BATCH)
        calls.push(this.monitor(Number(key.split('|')[0]), list.slice(start, start + BATCH)));
    return (await Promise.all(calls)).flat();
  }

  private async monitor(
    interval: number,
    batch: Resolved[],
  ): Promise<{ item: MappedItem; status: string }[]> {
    const subscription = await this.subscription(interval);
    if (this.stopped) return [];
    const { deadbandType, deadbandValue, samplingInterval } = batch[0].item;
    const filter =
      deadbandType === 'none'
        ? null
        : new DataChangeFilter({
            trigger: DataChangeTrigger.StatusValue,
            deadbandType: deadbandType === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
            deadbandValue,
          });
    const group = await subscription.monitorItems(
      batch.map((e) => ({ nodeId: e.nodeId, attributeId: AttributeIds.Value })),
      { samplingInterval, queueSize: this.options.queueSize, discardOldest: true, filter },
      TimestampsToReturn.Both,
    );
    const refused: { item: MappedItem; status: string }[] = [];
    group.monitoredItems.forEach((mi, index) => {
      if (mi.statusCode && !mi.statusCode.isGood())
        refused.push({ item: batch[index].item, status: mi.statusCode.name });
    });
    const routes = batch.map((e) => itemRoute(e.item));
    group.on('changed', (_mi, dv, index) => {
      const route = routes[index];
      this.onReading(route, this.toSample(route, dv));
    });
    return refused;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.subscriptions.values()];
    this.subscriptions.clear();
    await Promise.all(all.map((s) => s.then((sub) => sub.terminate()).catch(() => undefined)));
  }
}

/** Reads every item once (the mapping's periodic refresh of values that report by exception). */
export async function readAll(
  session: ClientSession,
  resolved: Resolved[],
  onReading: OnReading,
): Promise<void> {
  const toSample = sampleReader();
  for (let start = 0; start < resolved.length; start += BATCH) {
    const batch = resolved.slice(start, start + BATCH);
    const values = await session.read(
      batch.map((r) => ({ nodeId: r.nodeId, attributeId: AttributeIds.Value })),
    );
    values.forEach((dv, i) => onReading(batch[i].item, toSample(batch[i].item, dv)));
  }
}
