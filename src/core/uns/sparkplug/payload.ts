import { Reader, WIRE, Writer } from './protobuf';

/**
 * Sparkplug B's Payload message (org.eclipse.tahu.protobuf.Payload, sparkplug_b.proto of the Sparkplug 3.0
 * specification), the subset an edge node of twins uses: timestamp, seq, metrics with name, alias, timestamp,
 * datatype, is_historical, is_null, a property set (for "Quality") and scalar values. Field numbers are the
 * specification's.
 */
export const DataType = {
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
} as const;

/** Sparkplug quality codes, carried in a metric's "Quality" property. */
export const QUALITY = { bad: 0, good: 192, stale: 500 } as const;

export type MetricValue = number | boolean | string | null;

export interface Metric {
  name?: string;
  alias?: number;
  timestamp?: number;
  datatype?: number;
  isHistorical?: boolean;
  isNull?: boolean;
  properties?: Record<string, { type: number; value: MetricValue }>;
  value?: MetricValue;
}

export interface Payload {
  timestamp?: number;
  seq?: number;
  metrics: Metric[];
}

const INTEGER_TYPES = new Set<number>([1, 2, 3, 5, 6, 7]);
const LONG_TYPES = new Set<number>([4, 8, 13]);

function writeValue(w: Writer, datatype: number, value: MetricValue, base: number): void {
  // Field numbers of the value oneof start at `base` (Metric: 10, PropertyValue: 3).
  if (value === null) return;
  if (typeof value === 'boolean') w.tag(base + 4, WIRE.varint).varint(value ? 1 : 0);
  else if (typeof value === 'string') w.tag(base + 5, WIRE.bytes).string(value);
  else if (datatype === DataType.Double || datatype === DataType.Float)
    w.tag(base + 3, WIRE.fixed64).double(value);
  else if (LONG_TYPES.has(datatype)) w.tag(base + 1, WIRE.varint).varint(value);
  else if (INTEGER_TYPES.has(datatype)) w.tag(base, WIRE.varint).varint(value >>> 0);
  else w.tag(base + 3, WIRE.fixed64).double(value);
}

function encodePropertySet(properties: NonNullable<Metric['properties']>): Uint8Array {
  const w = new Writer();
  const keys = Object.keys(properties);
  for (const key of keys) w.tag(1, WIRE.bytes).string(key);
  for (const key of keys) {
    const { type, value } = properties[key];
    const v = new Writer();
    v.tag(1, WIRE.varint).varint(type);
    if (value === null) v.tag(2, WIRE.varint).varint(1);
    else writeValue(v, type, value, 3);
    w.tag(2, WIRE.bytes).bytes(v.finish());
  }
  return w.finish();
}

function encodeMetric(m: Metric): Uint8Array {
  const w = new Writer();
  if (m.name !== undefined) w.tag(1, WIRE.bytes).string(m.name);
  if (m.alias !== undefined) w.tag(2, WIRE.varint).varint(m.alias);
  if (m.timestamp !== undefined) w.tag(3, WIRE.varint).varint(m.timestamp);
  if (m.datatype !== undefined) w.tag(4, WIRE.varint).varint(m.datatype);
  if (m.isHistorical) w.tag(5, WIRE.varint).varint(1);
  if (m.isNull || m.value === null) w.tag(7, WIRE.varint).varint(1);
  if (m.properties) w.tag(9, WIRE.bytes).bytes(encodePropertySet(m.properties));
  if (m.value !== undefined) writeValue(w, m.datatype ?? DataType.Double, m.value, 10);
  return w.finish();
}

export function encodePayload(p: Payload): Uint8Array {
  const w = new Writer();
  if (p.timestamp !== undefined) w.tag(1, WIRE.varint).varint(p.timestamp);
  for (const m of p.metrics) w.tag(2, WIRE.bytes).bytes(encodeMetric(m));
  if (p.seq !== undefined) w.tag(3, WIRE.varint).varint(p.seq);
  return w.finish();
}

/** A signed integer from the uint32 Sparkplug carries for Int8/16/32. */
function signed(datatype: number | undefined, raw: number): number {
  if (datatype === DataType.Int8) return (raw << 24) >> 24;
  if (datatype === DataType.Int16) return (raw << 16) >> 16;
  if (datatype === DataType.Int32) return raw | 0;
  return raw;
}

function readValue(r: Reader, field: number, wire: number, base: number): MetricValue | undefined {
  switch (field - base) {
    case 0:
    case 1:
      return r.varint();
    case 2:
      return r.fixed32().getFloat32(0, true);
    case 3:
      return r.fixed64().getFloat64(0, true);
    case 4:
      return r.varint() !== 0;
    case 5:
      return r.string();
    default:
      r.skip(wire);
      return undefined;
  }
}

function decodeMetric(buf: Uint8Array): Metric {
  const r = new Reader(buf);
  const m: Metric = {};
  let rawInt: number | undefined;
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 1) m.name = r.string();
    else if (field === 2) m.alias = r.varint();
    else if (field === 3) m.timestamp = r.varint();
    else if (field === 4) m.datatype = r.varint();
    else if (field === 5) m.isHistorical = r.varint() !== 0;
    else if (field === 7) m.isNull = r.varint() !== 0;
    else if (field >= 10 && field <= 15) {
      const v = readValue(r, field, wire, 10);
      if (field === 10) rawInt = v as number;
      else m.value = v;
    } else r.skip(wire);
  }
  if (rawInt !== undefined) m.value = signed(m.datatype, rawInt);
  if (m.isNull) m.value = null;
  return m;
}

export function decodePayload(buf: Uint8Array): Payload {
  const r = new Reader(buf);
  const p: Payload = { metrics: [] };
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 1) p.timestamp = r.varint();
    else if (field === 2) p.metrics.push(decodeMetric(r.bytes()));
    else if (field === 3) p.seq = r.varint();
    else r.skip(wire);
  }
  return p;
}
