import type { Budget } from './budget';
import type { Rng } from './rng';

/**
 * The typed API for model authors, after FMI 2.0/3.0 co-simulation: a variable table (causality, unit, start,
 * limits), an initial state from parameters, `advance` over one communication step with inputs held (the model
 * chooses its own solver and micro-steps inside), outputs, and optionally the time of its next discrete event.
 * State is plain JSON, so a simulation can be snapshotted, restored and forked.
 */
export type Causality = 'input' | 'output' | 'parameter' | 'state';

export interface Variable {
  name: string;
  causality: Causality;
  unit?: string;
  start: number;
  min?: number;
  max?: number;
  description?: string;
}

export type Values = Record<string, number>;

export interface Advance<S> {
  state: S;
  /** Discrete events that happened inside the step, with their exact times. */
  events?: { time: number; name: string }[];
}

export interface SimModel<S = unknown> {
  name: string;
  description: string;
  variables: Variable[];
  init(params: Values, random: Rng): S;
  /**
   * From t to t + h with the inputs held; must land exactly on t + h. Returns a new state and never modifies the one
   * it is given (the kernel relies on it for rollback: a failed step leaves the simulation as it was). A model that
   * loops inside a step (micro-steps, samples, parts) calls `budget.check()` in its loop, so a step that would take
   * too long ends with an error instead of holding the event loop.
   */
  advance(
    state: S,
    t: number,
    h: number,
    inputs: Values,
    params: Values,
    random: Rng,
    budget: Budget,
  ): Advance<S>;
  outputs(state: S, t: number, inputs: Values, params: Values): Values;
  /**
   * Time events (FMI's nextEventTime): when the model's next scheduled discrete change happens, if it knows (a
   * failure drawn in advance, the end of a changeover). Undefined or Infinity: nothing scheduled.
   */
  nextEventTime?(state: S, t: number, inputs: Values, params: Values): number | undefined;
  /**
   * State events (FMI's event indicators): named functions of the state whose sign change marks an event (a level
   * reaching the rim, a tank running dry). The kernel locates the crossing inside a step when early return is on.
   */
  eventIndicators?(state: S, t: number, inputs: Values, params: Values): Values;
}

export function variablesOf(model: SimModel, causality: Causality): Variable[] {
  return model.variables.filter((v) => v.causality === causality);
}

/** Start values of one causality as a record. */
export function startValues(model: SimModel, causality: Causality): Values {
  return Object.fromEntries(variablesOf(model, causality).map((v) => [v.name, v.start]));
}

const maps = new WeakMap<SimModel, Map<Causality, ReadonlyMap<string, Variable>>>();

/**
 * The variables of one causality by name, built once per model: looked up for every input of every step and every
 * output of every message, where building it each time cost a fifth of a step.
 */
export function variableMap(model: SimModel, causality: Causality): ReadonlyMap<string, Variable> {
  let byCausality = maps.get(model);
  if (!byCausality) {
    byCausality = new Map();
    maps.set(model, byCausality);
  }
  let map = byCausality.get(causality);
  if (!map) {
    map = new Map(variablesOf(model, causality).map((v) => [v.name, v]));
    byCausality.set(causality, map);
  }
  return map;
}
