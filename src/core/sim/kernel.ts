import { TwinFlowError } from '../errors';
import { unlimited, type Budget } from './budget';
import { applySensorFaults, checkFault, degradedParams, type Fault } from './faults';
import { startValues, variableMap, type SimModel, type Values } from './model';
import { rng, type Rng } from './rng';

/**
 * A running simulation as plain JSON: what twin-sim keeps in context, snapshots, restores and forks. Time is
 * t0 + n * h (no accumulated rounding over millions of steps); a step of another length re-anchors t0.
 */
export interface Simulation {
  model: string;
  seed: number;
  t0: number;
  n: number;
  h: number;
  time: number;
  params: Values;
  inputs: Values;
  state: unknown;
  rng: Rng;
  faults: Fault[];
}

export interface StepResult {
  simulation: Simulation;
  outputs: Values;
  events: { time: number; name: string }[];
  /**
   * True when the step stopped before its end at an event (FMI 3's earlyReturn); simulation.time is then the event
   * time, and the caller steps again for the rest.
   */
  earlyReturn?: boolean;
}

export interface StepOptions {
  /**
   * Stop at the first time event (nextEventTime) or state event (an event indicator changing sign) inside the step,
   * so the outputs at the event's exact time can be seen. Off: the step always runs to its end.
   */
  earlyReturn?: boolean;
  /** Wall-time budget of the step (default: none); a step over it throws `overBudget` and changes nothing. */
  budget?: Budget;
}

/** A state event is located to this share of the step (or 1 ns, if larger): bisection, about 40 model steps. */
const EVENT_TOLERANCE = 1e-12;

function finite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TwinFlowError('notFinite', `${name} must be a finite number`, {
      property: name,
      got: String(value),
    });
  }
  return value;
}

/** Checks named inputs or parameters against the model: known names, finite values within their limits. */
export function checkValues(
  model: SimModel,
  causality: 'input' | 'parameter',
  values: Record<string, unknown>,
): Values {
  const allowed = variableMap(model, causality);
  const out: Values = {};
  for (const name of Object.keys(values)) {
    const value = values[name];
    const variable = allowed.get(name);
    if (!variable) {
      throw new TwinFlowError(
        causality === 'input' ? 'unknownInput' : 'unknownParameter',
        `${model.name} has no ${causality} ${name}`,
        {
          parameter: name,
          model: model.name,
        },
      );
    }
    const x = finite(name, value);
    if (
      (variable.min !== undefined && x < variable.min) ||
      (variable.max !== undefined && x > variable.max)
    ) {
      throw new TwinFlowError(
        'outOfRange',
        `${name} = ${x} is outside ${variable.min ?? '-∞'} .. ${variable.max ?? '∞'}`,
        {
          property: name,
          value: x,
          min: variable.min ?? '-∞',
          max: variable.max ?? '∞',
        },
      );
    }
    out[name] = x;
  }
  return out;
}

export interface SimulationOptions {
  seed?: number;
  /** Communication step in seconds. */
  step?: number;
  t0?: number;
  params?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
}

export function createSimulation(model: SimModel, options: SimulationOptions = {}): Simulation {
  const h = finite('step', options.step ?? 1);
  if (h <= 0) throw new TwinFlowError('badStep', 'the step must be positive', { step: h });
  const params = {
    ...startValues(model, 'parameter'),
    ...checkValues(model, 'parameter', options.params ?? {}),
  };
  const inputs = { ...startValues(model, 'input'), ...checkValues(model, 'input', options.inputs ?? {}) };
  const seed = Math.floor(finite('seed', options.seed ?? 1));
  const random = rng(seed);
  const t0 = finite('t0', options.t0 ?? 0);
  return {
    model: model.name,
    seed,
    t0,
    n: 0,
    h,
    time: t0,
    params,
    inputs,
    state: model.init(params, random),
    rng: random,
    faults: [],
  };
}

/**
 * A shallow copy of a simulation, field by field in the order createSimulation gives them. Every step and every
 * message copies the simulation; an object spread of it cost more than the pump's physics (V8 copies a spread
 * through a generic path once the copies' shapes vary), one literal keeps a single shape.
 */
export function copySimulation(sim: Simulation): Simulation {
  return {
    model: sim.model,
    seed: sim.seed,
    t0: sim.t0,
    n: sim.n,
    h: sim.h,
    time: sim.time,
    params: sim.params,
    inputs: sim.inputs,
    state: sim.state,
    rng: sim.rng,
    faults: sim.faults,
  };
}

/**
 * `{ ...a, ...b }`, built by Object.assign onto a literal: V8 adds the second spread's fields through its slow path.
 * A name `__proto__` (a model's variables are named by its author) is spread, as assignment would set the prototype.
 */
function merged(a: Values, b: Values): Values {
  const own = Object.prototype.hasOwnProperty;
  return own.call(a, '__proto__') || own.call(b, '__proto__') ? { ...a, ...b } : Object.assign({}, a, b);
}

/** A deep copy: snapshots and what-if forks share nothing with the original. */
export function cloneSimulation(sim: Simulation): Simulation {
  return structuredClone(sim);
}

export function withInputs(model: SimModel, sim: Simulation, inputs: Record<string, unknown>): Simulation {
  const next = copySimulation(sim);
  next.inputs = merged(sim.inputs, checkValues(model, 'input', inputs));
  return next;
}

export function withParameters(
  model: SimModel,
  sim: Simulation,
  params: Record<string, unknown>,
): Simulation {
  return { ...sim, params: { ...sim.params, ...checkValues(model, 'parameter', params) } };
}

export function withFault(model: SimModel, sim: Simulation, fault: unknown): Simulation {
  const outputs = Object.keys(model.outputs(sim.state, sim.time, sim.inputs, sim.params));
  const f = checkFault(fault, outputs, Object.keys(sim.params), sim.time);
  return { ...sim, faults: [...sim.faults, f] };
}

/**
 * One communication step: advances the model over [time, time + dt] with the inputs held, lands exactly there, and
 * returns the outputs with sensor faults applied. `dt` defaults to the fixed step. The given simulation is not
 * modified, so a failed step (an unstable model) leaves it as it was.
 */
export function doStep(model: SimModel, sim: Simulation, dt?: number, options?: StepOptions): StepResult {
  if (options?.earlyReturn && (model.nextEventTime || model.eventIndicators)) {
    return stepToFirstEvent(model, sim, dt, options.budget ?? unlimited);
  }
  return stepOnce(model, sim, dt, options?.budget ?? unlimited);
}

/** The length of a step: the fixed step, or a given dt that must be a positive finite number. */
function stepLength(sim: Simulation, dt: number | undefined): number {
  const h = dt === undefined ? sim.h : finite('dt', dt);
  if (h <= 0) throw new TwinFlowError('badStep', 'dt must be positive', { step: h });
  return h;
}

/** Signs of the event indicators; an indicator at exactly 0 counts as having crossed. */
function indicatorSigns(model: SimModel, sim: Simulation): Record<string, number> {
  const values = model.eventIndicators?.(sim.state, sim.time, sim.inputs, sim.params) ?? {};
  const signs: Record<string, number> = {};
  for (const name in values) signs[name] = Math.sign(values[name]);
  return signs;
}

function crossed(before: Record<string, number>, after: Record<string, number>): string[] {
  const names: string[] = [];
  for (const name in before) {
    if (before[name] !== 0 && after[name] !== undefined && after[name] !== before[name]) names.push(name);
  }
  return names;
}

/**
 * One step that stops early at the first time or state event inside it. Time events are exact (the model says
 * when); state events are found by bisection on the step length, re-running the model from the start of the step
 * (models are pure, so every trial starts from the same state and draws the same random numbers).
 */
function stepToFirstEvent(
  model: SimModel,
  sim: Simulation,
  dt: number | undefined,
  budget: Budget,
): StepResult {
  const h = stepLength(sim, dt);
  const end = dt === undefined ? sim.t0 + (sim.n + 1) * sim.h : sim.time + h;
  const scheduled = model.nextEventTime?.(sim.state, sim.time, sim.inputs, sim.params);
  const stopAt = scheduled !== undefined && scheduled > sim.time && scheduled < end ? scheduled : end;
  const tryTo = (t: number): StepResult =>
    t === end ? stepOnce(model, sim, dt, budget) : stepOnce(model, sim, t - sim.time, budget);
  const result = tryTo(stopAt);
  const before = indicatorSigns(model, sim);
  let names = crossed(before, indicatorSigns(model, result.simulation));
  if (names.length > 0) {
    // Bisect for the earliest crossing: lo never crossed, hi crossed.
    let lo = sim.time;
    let hi = stopAt;
    let hiResult = result;
    const tolerance = Math.max(EVENT_TOLERANCE * h, 1e-9);
    while (hi - lo > tolerance) {
      const mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) break;
      const trial = tryTo(mid);
      const trialNames = crossed(before, indicatorSigns(model, trial.simulation));
      if (trialNames.length > 0) {
        hi = mid;
        hiResult = trial;
        names = trialNames;
      } else lo = mid;
    }
    const time = hiResult.simulation.time;
    return {
      ...hiResult,
      events: [...hiResult.events, ...names.map((name) => ({ time, name }))],
      earlyReturn: hi < end,
    };
  }
  return stopAt === end ? result : { ...result, earlyReturn: true };
}

/** Runs a whole communication step, stopping at every event on the way; the last result lands on the step's end. */
export function doStepThroughEvents(
  model: SimModel,
  sim: Simulation,
  dt?: number,
  budget: Budget = unlimited,
): StepResult[] {
  const h = stepLength(sim, dt);
  const anchored = dt === undefined || dt === sim.h;
  const end = anchored ? sim.t0 + (sim.n + 1) * sim.h : sim.time + h;
  const results: StepResult[] = [];
  let current = sim;
  const tolerance = Math.max(EVENT_TOLERANCE * h, 1e-9);
  for (let i = 0; ; i++) {
    const remaining = end - current.time;
    const result =
      i === MAX_EVENTS_PER_STEP - 1
        ? stepOnce(model, current, remaining, budget)
        : doStep(model, current, remaining, { earlyReturn: true, budget });
    current = result.simulation;
    if (!result.earlyReturn || end - current.time <= tolerance) {
      // Land exactly on the step's end and keep time anchored as t0 + n h, as a plain step would.
      current = anchored
        ? { ...current, t0: sim.t0, n: sim.n + 1, time: end }
        : { ...current, time: end, t0: end, n: 0 };
      results.push({ ...result, simulation: current, earlyReturn: false });
      return results;
    }
    results.push(result);
  }
}

/** A guard against a model that schedules events without time advancing (Zeno behaviour). */
const MAX_EVENTS_PER_STEP = 1000;

function stepOnce(model: SimModel, sim: Simulation, dt: number | undefined, budget: Budget): StepResult {
  // Models return a new state from advance (the model contract), so only what the kernel itself mutates is copied:
  // the generator and the faults. A deep clone per step would cost more than the physics.
  const faulty = sim.faults.length > 0;
  const next = copySimulation(sim);
  next.rng = { s: sim.rng.s, spare: sim.rng.spare };
  if (faulty) next.faults = sim.faults.map((f) => ({ ...f }));
  const h = stepLength(next, dt);
  const params = faulty ? degradedParams(next.faults, next.params, next.time) : next.params;
  const advanced = model.advance(next.state, next.time, h, next.inputs, params, next.rng, budget);
  next.state = advanced.state;
  if (dt === undefined || dt === next.h) {
    next.n += 1;
    next.time = next.t0 + next.n * next.h;
  } else {
    next.time += h;
    next.t0 = next.time;
    next.n = 0;
  }
  const outputs = model.outputs(next.state, next.time, next.inputs, params);
  // for-in over the outputs: this check runs every step and Object.entries would allocate a pair per output.
  for (const name in outputs) {
    if (!Number.isFinite(outputs[name])) {
      throw new TwinFlowError('unstable', `output ${name} became non-finite at t = ${next.time}`, {
        time: next.time,
      });
    }
  }
  if (faulty) {
    applySensorFaults(next.faults, outputs, next.time, next.rng);
    next.faults = next.faults.filter(
      (f) => f.duration === null || next.time < f.start + f.duration || f.kind === 'degradation',
    );
  }
  return { simulation: next, outputs, events: advanced.events ?? [] };
}

/** Outputs at the current time without stepping (after a restore, or for a first message). */
export function currentOutputs(model: SimModel, sim: Simulation): Values {
  return model.outputs(sim.state, sim.time, sim.inputs, degradedParams(sim.faults, sim.params, sim.time));
}
