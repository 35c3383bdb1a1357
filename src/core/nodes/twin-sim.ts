/**
 * The twin-sim node's spec: its saved settings, their defaults, versions and migrations, and parse(), which turns
 * the saved settings into a checked configuration. The editor, the runtime and the CLI all take them from here.
 */
import { TwinFlowError } from '../errors';
import { MODELS, odeModel, type OdeDefinition } from '../sim/models';
import type { SimModel } from '../sim/model';
import { migrateConfig, type Migration } from './migrate';

export const CLOCK_MODES = ['message', 'realtime', 'shadow'] as const;
export type ClockMode = (typeof CLOCK_MODES)[number];

/** The settings as the editor saves them (numbers may arrive as text). */
export interface TwinSimSettings {
  version: number;
  name: string;
  /** A library model name, or 'ode' for a user model from `ode`. */
  model: string;
  /** JSON OdeDefinition when model is 'ode'. */
  ode: string;
  /** JSON object of parameter values. */
  params: string;
  /** JSON object of initial input values ("inputs" is reserved by Node-RED's editor). */
  initialInputs: string;
  /** Communication step, seconds of simulation time. */
  step: string | number;
  mode: ClockMode;
  /**
   * Simulation seconds per wall-clock second: the real-time clock's pace, and in shadow mode per second of
   * measurement time (a plant simulated faster than real time).
   */
  speed: string | number;
  seed: string | number;
  /** msg.topic of the outputs (the twin id). */
  twin: string;
  /** Real-time mode: start stepping on deploy. */
  autostart: boolean;
  /** Stop at discrete events inside a step and send an output at each event's exact time (early return). */
  events: boolean;
  /**
   * Wall time one message may take, in ms: a step that takes longer ends with an error; a batch run or a what-if
   * fork works in slices of this length and yields to the event loop between them.
   */
  budget: string | number;
  /** The most communication steps one message may cover: a run, a fork, a msg.dt or a shadow catch-up. */
  maxSteps: string | number;
}

export const VERSION = 3;

export const DEFAULTS: TwinSimSettings = {
  version: VERSION,
  name: '',
  model: 'pump',
  ode: '',
  params: '{}',
  initialInputs: '{}',
  step: '1',
  mode: 'message',
  speed: '1',
  seed: '1',
  twin: '',
  autostart: false,
  events: false,
  budget: '50',
  maxSteps: '1000000',
};

export const MIGRATIONS: readonly Migration<TwinSimSettings>[] = [
  {
    to: 1,
    up: (c) => ({
      model: 'pump',
      ode: '',
      params: '{}',
      initialInputs: '{}',
      step: 1,
      mode: 'message',
      speed: 1,
      seed: 1,
      twin: '',
      autostart: false,
      events: false,
      budget: DEFAULTS.budget,
      maxSteps: DEFAULTS.maxSteps,
      ...c,
    }),
  },
  // Version 2 added stopping at events; flows saved before keep stepping straight through.
  { to: 2, up: (c) => ({ ...c, events: false }) },
  // Version 3 bounded every message in wall time and steps; older flows get the defaults (before, only runs and
  // forks were limited, to 1,000,000 steps). Step 1 fills them too, for hand-written flows that leave them out.
  { to: 3, up: (c) => ({ budget: DEFAULTS.budget, maxSteps: DEFAULTS.maxSteps, ...c }) },
];

/** Limits of the settings themselves (a budget of hours or a billion steps would defeat their purpose). */
export const LIMITS = {
  budget: { min: 1, max: 10_000 },
  maxSteps: { min: 1, max: 100_000_000 },
  speed: { min: 1e-6, max: 1e6 },
} as const;

export interface TwinSimConfig {
  name: string;
  model: SimModel;
  mode: ClockMode;
  step: number;
  speed: number;
  seed: number;
  params: Record<string, unknown>;
  inputs: Record<string, unknown>;
  twin: string;
  autostart: boolean;
  events: boolean;
  budgetMs: number;
  maxSteps: number;
}

function parseObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text || '{}');
  } catch {
    throw new TwinFlowError('badConfig', `${what} is not valid JSON`, { what });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TwinFlowError('badConfig', `${what} must be a JSON object`, { what });
  return value as Record<string, unknown>;
}

/** The model a configuration names: a library model, or the user model parsed from its JSON. */
export function modelOf(name: string, ode: string): SimModel {
  if (name === 'ode')
    return odeModel(parseObject(ode, 'the user model') as unknown as OdeDefinition) as SimModel;
  const model = MODELS[name];
  if (!model) throw new TwinFlowError('badConfig', `unknown model ${name}`, { what: 'model' });
  return model;
}

function number(value: unknown, what: string, range?: { min: number; max: number }): number {
  const x = Number(value);
  if (!Number.isFinite(x) || (range && (x < range.min || x > range.max))) {
    const limits = range ? ` between ${range.min} and ${range.max}` : '';
    throw new TwinFlowError('badConfig', `${what} must be a number${limits}`, { what });
  }
  return x;
}

/** Checks saved settings (any version: they are migrated first) and returns the configuration or every error. */
export function parse(
  settings: Partial<TwinSimSettings> & Record<string, unknown>,
): { config: TwinSimConfig } | { errors: string[] } {
  const s = migrateConfig<TwinSimSettings>(settings, MIGRATIONS);
  const errors: string[] = [];
  const check = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  };
  const model = check(() => modelOf(s.model, s.ode));
  const mode = check(() => {
    if (!(CLOCK_MODES as readonly string[]).includes(s.mode))
      throw new TwinFlowError('badConfig', `unknown clock mode ${s.mode}`, { what: 'mode' });
    return s.mode;
  });
  const step = check(() => number(s.step, 'the step'));
  // Only the real-time clock and shadow mode use the speed; a missing or zero one has always meant real time (1).
  const speed = Math.min(Math.max(Number(s.speed) || 1, LIMITS.speed.min), LIMITS.speed.max);
  const seed = check(() => number(s.seed, 'the seed'));
  const params = check(() => parseObject(s.params, 'the parameters'));
  const inputs = check(() => parseObject(s.initialInputs, 'the initial inputs'));
  const budgetMs = check(() => number(s.budget, 'the budget', LIMITS.budget));
  const maxSteps = check(() => Math.floor(number(s.maxSteps, 'the step limit', LIMITS.maxSteps)));
  if (errors.length > 0) return { errors };
  return {
    config: {
      name: String(s.name ?? ''),
      model: model as SimModel,
      mode: mode as ClockMode,
      step: step as number,
      speed,
      seed: seed as number,
      params: params as Record<string, unknown>,
      inputs: inputs as Record<string, unknown>,
      twin: String(s.twin || s.name || s.model),
      autostart: s.autostart === true,
      events: s.events === true,
      budgetMs: budgetMs as number,
      maxSteps: maxSteps as number,
    },
  };
}
