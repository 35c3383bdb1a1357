/**
 * The message envelope every TwinFlow node speaks (see ARCHITECTURE.md, "The message between TwinFlow nodes").
 * Producers (twin-opcua-map, twin-sim, the UNS bridge) emit it, twin-state accepts it, and consumers
 * (twin-anomaly, twin-sim in shadow mode, the bridge, dashboards) accept a twin-state output as is.
 */
import { isPlainObject } from './plain-data';

export const QUALITIES = ['good', 'uncertain', 'bad'] as const;
export type Quality = (typeof QUALITIES)[number];

/** One observed value with its metadata, as in an OPC UA DataValue. Timestamps are epoch milliseconds. */
export interface Sample {
  value: unknown;
  quality?: Quality;
  unit?: string;
  sourceTimestamp?: number;
  serverTimestamp?: number;
  /** OPC UA status name such as "BadCommunicationError", when the producer knows it. */
  statusCode?: string;
  /** On twin-state outputs: no fresh value within the property's staleness. */
  stale?: boolean;
  /** On twin-state outputs: when twin-state received the value (epoch ms). */
  receivedTimestamp?: number;
}

/** `msg.payload` of the envelope: property name -> plain value or a Sample. */
export type EnvelopePayload = Record<string, unknown>;

export type ChangeCause = 'report' | 'desire' | 'delete' | 'ack' | 'stale' | 'fresh' | 'create';

/** One entry of `msg.changes`: only what really changed. `path` is like "reported.temperature". */
export interface TwinChange {
  path: string;
  old: unknown;
  new: unknown;
  cause: ChangeCause;
}

/** `msg.twin` on twin-state outputs. */
export interface TwinSummary<TState = unknown> {
  id: string;
  model: string;
  version: number;
  created: number;
  updated: number;
  state: TState;
}

export function isQuality(x: unknown): x is Quality {
  return typeof x === 'string' && (QUALITIES as readonly string[]).includes(x);
}

/**
 * A plain object (not an array, not null, not a class instance such as Date or Buffer), from any realm: a function
 * node's objects have their own Object.prototype. The one definition lives in plain-data.ts.
 */
export { isPlainObject };

/** Keys that mean a Sample rather than a nested object value. A Sample must carry `value`. */
export function isSample(x: unknown): x is Sample {
  return isPlainObject(x) && Object.prototype.hasOwnProperty.call(x, 'value');
}

/**
 * An envelope entry as a Sample: a Sample as it is, a plain value as `{ value }`.
 * @example toSample(3) // => { value: 3 }
 */
export function toSample(entry: unknown): Sample {
  return isSample(entry) ? entry : { value: entry };
}

/**
 * Whether a sample may feed a computation (a detector, a forecast, a shadow model): not bad quality, not stale.
 * @example isUsable({ value: 1, quality: 'uncertain' }) // => true
 */
export function isUsable(sample: Sample): boolean {
  return sample.quality !== 'bad' && sample.stale !== true;
}
