import type { Sample, TwinSummary } from '../envelope';
import { computeDelta } from './delta';
import { valuesOf, type TwinDocument } from './document';
import type { TwinModel } from './model';

/**
 * Builds what twin-state puts on messages. Always fresh objects: with fan-out the first receiver gets the message
 * un-cloned, so a reference to a stored document would let any downstream node edit the twin behind its back.
 */
export interface TwinState {
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
  delta: Record<string, unknown>;
  lastSeen?: number;
  stale: boolean;
  parent?: string;
  children?: string[];
}

const copy = (value: unknown): unknown =>
  typeof value === 'object' && value !== null ? structuredClone(value) : value;

export function twinSummary(
  doc: TwinDocument,
  model: TwinModel,
  children?: string[],
): TwinSummary<TwinState> {
  const state: TwinState = {
    reported: valuesOf(doc.reported, copy),
    desired: valuesOf(doc.desired, copy),
    delta: copyValues(computeDelta(doc, model)),
    stale: doc.stale === true,
  };
  if (doc.lastSeen !== undefined) state.lastSeen = doc.lastSeen;
  if (doc.parent !== undefined) state.parent = doc.parent;
  if (children) state.children = children;
  return {
    id: doc.id,
    model: doc.model,
    version: doc.version,
    created: doc.created,
    updated: doc.updated,
    state,
  };
}

function copyValues(values: Record<string, unknown>): Record<string, unknown> {
  for (const key in values)
    if (Object.prototype.hasOwnProperty.call(values, key)) values[key] = copy(values[key]);
  return values;
}

type OutgoingSample = Sample & { receivedTimestamp: number; stale: boolean };

/** The envelope payload: every reported property as a Sample, plus when it was received and whether it is stale. */
export function reportedSamples(doc: TwinDocument, model: TwinModel): Record<string, OutgoingSample> {
  const out: Record<string, OutgoingSample> = {};
  for (const name in doc.reported) {
    if (!Object.prototype.hasOwnProperty.call(doc.reported, name)) continue;
    const p = doc.reported[name];
    const unit = model.properties[name]?.unit;
    const { sourceTimestamp, serverTimestamp, statusCode } = p;
    const value = copy(p.value);
    const stale = p.stale === true;
    // An OPC UA sample (no unit, all three fields) as one literal in the general case's key order.
    if (
      unit === undefined &&
      sourceTimestamp !== undefined &&
      serverTimestamp !== undefined &&
      statusCode !== undefined
    ) {
      const { quality, receivedTimestamp } = p;
      out[name] = { value, quality, receivedTimestamp, stale, sourceTimestamp, serverTimestamp, statusCode };
      continue;
    }
    const sample: OutgoingSample = {
      value,
      quality: p.quality,
      receivedTimestamp: p.receivedTimestamp,
      stale,
    };
    if (unit !== undefined) sample.unit = unit;
    if (sourceTimestamp !== undefined) sample.sourceTimestamp = sourceTimestamp;
    if (serverTimestamp !== undefined) sample.serverTimestamp = serverTimestamp;
    if (statusCode !== undefined) sample.statusCode = statusCode;
    out[name] = sample;
  }
  return out;
}
