import { isPlainObject, toSample, type TwinChange } from '../envelope';
import { TwinFlowError } from '../errors';
import type { Hierarchy, TwinModel } from '../twin/model';
import { awsReported, awsUpdateTopic } from './aws';
import type { PublishItem } from './buffer';
import type { PropertySample } from './sparkplug/edge';
import { checkTopicName, renderTopic, utf8Bytes } from './topic';

/**
 * What the UNS bridge publishes for one twin-state message, planned as plain data for the layout in use:
 *   uns        one retained topic per changed property ({value, unit, quality, timestamp}) and the whole twin on
 *              .../_twin;
 *   aws        one $aws/things/{twin}/shadow/update with the changed values as `reported`;
 *   sparkplug  the changed and all samples, for the edge node's DBIRTH / DDATA.
 * By exception: only what twin-state says changed (msg.changes); a message without changes publishes every property.
 */
export interface PlanSettings {
  layout: 'uns' | 'aws' | 'sparkplug';
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  publishTwin: boolean;
}

export interface TwinMessage {
  topic?: unknown;
  payload?: unknown;
  changes?: unknown;
  twin?: unknown;
}

export type PublishPlan =
  | { layout: 'uns' | 'aws'; twin: string; items: PublishItem[] }
  | { layout: 'sparkplug'; twin: string; changed: PropertySample[]; all: PropertySample[] };

/** The fixed header, topic length, packet id and MQTT 5 properties of a PUBLISH packet, at most. */
const PACKET_OVERHEAD = 16;

export function planPublish(
  settings: PlanSettings,
  model: Pick<TwinModel, 'properties' | 'hierarchy'> | undefined,
  msg: TwinMessage,
  now: number,
): PublishPlan {
  const twin = msg.topic;
  if (typeof twin !== 'string' || twin === '')
    throw new TwinFlowError('noTwinId', 'msg.topic must be the twin id', {});
  if (!isPlainObject(msg.payload))
    throw new TwinFlowError('badPayload', 'msg.payload must be an object of property samples', {});
  const payload = msg.payload;
  const own = (name: string): boolean => Object.prototype.hasOwnProperty.call(payload, name);
  const names = Array.isArray(msg.changes)
    ? [
        ...new Set(
          (msg.changes as TwinChange[])
            .filter((c) => typeof c?.path === 'string' && c.path.startsWith('reported.'))
            .map((c) => c.path.split('.')[1]),
        ),
      ].filter(own)
    : Object.keys(payload);
  const properties = model?.properties;
  const sampleOf = (name: string) => {
    const entry = payload[name];
    const sample = toSample(entry);
    const timestamp = typeof sample.sourceTimestamp === 'number' ? sample.sourceTimestamp : now;
    return { sample, timestamp };
  };
  if (settings.layout === 'sparkplug') {
    const toSpb = (name: string): PropertySample => {
      const { sample, timestamp } = sampleOf(name);
      const type = properties?.[name]?.type;
      return { name, value: sample.value, quality: sample.quality ?? 'good', timestamp, type };
    };
    return { layout: 'sparkplug', twin, changed: names.map(toSpb), all: Object.keys(payload).map(toSpb) };
  }
  const { qos, retain } = settings;
  if (settings.layout === 'aws') {
    const reported = Object.fromEntries(names.map((name) => [name, sampleOf(name).sample.value]));
    const items =
      names.length > 0
        ? [{ topic: awsUpdateTopic(twin), payload: awsReported(reported), qos, retain: false }]
        : [];
    return { layout: 'aws', twin, items };
  }
  const hierarchy: Hierarchy = model?.hierarchy ?? {};
  const items: PublishItem[] = names.map((property) => {
    const { sample, timestamp } = sampleOf(property);
    const unit = sample.unit ?? properties?.[property]?.unit;
    const body = {
      value: sample.value,
      ...(unit ? { unit } : {}),
      quality: sample.quality ?? 'good',
      timestamp,
    };
    return {
      topic: renderTopic(settings.topic, { ...hierarchy, twin, property }),
      payload: JSON.stringify(body),
      qos,
      retain,
    };
  });
  if (settings.publishTwin && isPlainObject(msg.twin))
    items.push({
      topic: renderTopic(settings.topic, { ...hierarchy, twin, property: '_twin' }),
      payload: JSON.stringify(msg.twin),
      qos,
      retain,
    });
  return { layout: 'uns', twin, items };
}

/**
 * Throws unless the broker can take the item: a valid topic name, and a PUBLISH packet no larger than
 * `maxPacketBytes` (the broker's Maximum Packet Size from CONNACK, or the bridge's own setting).
 */
export function checkPublishItem(item: PublishItem, maxPacketBytes: number): void {
  checkTopicName(item.topic);
  const bytes = PACKET_OVERHEAD + utf8Bytes(item.topic) + utf8Bytes(item.payload);
  if (bytes > maxPacketBytes)
    throw new TwinFlowError(
      'tooLarge',
      `the message to ${item.topic.slice(0, 60)} is ${bytes} bytes, over the limit of ${maxPacketBytes}`,
      { topic: item.topic.slice(0, 60), bytes, limit: maxPacketBytes },
    );
}

/** A line of an outbox file as written by the bridge, or undefined for anything else (a torn or tampered line). */
export function parseOutboxLine(line: string): PublishItem | undefined {
  let item: unknown;
  try {
    item = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isPlainObject(item)) return undefined;
  const { topic, payload, qos, retain } = item;
  if (typeof topic !== 'string' || typeof payload !== 'string' || typeof retain !== 'boolean')
    return undefined;
  if (qos !== 0 && qos !== 1 && qos !== 2) return undefined;
  try {
    checkTopicName(topic);
  } catch {
    return undefined;
  }
  return { topic, payload, qos, retain };
}
