/** The twin-sim node's saved configuration and its migrations. */
import type { NodeDef } from 'node-red';
import type { Migration } from '../../core/nodes/migrate';

export const CLOCK_MODES = ['message', 'realtime', 'shadow'] as const;
export type ClockMode = (typeof CLOCK_MODES)[number];

export interface TwinSimConfig extends NodeDef {
  version: number;
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
  /** Real-time mode: simulation seconds per wall-clock second. */
  speed: string | number;
  seed: string | number;
  /** msg.topic of the outputs (the twin id). */
  twin: string;
  /** Real-time mode: start stepping on deploy. */
  autostart: boolean;
  /** Stop at discrete events inside a step and send an output at each event's exact time (early return). */
  events: boolean;
}

export const TWIN_SIM_MIGRATIONS: readonly Migration<TwinSimConfig>[] = [
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
      ...c,
    }),
  },
  // Version 2 added stopping at events; flows saved before keep stepping straight through.
  { to: 2, up: (c) => ({ ...c, events: false }) },
];
