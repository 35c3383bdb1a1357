import { isPlainObject, isSample } from '../envelope';
import { TwinFlowError } from '../errors';
import { alarmInit, alarmUpdate, type AlarmEvent, type AlarmParams, type AlarmState } from './alarm';
import type { DetectorResult } from './detector';
import {
  HOTELLING_DEFAULTS,
  hotellingInit,
  hotellingUpdate,
  type HotellingParams,
  type HotellingState,
} from './hotelling';
import { DETECTORS, type AnyDetector, type DetectorName } from './registry';
import { checkSample } from './sample';

/**
 * Everything twin-anomaly does with one message for one twin, as a pure function over plain JSON state, so the node,
 * the replay CLI and the tests share it: pick the signals, skip what is not trustworthy (bad quality, stale), score
 * each signal (or the vector, for the multivariate detector), combine, run the alarm.
 */
export type EngineDetector = DetectorName | 'hotelling';

export interface EngineConfig {
  detector: EngineDetector;
  /** Overrides of the detector's defaults. */
  params: Record<string, unknown>;
  /** Signals to watch; empty: every numeric property that arrives (in first-seen order for the multivariate one). */
  signals: string[];
  alarm: AlarmParams;
  /** Keep learning while the alarm is raised (default false: an anomaly must not become the new normal). */
  learnInAlarm: boolean;
}

export interface TwinAnomalyState {
  detector: EngineDetector;
  signals: Record<string, unknown>;
  /** For the multivariate detector: its signal order and state. */
  vector?: { names: string[]; state: HotellingState };
  alarm: AlarmState;
}

export interface SignalInput {
  value: unknown;
  timestamp: number;
  /** Not scored nor learned (bad quality, stale). */
  skip: boolean;
}

export interface SignalResult extends DetectorResult {
  skipped?: boolean;
}

export interface AnomalyResult {
  score: number;
  warmingUp: boolean;
  signals: Record<string, SignalResult>;
  /** Signals by share of the anomaly, largest first (shares sum to 1 when the score is above 0). */
  contributors: { signal: string; share: number }[];
  alarm: boolean;
  event: AlarmEvent;
  detector: EngineDetector;
}

export function engineInit(config: EngineConfig): TwinAnomalyState {
  return { detector: config.detector, signals: {}, alarm: alarmInit() };
}

function detectorOf(config: EngineConfig): AnyDetector {
  return DETECTORS[config.detector as DetectorName] as AnyDetector;
}

export function detectorParams(config: EngineConfig): Record<string, unknown> {
  const defaults = config.detector === 'hotelling' ? HOTELLING_DEFAULTS : detectorOf(config).defaults;
  const params: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(config.params)) {
    if (!(key in defaults)) {
      throw new TwinFlowError('unknownParameter', `${config.detector} has no parameter ${key}`, {
        parameter: key,
      });
    }
    if (typeof value !== typeof (defaults as Record<string, unknown>)[key]) {
      throw new TwinFlowError(
        'badParameter',
        `${config.detector} parameter ${key} must be a ${typeof (defaults as Record<string, unknown>)[key]}`,
        {
          parameter: key,
        },
      );
    }
    params[key] = value;
  }
  return params;
}

/**
 * Reads the signals of a message: a number (one signal, `defaultSignal`), an object of values, or samples
 * `{value, quality, stale, sourceTimestamp}` as twin-state sends them. Samples of bad quality, or stale, are
 * skipped rather than learned.
 * @throws TwinFlowError for a payload that is neither, or a value that is not a finite number.
 */
export function readSignals(
  payload: unknown,
  config: EngineConfig,
  defaultSignal: string,
  now: number,
): Record<string, SignalInput> {
  const inputs: Record<string, SignalInput> = {};
  if (typeof payload === 'number') {
    inputs[defaultSignal] = { value: checkSample(defaultSignal, payload, now), timestamp: now, skip: false };
    return inputs;
  }
  if (!isPlainObject(payload)) {
    throw new TwinFlowError(
      'payloadNotSignals',
      'msg.payload must be a number or an object of numeric signals',
      {},
    );
  }
  const names = config.signals.length > 0 ? config.signals : Object.keys(payload);
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(payload, name)) continue;
    const entry = payload[name];
    const sample = isSample(entry) ? entry : undefined;
    const value = sample ? sample.value : entry;
    if (config.signals.length === 0 && typeof value !== 'number') continue; // watch only what is numeric
    const timestamp = typeof sample?.sourceTimestamp === 'number' ? sample.sourceTimestamp : now;
    const skip =
      sample !== undefined && (sample.quality === 'bad' || (sample as { stale?: unknown }).stale === true);
    inputs[name] = { value: skip ? value : checkSample(name, value, timestamp), timestamp, skip };
  }
  if (Object.keys(inputs).length === 0) {
    throw new TwinFlowError('noSignals', 'msg.payload has no numeric signal to watch', {});
  }
  return inputs;
}

/** Scores one message's signals for one twin. Mutates and returns the state (validate first: readSignals). */
export function engineUpdate(
  state: TwinAnomalyState,
  inputs: Record<string, SignalInput>,
  config: EngineConfig,
  params: Record<string, unknown>,
  now: number,
  learnRequested: boolean,
): { state: TwinAnomalyState; result: AnomalyResult } {
  const learn = learnRequested && (config.learnInAlarm || !state.alarm.active);
  const signals: Record<string, SignalResult> = {};
  const weights: Record<string, number> = {};
  let score = 0;
  let warmingUp = false;
  if (config.detector === 'hotelling') {
    if (!state.vector) {
      const names = config.signals.length > 0 ? config.signals : Object.keys(inputs);
      state.vector = { names, state: hotellingInit(names.length) };
    }
    const { names } = state.vector;
    const complete = names.every((n) => inputs[n] && !inputs[n].skip);
    if (complete && names.length > 0) {
      const x = names.map((n) => inputs[n].value as number);
      const step = hotellingUpdate(state.vector.state, x, params as unknown as HotellingParams, learn);
      state.vector.state = step.state;
      score = step.result.score;
      warmingUp = step.result.warmingUp;
      names.forEach((n, i) => {
        signals[n] = {
          score: step.result.score * step.result.contributions[i],
          expected: step.result.expected[i],
          lower: step.result.lower[i],
          upper: step.result.upper[i],
          warmingUp,
        };
        weights[n] = step.result.contributions[i];
      });
    } else {
      warmingUp = true;
      for (const n of names)
        signals[n] = { score: 0, expected: NaN, lower: NaN, upper: NaN, warmingUp: true, skipped: true };
    }
  } else {
    const detector = detectorOf(config);
    for (const [name, input] of Object.entries(inputs)) {
      if (input.skip) {
        signals[name] = { score: 0, expected: NaN, lower: NaN, upper: NaN, warmingUp: false, skipped: true };
        continue;
      }
      const previous = state.signals[name] ?? detector.init(params);
      const step = detector.update(previous, input.value as number, input.timestamp, params, learn);
      state.signals[name] = step.state;
      signals[name] = step.result;
      warmingUp ||= step.result.warmingUp;
      score = Math.max(score, step.result.score);
      // How surprising, on a log scale: a 0.9999 contributes far more than a 0.99.
      weights[name] = -Math.log(Math.max(1e-300, 1 - step.result.score));
    }
  }
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const contributors = Object.entries(weights)
    .map(([signal, w]) => ({ signal, share: total > 0 ? w / total : 0 }))
    .sort((a, b) => b.share - a.share);
  const { event } = alarmUpdate(state.alarm, warmingUp ? 0 : score, now, config.alarm);
  return {
    state,
    result: {
      score,
      warmingUp,
      signals,
      contributors,
      alarm: state.alarm.active,
      event,
      detector: config.detector,
    },
  };
}
