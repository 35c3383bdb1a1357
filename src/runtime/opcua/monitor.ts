import {
  AttributeIds,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  TimestampsToReturn,
  type ClientSession,
  type DataValue,
  type NodeId,
} from 'node-opcua';
import { qualityOf, toEngineering, type MappedItem } from '../../core/opcua/mapping';

export interface Reading {
  item: MappedItem;
  value: unknown;
  quality: 'good' | 'uncertain' | 'bad';
  statusCode: string;
  sourceTimestamp?: number;
  serverTimestamp?: number;
}

/** A DataValue as a TwinFlow reading: scaled, with quality and both timestamps (never a made-up timestamp). */
export function toReading(item: MappedItem, dv: DataValue): Reading {
  const statusCode = dv.statusCode.name;
  const quality = qualityOf(statusCode);
  let value: unknown = dv.value?.value ?? null;
  if (typeof value === 'number' && item.scale) value = toEngineering(value, item.scale);
  if (typeof value === 'bigint') value = Number(value);
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number')
    value = value[0] * 2 ** 32 + value[1]; // Int64 as [high, low]
  const reading: Reading = { item, value: quality === 'bad' ? null : value, quality, statusCode };
  if (dv.sourceTimestamp) reading.sourceTimestamp = dv.sourceTimestamp.getTime();
  if (dv.serverTimestamp) reading.serverTimestamp = dv.serverTimestamp.getTime();
  return reading;
}

const BATCH = 500;

/**
 * Monitored items for resolved mapping items: one subscription per publishing interval (items with the same
 * sampling interval share it), items created in batches of 500 per CreateMonitoredItems call, and a large
 * maxNotificationsPerPublish (node-red-contrib-opcua's 10 throttles thousands of tags). Returns a stop function.
 */
export async function monitorItems(
  session: ClientSession,
  resolved: { item: MappedItem; nodeId: NodeId }[],
  onReading: (r: Reading) => void,
  onItemError: (item: MappedItem, status: string) => void,
): Promise<() => Promise<void>> {
  const byInterval = new Map<number, { item: MappedItem; nodeId: NodeId }[]>();
  for (const r of resolved) {
    const list = byInterval.get(r.item.samplingInterval) ?? [];
    list.push(r);
    byInterval.set(r.item.samplingInterval, list);
  }
  const subscriptions: ClientSubscription[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(subscriptions.map((s) => s.terminate().catch(() => undefined)));
  };
  try {
    for (const [interval, entries] of byInterval) {
      // createSubscription2 rejects when the session is gone (a reconnect in progress); ClientSubscription.create
      // would throw that from inside node-opcua, out of reach of any handler.
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: interval,
        requestedLifetimeCount: 60,
        requestedMaxKeepAliveCount: 10,
        maxNotificationsPerPublish: 10_000,
        publishingEnabled: true,
        priority: 1,
      });
      subscriptions.push(subscription);
      for (let start = 0; start < entries.length; start += BATCH) {
        const batch = entries.slice(start, start + BATCH);
        // Items in one CreateMonitoredItems call share parameters; deadband differs per item, so group by it.
        const groups = new Map<string, typeof batch>();
        for (const e of batch) {
          const key = `${e.item.deadbandType}:${e.item.deadbandValue}`;
          groups.set(key, [...(groups.get(key) ?? []), e]);
        }
        for (const group of groups.values()) {
          const { deadbandType, deadbandValue } = group[0].item;
          const filter =
            deadbandType === 'none'
              ? null
              : new DataChangeFilter({
                  trigger: DataChangeTrigger.StatusValue,
                  deadbandType: deadbandType === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
                  deadbandValue,
                });
          const monitored = await subscription.monitorItems(
            group.map((e) => ({ nodeId: e.nodeId, attributeId: AttributeIds.Value })),
            { samplingInterval: interval, queueSize: 1, discardOldest: true, filter },
            TimestampsToReturn.Both,
          );
          monitored.on('changed', (_mi, dv, index) => onReading(toReading(group[index].item, dv)));
          monitored.monitoredItems.forEach((mi, index) => {
            if (mi.statusCode && !mi.statusCode.isGood()) onItemError(group[index].item, mi.statusCode.name);
          });
        }
      }
    }
  } catch (err) {
    // Nothing half-built is left behind: the caller rebuilds everything on the next session.
    await stop();
    throw err;
  }
  return stop;
}

/** Reads every item once (after a (re)connect: fresh values, not only changes). */
export async function readAll(
  session: ClientSession,
  resolved: { item: MappedItem; nodeId: NodeId }[],
  onReading: (r: Reading) => void,
): Promise<void> {
  for (let start = 0; start < resolved.length; start += BATCH) {
    const batch = resolved.slice(start, start + BATCH);
    const values = await session.read(
      batch.map((r) => ({ nodeId: r.nodeId, attributeId: AttributeIds.Value })),
    );
    values.forEach((dv, i) => onReading(toReading(batch[i].item, dv)));
  }
}
