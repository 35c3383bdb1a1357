import { TwinFlowError } from '../errors';
import { applySensorFaults, checkFault, degradedParams, type Fault } from './faults';
import { startValues, variablesOf, type SimModel, type Values } from './model';
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
}

function finite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TwinFlowError('notFinite', `${name} must be a finite number`, {
      property: name,
      got: String(value),
    });
  }
  return value;
}

function checkValues(
  model: SimModel,
  causality: 'input' | 'parameter',
  values: Record<string, unknown>,
): Values {
  const allowed = new Map(variablesOf(model, causality).map((v) => [v.name, v]));
  const out: Values = {};
  for (const [name, value] of Object.entries(values)) {
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

/** A deep copy: snapshots and what-if forks share nothing with the original. */
export function cloneSimulation(sim: Simulation): Simulation {
  return structuredClone(sim);
}

export function withInputs(model: SimModel, sim: Simulation, inputs: Record<string, unknown>): Simulation {
  return { ...sim, inputs: { ...sim.inputs, ...checkValues(model, 'input', inputs) } };
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
export function doStep(model: SimModel, sim: Simulation, dt?: number): StepResult {
  // Models return a new state from advance (the model contract), so only what the kernel itself mutates is copied:
  // the generator and the faults. A deep clone per step would cost more than the physics.
  const faulty = sim.faults.length > 0;
  const next: Simulation = {
    ...sim,
    rng: { ...sim.rng },
    faults: faulty ? sim.faults.map((f) => ({ ...f })) : sim.faults,
  };
  const h = dt === undefined ? next.h : finite('dt', dt);
  if (h <= 0) throw new TwinFlowError('badStep', 'dt must be positive', { step: h });
  const params = faulty ? degradedParams(next.faults, next.params, next.time) : next.params;
  const advanced = model.advance(next.state, next.time, h, next.inputs, params, next.rng);
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
  for (const [name, value] of Object.entries(outputs)) {
    if (!Number.isFinite(value)) {
      throw new TwinFlowError('unstable', `output ${name} became non-finite at t = ${next.time}`, {
        time: next.time,
      });
    }
  }
  applySensorFaults(next.faults, outputs, next.time, next.rng);
  next.faults = next.faults.filter(
    (f) => f.duration === null || next.time < f.start + f.duration || f.kind === 'degradation',
  );
  return { simulation: next, outputs, events: advanced.events ?? [] };
}

/** Outputs at the current time without stepping (after a restore, or for a first message). */
export function currentOutputs(model: SimModel, sim: Simulation): Values {
  return model.outputs(sim.state, sim.time, sim.inputs, degradedParams(sim.faults, sim.params, sim.time));
}
