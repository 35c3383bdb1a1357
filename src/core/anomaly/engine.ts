import { isSample, isUsable } from '../envelope';
import { TwinFlowError } from '../errors';
import { alarmInit, alarmStep, type AlarmEvent, type AlarmParams, type AlarmState } from './alarm';
import type { DetectorResult, LearningPhase } from './detector';
import { DETECTORS, isDetectorName, type AnyDetector } from './registry';
import { checkSample } from './sample';

/**
 * Everything twin-anomaly does with one message for one key (a twin), as pure functions over plain-JSON state, so
 * the node, the replay CLI and the benchmarks share it: pick the signals, skip what is not trustworthy (bad quality,
 * stale), score each signal (or the vector, for a multivariate detector), run each signal's alarm, and learn
 * according to the learning mode.
 *
 * Learning modes:
 * - `online`: learning goes on, down-weighted while a signal is in alarm, so an anomaly does not become normal at
 *   once but a sustained new regime does. While an alarm is pending (an anomalous score among the last raiseN) the
 *   signal does not learn; once raised, its detector learns one sample in every 1/w, where the weight w grows from 0
 *   at the raise to 1 when the alarm has lasted `adaptAfter` (samples or time): a short excursion teaches it almost
 *   nothing (the first 10 % of the horizon: 0.5 % of it, as samples learned), a new level held for the horizon
 *   about half of the horizon's samples. The detector absorbs the new level gradually and the alarm, raised once,
 *   clears `clearM` normal samples after the scores are normal again. If it still stands at `adaptAfter` (a
 *   detector that judges against a fixed reference, cusum, cannot absorb a step), the signal relearns from the new
 *   level.
 * - `train-then-monitor`: learn on the first N samples, a duration, or until a `train-end` command; then freeze.
 *   The alarm stays raised while the process is away from its baseline, until a `rebaseline` command.
 *
 * Each signal has its own detector state, phase and alarm (a unit): one signal's alarm never pauses another's
 * learning. A multivariate detector has one unit for the vector and, when `signalAlarms` is on, an alarm per signal
 * that counts the anomalous samples in which that signal contributed more than an even share.
 *
 * Names are data: units live in null-prototype records, so `__proto__`, `constructor` or `toString` are ordinary
 * signal names. The number of signals, the length of names and the magnitude of values are bounded.
 */
export type LearningMode = 'online' | 'train-then-monitor';
export type UnitPhase = LearningPhase | 'monitoring';

/** A horizon in samples, in milliseconds, or both (whichever comes first); 0 = not used. */
export interface Horizon {
  samples: number;
  ms: number;
}

export interface EngineLimits {
  /** Signals per key. */
  signals: number;
  /** Characters in a key or signal name. */
  nameLength: number;
  /** Largest accepted absolute value. */
  magnitude: number;
}

export interface EngineConfig {
  detector: string;
  /** Overrides of the detector's defaults. */
  params: Record<string, unknown>;
  /** Signals to watch; empty: every numeric property that arrives (in first-seen order for a multivariate one). */
  signals: string[];
  alarm: AlarmParams;
  /** Keep learning at full weight while a signal is in alarm (online mode). */
  learnInAlarm: boolean;
  mode: LearningMode;
  /** train-then-monitor: when training ends (both 0: only on a `train-end` command). */
  train: Horizon;
  /** online: how long an alarm lasts before its signal relearns (both 0: never). */
  adaptAfter: Horizon;
  /** Multivariate detectors: an alarm per signal as well. */
  signalAlarms: boolean;
  limits: EngineLimits;
}

/** A configuration checked once: the detector and its full parameters. */
export interface Engine {
  config: EngineConfig;
  detector: AnyDetector;
  params: Record<string, unknown>;
}

export interface UnitState {
  detector: unknown;
  alarm: AlarmState;
  phase: UnitPhase;
  /** Samples learned in this phase. */
  learned: number;
  /** When this phase started (ms). */
  started: number;
  /** Samples since the alarm was raised (online). */
  inAlarm: number;
  /** Relearning after a long alarm (online): learns although the alarm is still raised. */
  adapting: boolean;
  /**
   * Online, in alarm: samples' worth of down-weighted learning accumulated (each alarmed sample adds its weight; a
   * sample is learned when a whole one has accrued). Absent in states saved before it existed.
   */
  credit?: number;
  /** Multivariate: each signal's alarm. */
  signals?: Record<string, AlarmState>;
}

export interface TwinAnomalyState {
  version: 2;
  detector: string;
  mode: LearningMode;
  /** Univariate: one unit per signal (null-prototype record). */
  units: Record<string, UnitState>;
  /** Multivariate: the signal order and its one unit. */
  vector?: { names: string[]; unit: UnitState };
}

export interface SignalInput {
  value: number;
  timestamp: number;
  /** Not scored nor learned (bad quality, stale, missing). */
  skip: boolean;
}

export interface SignalResult extends DetectorResult {
  skipped?: boolean;
  alarm?: boolean;
}

export interface AnomalyResult {
  score: number;
  warmingUp: boolean;
  signals: Record<string, SignalResult>;
  /** Signals by share of the anomaly, largest first (shares sum to 1 when the score is above 0). */
  contributors: { signal: string; share: number }[];
  /** The key's alarm: raised while any of its signals' alarms is. */
  alarm: boolean;
  event: AlarmEvent;
  /** Signals whose own alarm is raised. */
  alarms: string[];
  /** Signals whose own alarm was raised or cleared by this message. */
  signalEvents: { signal: string; event: 'raise' | 'clear' }[];
  detector: string;
  phase: UnitPhase;
}

/**
 * A null-prototype record. Built from a literal rather than by Object.create(null), which V8 makes a hash table
 * (dictionary mode): every read, write and key listing of the records touched per message was a hash lookup.
 */
export const record = <T>(): Record<string, T> => Object.setPrototypeOf({}, null) as Record<string, T>;
/**
 * A record for per-message data (the signals read from one message, their results), never stored: its
 * prototype is an empty, frozen object without a prototype, so names are data as in `record`, and V8 builds it about
 * five times faster than a null-prototype literal (Object.create of an ordinary prototype has a cached shape).
 */
const NO_MEMBERS: object = Object.freeze(Object.setPrototypeOf({}, null) as object);
const scratch = <T>(): Record<string, T> => Object.create(NO_MEMBERS) as Record<string, T>;
const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
const enumerable = (o: object, key: string): boolean => Object.prototype.propertyIsEnumerable.call(o, key);

/** Checks a configuration: a known detector and parameters it has, of the right types. */
export function createEngine(config: EngineConfig): Engine {
  if (!isDetectorName(config.detector)) {
    throw new TwinFlowError('unknownDetector', `unknown detector ${String(config.detector)}`, {
      detector: String(config.detector),
    });
  }
  const detector = DETECTORS[config.detector] as AnyDetector;
  const defaults = detector.defaults as Record<string, unknown>;
  const params: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(config.params)) {
    if (!own(defaults, key)) {
      throw new TwinFlowError('unknownParameter', `${config.detector} has no parameter ${key}`, {
        parameter: key,
      });
    }
    const wanted = Array.isArray(defaults[key]) ? 'array' : typeof defaults[key];
    const got = Array.isArray(value) ? 'array' : typeof value;
    if (got !== wanted || (typeof value === 'number' && !Number.isFinite(value))) {
      throw new TwinFlowError('badParameter', `${config.detector} parameter ${key} must be a ${wanted}`, {
        parameter: key,
      });
    }
    params[key] = value;
  }
  const problem = detector.multivariate ? detector.check?.(params) : undefined;
  if (problem)
    throw new TwinFlowError('badParameter', `${config.detector}: ${problem}`, { parameter: problem });
  return { config, detector, params };
}

function checkName(kind: 'signal' | 'key', name: string, limits: EngineLimits): void {
  if (name.length > limits.nameLength) {
    throw new TwinFlowError('nameTooLong', `a ${kind} name is longer than ${limits.nameLength} characters`, {
      kind,
      limit: limits.nameLength,
    });
  }
}

export function checkKey(key: string, engine: Engine): void {
  checkName('key', key, engine.config.limits);
}

/** A record among values that passed the plain-data validator (whose objects are plain objects or arrays). */
const isViewedRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' &&
  x !== null &&
  !Array.isArray(x) &&
  Object.prototype.toString.call(x) === '[object Object]';

/**
 * Reads the signals of a message: a number (one signal, `defaultSignal`), an object of values, or samples
 * `{value, quality, stale, sourceTimestamp}` as twin-state sends them. Samples of bad quality, or stale, are
 * skipped rather than learned.
 * @throws TwinFlowError for a payload that is neither, a value that is not a finite number or beyond the magnitude
 * limit, too many signals or too long a name; nothing has been changed then.
 */
export function readSignals(
  payload: unknown,
  engine: Engine,
  defaultSignal: string,
  now: number,
  /**
   * The payload comes from PlainDataValidator.view: plain data, possibly the caller's own object rather than a copy.
   * Then only own enumerable string keys are read (what a copy would hold), and the object test reads nothing of it
   * (Object.prototype.toString would read a Symbol.toStringTag, which the validator does not look at).
   */
  viewed = false,
): Record<string, SignalInput> {
  const { signals, limits } = engine.config;
  const inputs = scratch<SignalInput>();
  if (typeof payload === 'number') {
    checkName('signal', defaultSignal, limits);
    inputs[defaultSignal] = {
      value: checkSample(defaultSignal, payload, now, limits.magnitude),
      timestamp: now,
      skip: false,
    };
    return inputs;
  }
  if (!(viewed ? isViewedRecord : isRecord)(payload)) {
    throw new TwinFlowError(
      'payloadNotSignals',
      'msg.payload must be a number or an object of numeric signals',
      {},
    );
  }
  const names = signals.length > 0 ? signals : Object.keys(payload);
  let count = 0;
  for (const name of names) {
    // (The names of a viewed payload's own keys need no check: Object.keys lists only own enumerable ones.)
    if (viewed ? names === signals && !enumerable(payload, name) : !own(payload, name)) continue;
    const entry = payload[name];
    const sample = isSample(entry) ? entry : undefined;
    const value = sample ? sample.value : entry;
    if (signals.length === 0 && typeof value !== 'number') continue; // watch only what is numeric
    checkName('signal', name, limits);
    if (++count > limits.signals) {
      throw new TwinFlowError('tooManySignals', `more than ${limits.signals} signals in one message`, {
        limit: limits.signals,
      });
    }
    const timestamp = typeof sample?.sourceTimestamp === 'number' ? sample.sourceTimestamp : now;
    const skip = sample !== undefined && !isUsable(sample);
    inputs[name] = {
      value: skip ? NaN : checkSample(name, value, timestamp, limits.magnitude),
      timestamp,
      skip,
    };
  }
  if (count === 0) {
    throw new TwinFlowError('noSignals', 'msg.payload has no numeric signal to watch', {});
  }
  return inputs;
}

function unitInit(engine: Engine, now: number, dimensions: number): UnitState {
  const { detector, params, config } = engine;
  return {
    detector: detector.multivariate ? detector.init(params, dimensions) : detector.init(params),
    alarm: alarmInit(),
    phase: config.mode === 'online' ? 'online' : 'training',
    learned: 0,
    started: now,
    inAlarm: 0,
    adapting: false,
  };
}

export function engineInit(engine: Engine): TwinAnomalyState {
  return { version: 2, detector: engine.config.detector, mode: engine.config.mode, units: record() };
}

const reached = (h: Horizon, samples: number, elapsed: number): boolean =>
  (h.samples > 0 && samples >= h.samples) || (h.ms > 0 && elapsed >= h.ms);

/** Starts learning again from nothing: training in train-then-monitor, online otherwise. The alarm stays as it is. */
function relearn(unit: UnitState, engine: Engine, now: number, dimensions: number): void {
  const fresh = unitInit(engine, now, dimensions);
  unit.detector = fresh.detector;
  unit.phase = fresh.phase;
  unit.learned = 0;
  unit.started = now;
  unit.inAlarm = 0;
  unit.credit = 0;
}

function endTraining(unit: UnitState, engine: Engine): void {
  if (unit.phase !== 'training') return;
  engine.detector.freeze?.(unit.detector as never, engine.params);
  unit.phase = 'monitoring';
}

/**
 * Whether this unit learns this sample, given its phase and alarm. Online, a signal whose alarm is about to be raised
 * (an anomalous score among the last raiseN) does not teach its detector: a shift must not be learned away before
 * the alarm can count it. Once raised, it learns down-weighted: a sample whenever a whole sample's weight has accrued
 * (see `afterSample`).
 */
function learns(unit: UnitState, engine: Engine, requested: boolean): boolean {
  if (!requested || unit.phase === 'monitoring') return false;
  if (unit.phase === 'training' || unit.adapting || engine.config.learnInAlarm) return true;
  if (unit.alarm.active) return (unit.credit ?? 0) >= 1;
  return !unit.alarm.recent.includes(1);
}

/**
 * The weight of one more sample in alarm: the share of the `adaptAfter` horizon the alarm has lasted (samples or
 * time, whichever is further along), so learning ramps up from nothing at the raise to full weight at the horizon.
 * 0 when the horizon is not used (never adapt).
 */
function alarmWeight(h: Horizon, samples: number, elapsed: number): number {
  const share = Math.max(h.samples > 0 ? samples / h.samples : 0, h.ms > 0 ? elapsed / h.ms : 0);
  return Math.min(1, share);
}

/** Feeds a unit's alarm: a score while judging, a normal one while warming up online, nothing while training. */
function judgeAlarm(
  unit: UnitState,
  score: number,
  warmingUp: boolean,
  now: number,
  p: AlarmParams,
): AlarmEvent {
  if (unit.phase === 'training') return null;
  return alarmStep(unit.alarm, warmingUp ? 0 : score, now, p);
}

/**
 * After a unit scored a sample: training progress; in online mode the weight that down-weighted learning accrues
 * while in alarm, and the relearning if the alarm still stands at `adaptAfter`.
 */
function afterSample(
  unit: UnitState,
  engine: Engine,
  learned: boolean,
  now: number,
  dimensions: number,
): void {
  const { config } = engine;
  if (learned) unit.learned += 1;
  if (unit.phase === 'training' && reached(config.train, unit.learned, now - unit.started)) {
    endTraining(unit, engine);
  }
  if (unit.phase !== 'online') return;
  if (!unit.alarm.active) {
    unit.inAlarm = 0;
    unit.adapting = false;
    unit.credit = 0;
    return;
  }
  const elapsed = now - (unit.alarm.since ?? now);
  let credit = unit.credit ?? 0;
  if (learned && credit >= 1) credit -= 1; // this sample was learned down-weighted: its accrued weight is spent
  unit.inAlarm += 1;
  // Weight not spent because learning was paused (msg.learn false, machine stopped) is not banked beyond one sample,
  // so the pause is not made up for by a burst of learning afterwards.
  unit.credit = Math.min(credit, 1) + alarmWeight(config.adaptAfter, unit.inAlarm, elapsed);
  if (!unit.adapting && reached(config.adaptAfter, unit.inAlarm, elapsed)) {
    relearn(unit, engine, now, dimensions);
    unit.adapting = true;
  }
}

const SKIPPED: SignalResult = {
  score: 0,
  expected: NaN,
  lower: NaN,
  upper: NaN,
  warmingUp: false,
  skipped: true,
};

function signalEvent(events: AnomalyResult['signalEvents'], signal: string, event: AlarmEvent): void {
  if (event) events.push({ signal, event });
}

/**
 * Learning pauses on request (`msg.learn === false`) or while the machine is not running: a configured boolean
 * property of the payload (a plain value or a sample) that is false.
 */
export function learningWanted(learn: unknown, payload: unknown, runningProperty: string): boolean {
  if (learn === false) return false;
  if (!runningProperty || !isRecord(payload) || !own(payload, runningProperty)) return true;
  const running = payload[runningProperty];
  return (isRecord(running) ? running.value : running) !== false;
}

/** Scores one message's signals for one key. Mutates and returns the state (validate first: readSignals). */
export function engineUpdate(
  state: TwinAnomalyState,
  inputs: Record<string, SignalInput>,
  engine: Engine,
  now: number,
  learnRequested: boolean,
): { state: TwinAnomalyState; result: AnomalyResult } {
  const { config, detector, params } = engine;
  const wasActive = keyAlarm(state);
  // Names are data here too; built per message, so the cheaper of the two record kinds (it is sent on, never stored).
  const signals = scratch<SignalResult>();
  // Each signal's weight, turned into its share of the total by contributorsOf.
  const weights: AnomalyResult['contributors'] = [];
  const signalEvents: AnomalyResult['signalEvents'] = [];
  let score = 0;
  let warmingUp = false;
  let phase: UnitPhase = config.mode === 'online' ? 'online' : 'monitoring';
  if (detector.multivariate) {
    if (!state.vector) {
      const names = config.signals.length > 0 ? config.signals : Object.keys(inputs);
      if (names.length > config.limits.signals) {
        throw new TwinFlowError('tooManySignals', `more than ${config.limits.signals} signals`, {
          limit: config.limits.signals,
        });
      }
      state.vector = { names, unit: unitInit(engine, now, names.length) };
    }
    const { names, unit } = state.vector;
    phase = unit.phase;
    const complete = names.length > 0 && names.every((n) => own(inputs, n) && !inputs[n].skip);
    if (!complete) {
      warmingUp = true;
      for (const n of names) signals[n] = SKIPPED;
    } else {
      const x = names.map((n) => inputs[n].value);
      const learn = learns(unit, engine, learnRequested);
      const step = detector.update(
        unit.detector,
        x,
        now,
        params,
        learn,
        unit.phase === 'training' ? 'training' : 'online',
      );
      unit.detector = step.state;
      warmingUp = step.result.warmingUp || unit.phase === 'training';
      score = warmingUp ? 0 : step.result.score;
      const ownAlarms = (unit.signals ??= record());
      const anomalous = score >= config.alarm.threshold;
      const signalAlarm: AlarmParams = { ...config.alarm, threshold: 1 };
      names.forEach((n, i) => {
        const share = step.result.contributions[i];
        const result: SignalResult = {
          score: score * share,
          expected: step.result.expected[i],
          lower: step.result.lower[i],
          upper: step.result.upper[i],
          warmingUp,
        };
        if (config.signalAlarms && !warmingUp) {
          const alarm = (ownAlarms[n] ??= alarmInit());
          // A signal's own alarm counts the anomalous samples in which it contributed more than an even share.
          signalEvent(
            signalEvents,
            n,
            alarmStep(alarm, anomalous && share * names.length > 1 ? 1 : 0, now, signalAlarm),
          );
          result.alarm = alarm.active;
        }
        signals[n] = result;
        weights.push({ signal: n, share });
      });
      judgeAlarm(unit, score, warmingUp, now, config.alarm);
      afterSample(unit, engine, learn, now, names.length);
    }
  } else {
    // Counted without arrays (records have no prototype: for-in lists their own keys, in Object.keys order).
    let units = 0;
    for (const _ in state.units) units++;
    for (const n in inputs) if (!own(state.units, n) && !inputs[n].skip) units++;
    if (units > config.limits.signals) {
      throw new TwinFlowError('tooManySignals', `more than ${config.limits.signals} signals for one key`, {
        limit: config.limits.signals,
      });
    }
    for (const name in inputs) {
      const input = inputs[name];
      if (input.skip) {
        signals[name] = SKIPPED;
        continue;
      }
      const unit = (state.units[name] ??= unitInit(engine, input.timestamp, 1));
      const learn = learns(unit, engine, learnRequested);
      const step = detector.update(unit.detector, input.value, input.timestamp, params, learn);
      unit.detector = step.state;
      const training = unit.phase === 'training';
      const result: SignalResult = training ? { ...step.result, score: 0, warmingUp: true } : step.result;
      signalEvent(signalEvents, name, judgeAlarm(unit, result.score, result.warmingUp, now, config.alarm));
      result.alarm = unit.alarm.active;
      afterSample(unit, engine, learn, input.timestamp, 1);
      signals[name] = result;
      if (training || unit.phase === 'training') phase = 'training';
      else if (phase !== 'training') phase = unit.phase;
      warmingUp ||= result.warmingUp;
      score = Math.max(score, result.score);
      // How surprising, on a log scale: a 0.9999 contributes far more than a 0.99.
      weights.push({ signal: name, share: -Math.log(Math.max(1e-300, 1 - result.score)) });
    }
  }
  const contributors = contributorsOf(weights);
  const alarms = signalsInAlarm(state);
  // keyAlarm, from the same pass over the units: a univariate key is in alarm while any of its signals is.
  const active = state.vector ? state.vector.unit.alarm.active : alarms.length > 0;
  return {
    state,
    result: {
      score,
      warmingUp,
      signals,
      contributors,
      alarm: active,
      event: active === wasActive ? null : active ? 'raise' : 'clear',
      alarms,
      signalEvents,
      detector: config.detector,
      phase,
    },
  };
}

/**
 * Each signal's share of the weights, largest first; equal shares keep the signals' order (a stable sort). A few
 * signals are sorted by insertion, which for finite shares gives what Array.prototype.sort gives, without its cost.
 */
function contributorsOf(weights: AnomalyResult['contributors']): AnomalyResult['contributors'] {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i].share;
  const out = weights;
  let finite = true;
  for (let i = 0; i < out.length; i++) {
    const share = total > 0 ? out[i].share / total : 0;
    finite &&= Number.isFinite(share);
    out[i].share = share;
  }
  if (!finite || out.length > 16) return out.sort((a, b) => b.share - a.share);
  for (let i = 1; i < out.length; i++) {
    const item = out[i];
    let j = i;
    for (; j > 0 && out[j - 1].share < item.share; j--) out[j] = out[j - 1];
    out[j] = item;
  }
  return out;
}

/** The key's alarm: raised while any of its units' alarms is. */
export function keyAlarm(state: TwinAnomalyState): boolean {
  if (state.vector) return state.vector.unit.alarm.active;
  const { units } = state;
  for (const name in units) if (units[name].alarm.active) return true;
  return false;
}

export function signalsInAlarm(state: TwinAnomalyState): string[] {
  const alarms: string[] = [];
  if (state.vector) {
    const own = state.vector.unit.signals;
    if (own === undefined) return alarms;
    for (const n of state.vector.names) {
      if (Object.prototype.hasOwnProperty.call(own, n) && own[n].active) alarms.push(n);
    }
    return alarms;
  }
  const { units } = state;
  for (const name in units) if (units[name].alarm.active) alarms.push(name);
  return alarms;
}

export type EngineCommand = 'rebaseline' | 'train-end';

/**
 * `rebaseline`: the signal (or every signal of the key) starts learning again from nothing; `train-end`: training
 * ends now. Returns whether anything changed.
 */
export function engineCommand(
  state: TwinAnomalyState,
  command: EngineCommand,
  engine: Engine,
  now: number,
  signal?: string,
): boolean {
  const units: [UnitState, number][] = state.vector
    ? signal === undefined || state.vector.names.includes(signal)
      ? [[state.vector.unit, state.vector.names.length]]
      : []
    : Object.keys(state.units)
        .filter((n) => signal === undefined || n === signal)
        .map((n) => [state.units[n], 1]);
  for (const [unit, dimensions] of units) {
    if (command === 'train-end') endTraining(unit, engine);
    else {
      relearn(unit, engine, now, dimensions);
      unit.adapting = false;
    }
  }
  return units.length > 0;
}

/** Training progress of a key, for the status: samples learned of how many (0: by time or by command). */
export function engineProgress(
  state: TwinAnomalyState,
  engine: Engine,
): { phase: UnitPhase; learned: number; total: number } {
  // One pass over the units, without the arrays: the first unit's phase, and the least learned of those training.
  let first: UnitState | undefined;
  let training = false;
  let learned = Infinity;
  const visit = (unit: UnitState): void => {
    first ??= unit;
    if (unit.phase !== 'training') return;
    training = true;
    learned = Math.min(learned, unit.learned);
  };
  if (state.vector) visit(state.vector.unit);
  else for (const name in state.units) visit(state.units[name]);
  const phase: UnitPhase = training
    ? 'training'
    : (first?.phase ?? (engine.config.mode === 'online' ? 'online' : 'training'));
  return { phase, learned: training ? learned : 0, total: engine.config.train.samples };
}

function allFinite(x: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (typeof x === 'number') return Number.isFinite(x);
  if (typeof x === 'string' || typeof x === 'boolean' || x === undefined) return true;
  if (Array.isArray(x)) return x.every((v) => allFinite(v, depth + 1));
  if (typeof x === 'object' && x !== null) return Object.values(x).every((v) => allFinite(v, depth + 1));
  return false;
}

function restoreUnit(x: unknown): UnitState | undefined {
  if (!isRecord(x) || !isRecord(x.alarm) || !isRecord(x.detector)) return undefined;
  if (!['online', 'training', 'monitoring'].includes(x.phase as string)) return undefined;
  const unit = { ...x } as unknown as UnitState;
  if (unit.signals !== undefined) {
    if (!isRecord(unit.signals)) return undefined;
    unit.signals = Object.assign(record<AlarmState>(), unit.signals);
  }
  return unit;
}

/**
 * A persisted state, checked before it is trusted: the same detector and mode, the expected shape, every number
 * finite. Returns undefined for anything else (the caller starts afresh and warns), never throws.
 */
export function engineRestore(saved: unknown, engine: Engine): TwinAnomalyState | undefined {
  if (!isRecord(saved) || saved.version !== 2 || saved.detector !== engine.config.detector) return undefined;
  if (saved.mode !== engine.config.mode || !isRecord(saved.units) || !allFinite(saved)) return undefined;
  const units = record<UnitState>();
  for (const name of Object.keys(saved.units)) {
    const unit = restoreUnit(saved.units[name]);
    if (!unit) return undefined;
    units[name] = unit;
  }
  const state: TwinAnomalyState = {
    version: 2,
    detector: engine.config.detector,
    mode: engine.config.mode,
    units,
  };
  if (saved.vector !== undefined) {
    const vector = saved.vector as { names?: unknown; unit?: unknown };
    const unit = restoreUnit(vector.unit);
    if (!Array.isArray(vector.names) || !vector.names.every((n) => typeof n === 'string') || !unit)
      return undefined;
    state.vector = { names: vector.names as string[], unit };
  }
  return state;
}
