import { isPlainObject, isSample } from '../envelope';
import { TwinFlowError } from '../errors';
import type { TwinForecastConfig } from '../nodes/twin-forecast';
import {
  rulEstimate,
  rulUnitAdd,
  rulUnitInit,
  type RulEstimate,
  type RulModel,
  type RulUnitState,
} from '../rul/model';
import type { Crossing } from './crossing';
import {
  forecastCrossing,
  forecastInit,
  forecastPath,
  forecastResult,
  forecastUpdate,
  movedEnough,
  type ForecastResult,
  type SignalForecastState,
} from './engine';

/**
 * twin-forecast's per-twin reducer, pure: the state of one twin (one forecast per property, or one RUL unit) is plain
 * JSON, so it goes to context as it is and survives a restart.
 *
 * Quality: a sample whose quality is "bad" or that is marked stale does not feed the forecast (it is listed as
 * ignored and the state stays as it was). A value that is not a finite number, or a time earlier than the
 * signal's last one, is refused with an error, and then nothing of the message is applied.
 */
export interface SignalStateEntry extends SignalForecastState {
  /** The estimate last reported (time to the limit, or the forecast at the horizon). */
  reported?: number | null;
}

export interface ForecastTwinState {
  signals: Record<string, SignalStateEntry>;
  rul?: RulUnitState & { reported?: number | null };
}

export interface LimitResult extends Crossing {
  value: number;
  direction: 'above' | 'below';
  /** Expected crossing time, epoch milliseconds; null when none within the look-ahead. */
  at: number | null;
}

export interface SignalResult extends ForecastResult {
  limit?: LimitResult;
  path?: { t: number; value: number; lower: number; upper: number }[];
}

/** More signals than this in one message is refused (a flood of keys must not grow the state without bound). */
export const MAX_SIGNALS_PER_MESSAGE = 100;

export function forecastTwinInit(): ForecastTwinState {
  return { signals: {} };
}

interface Reading {
  value: unknown;
  ignored: boolean;
  time: number | undefined;
}

function reading(entry: unknown): Reading {
  if (!isSample(entry)) return { value: entry, ignored: false, time: undefined };
  const stale = (entry as { stale?: unknown }).stale === true;
  return {
    value: entry.value,
    ignored: entry.quality === 'bad' || stale,
    time:
      typeof entry.sourceTimestamp === 'number' && Number.isFinite(entry.sourceTimestamp)
        ? entry.sourceTimestamp
        : undefined,
  };
}

function finite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TwinFlowError('badSample', `${name} is not a finite number`, { signal: name });
  }
  return value;
}

/** The samples of one message, in the configured time unit; throws before anything changes. */
export function readTrendSamples(
  payload: unknown,
  config: TwinForecastConfig,
  nowMs: number,
): { samples: Record<string, { t: number; y: number }>; ignored: string[] } {
  const samples: Record<string, { t: number; y: number }> = {};
  const ignored: string[] = [];
  if (typeof payload === 'number') {
    samples[config.signalName] = { t: nowMs / config.unitMs, y: finite(config.signalName, payload) };
    return { samples, ignored };
  }
  if (!isPlainObject(payload)) {
    throw new TwinFlowError(
      'payloadNotSignals',
      'msg.payload must be a number or an object of numeric properties',
      {},
    );
  }
  const names = config.signals.length > 0 ? config.signals : Object.keys(payload);
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(payload, name)) continue;
    const r = reading(payload[name]);
    if (config.signals.length === 0 && typeof r.value !== 'number') continue; // forecast only what is numeric
    if (r.ignored) {
      ignored.push(name);
      continue;
    }
    samples[name] = { t: (r.time ?? nowMs) / config.unitMs, y: finite(name, r.value) };
  }
  if (Object.keys(samples).length + ignored.length > MAX_SIGNALS_PER_MESSAGE) {
    throw new TwinFlowError('tooManySignals', `more than ${MAX_SIGNALS_PER_MESSAGE} signals in one message`, {
      limit: MAX_SIGNALS_PER_MESSAGE,
    });
  }
  if (Object.keys(samples).length === 0 && ignored.length === 0) {
    throw new TwinFlowError('noSignals', 'msg.payload has no numeric property to forecast', {});
  }
  return { samples, ignored };
}

function lastTime(s: SignalForecastState): number | undefined {
  if (s.holt) return s.holt.n > 0 ? s.holt.last : undefined;
  return s.t && s.t.length > 0 ? s.t[s.t.length - 1] : undefined;
}

/**
 * Feeds one message's samples to a twin's forecasts. `room` is how many new signal keys may still be added (the
 * node's key limit); `limitFor` gives the limit of a property (or undefined for none). Mutates and returns the state.
 */
export function forecastTwinUpdate(
  state: ForecastTwinState,
  samples: Record<string, { t: number; y: number }>,
  config: TwinForecastConfig,
  room: number,
  limitFor: (signal: string) => number | undefined,
): { results: Record<string, SignalResult>; moved: boolean; added: number } {
  const names = Object.keys(samples);
  const added = names.filter((n) => !Object.prototype.hasOwnProperty.call(state.signals, n)).length;
  if (added > room) {
    throw new TwinFlowError(
      'tooManyKeys',
      'the node forecasts as many twin properties as its key limit allows',
      {},
    );
  }
  for (const name of names) {
    const existing = state.signals[name];
    const last = existing ? lastTime(existing) : undefined;
    if (last !== undefined && samples[name].t < last) {
      throw new TwinFlowError('timeBackwards', `${name}: the sample is older than the last one`, {
        signal: name,
      });
    }
  }
  const results: Record<string, SignalResult> = {};
  // On every sample: also a message whose samples were all ignored is reported (it says so in `ignored`).
  let moved = config.report === 'every';
  for (const name of names) {
    const entry: SignalStateEntry = state.signals[name] ?? forecastInit(config.forecast);
    state.signals[name] = entry;
    forecastUpdate(entry, config.forecast, samples[name].t, samples[name].y);
    const result: SignalResult | undefined = forecastResult(entry, config.forecast);
    if (!result) continue;
    const limit = limitFor(name);
    if (limit !== undefined) {
      const crossing = forecastCrossing(entry, config.forecast, limit, config.direction);
      if (crossing) {
        result.limit = {
          ...crossing,
          value: limit,
          direction: config.direction,
          at: crossing.expected === null ? null : (result.at + crossing.expected) * config.unitMs,
        };
      }
    }
    if (config.pathPoints > 0) {
      result.path = forecastPath(entry, config.forecast, config.pathPoints).map((p) => ({
        ...p,
        t: p.t * config.unitMs,
      }));
    }
    result.at *= config.unitMs;
    result.horizon.at *= config.unitMs;
    const estimate = result.limit ? result.limit.expected : result.horizon.value;
    if (config.report === 'every' || movedEnough(entry.reported, estimate, config.change, 1e-9)) {
      entry.reported = estimate;
      moved = true;
    }
    results[name] = result;
  }
  return { results, moved, added };
}

/** One cycle's model signals from a message; 'ignored' when any is of bad quality or stale. Throws on bad values. */
export function readRulCycle(
  payload: unknown,
  model: RulModel,
  mapping: Record<string, string>,
): number[] | 'ignored' {
  if (!isPlainObject(payload)) {
    throw new TwinFlowError('payloadNotSignals', 'msg.payload must be an object with the model signals', {});
  }
  const values: number[] = [];
  let ignored = false;
  for (const signal of model.signals) {
    const property = mapping[signal] ?? signal;
    if (!Object.prototype.hasOwnProperty.call(payload, property)) {
      throw new TwinFlowError('missingSignal', `msg.payload has no ${property} that the model needs`, {
        signal: property,
      });
    }
    const r = reading(payload[property]);
    if (r.ignored) ignored = true;
    else values.push(finite(property, r.value));
  }
  return ignored ? 'ignored' : values;
}

/** Adds one cycle to a twin's RUL state and estimates; mutates and returns the state. */
export function forecastTwinRul(
  state: ForecastTwinState,
  values: number[],
  model: RulModel,
  config: TwinForecastConfig,
): { estimate: RulEstimate & { cycles: number }; moved: boolean } {
  const unit: RulUnitState & { reported?: number | null } = state.rul ?? rulUnitInit();
  state.rul = unit;
  rulUnitAdd(model, unit, values);
  const estimate = rulEstimate(model, unit) as RulEstimate;
  const previous = unit.reported;
  // A change of less than one cycle is never worth a message.
  const moved =
    config.report === 'every' ||
    typeof previous !== 'number' ||
    Math.abs(estimate.rul - previous) > Math.max(1, config.change * Math.max(previous, estimate.rul));
  if (moved) unit.reported = estimate.rul;
  return { estimate: { ...estimate, cycles: unit.age }, moved };
}
