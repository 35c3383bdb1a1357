import type { DataValue, StatusCode } from 'node-opcua';
import { qualityOf, toEngineering, type MappedItem } from '../../core/opcua/mapping';

/** What a mapped item reports, as the sample of a twin-state payload (one object, built once per value). */
export interface OpcuaSample {
  value: unknown;
  quality: 'good' | 'uncertain' | 'bad';
  statusCode: string;
  unit?: string;
  sourceTimestamp?: number;
  serverTimestamp?: number;
}

/** What a sample is read and batched by: a mapped item, or its compact route on the hot path (see itemRoute). */
export type SampleSource = Pick<MappedItem, 'twin' | 'property' | 'unit' | 'scale'>;

/** Where readings go: the item and its sample, as two arguments (no wrapper object per value). */
export type OnReading = (source: SampleSource, sample: OpcuaSample) => void;

/**
 * What the hot path reads of an item, every field present, in one small object per monitored item, built when the
 * item is monitored: reading the mapped items themselves for each value (large, spread over the heap, optional
 * fields absent) cost several times the whole sample's construction at 5,000 items.
 */
export function itemRoute(item: MappedItem): SampleSource {
  return { twin: item.twin, property: item.property, unit: item.unit, scale: item.scale };
}

/**
 * DataValues as TwinFlow samples: scaled, with quality, the item's unit and both timestamps (never a made-up
 * timestamp). Fields are added in one order, so every sample of a server that sends both timestamps has one shape.
 * The last status code's name and quality are remembered: node-opcua hands out one shared StatusCode object per code
 * (nearly always Good) and looks its `name` up anew on every read.
 */
export function sampleReader(): (item: SampleSource, dv: DataValue) => OpcuaSample {
  let lastCode: StatusCode | undefined;
  let statusCode = '';
  let quality: OpcuaSample['quality'] = 'bad';
  return (item, dv) => {
    if (dv.statusCode !== lastCode) {
      lastCode = dv.statusCode;
      statusCode = lastCode.name;
      quality = qualityOf(statusCode);
    }
    let value: unknown = dv.value?.value ?? null;
    if (typeof value === 'number' && item.scale) value = toEngineering(value, item.scale);
    if (typeof value === 'bigint') value = Number(value);
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number')
      value = value[0] * 2 ** 32 + value[1]; // Int64 as [high, low]
    if (value instanceof Date) value = value.getTime();
    return sampleFrom(
      item,
      quality === 'bad' ? null : value,
      quality,
      statusCode,
      dv.sourceTimestamp?.getTime(),
      dv.serverTimestamp?.getTime(),
    );
  };
}

/** A sample from its parts (a lost connection or a refused item: value null, quality bad, the status code). */
export function sampleFrom(
  item: SampleSource,
  value: unknown,
  quality: OpcuaSample['quality'],
  statusCode: string,
  sourceTimestamp?: number,
  serverTimestamp?: number,
): OpcuaSample {
  // The usual case (both timestamps, no unit) as one literal: one allocation of the final shape, no transitions.
  if (!item.unit && sourceTimestamp !== undefined && serverTimestamp !== undefined)
    return { value, quality, statusCode, sourceTimestamp, serverTimestamp };
  const sample: OpcuaSample = { value, quality, statusCode };
  if (item.unit) sample.unit = item.unit;
  if (sourceTimestamp !== undefined) sample.sourceTimestamp = sourceTimestamp;
  if (serverTimestamp !== undefined) sample.serverTimestamp = serverTimestamp;
  return sample;
}
