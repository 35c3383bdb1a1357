import { isPlainObject } from '../envelope';
import { TwinFlowError } from '../errors';
import type { TwinSimConfig } from '../nodes/twin-sim';
import type { Budget } from './budget';
import { createSimulation, withInputs, type Simulation, type StepResult } from './kernel';
import { withFaults, withSettings } from './commands';
import { outputEnvelope } from './output';
import { paceFrom, stepsDue, wallTimeOf, type Pace } from './pace';
import { shadowStep } from './shadow';
import { checkSnapshot } from './snapshot';
import { stepWithin } from './step';

/**
 * What a twin-sim node holds between messages, as plain data: the simulation, how its time maps to the wall clock,
 * the steps the real-time clock has done since its anchor, and the last measurement time in shadow mode.
 */
export interface SimSession {
  sim: Simulation;
  pace: Pace;
  stepsDone: number;
  lastShadowTime?: number;
}

/** One output message's own fields (the adapter adds _msgid and keeps the rest of an input message). */
export interface SimOutput {
  topic: string;
  payload: Record<string, unknown>;
  sim: { time: number; step: number; model: string; events: StepResult['events']; timestamp: number };
}

export function newSession(config: TwinSimConfig, now: number): SimSession {
  const { model, step, seed, params, inputs } = config;
  return {
    sim: createSimulation(model, { step, seed, params, inputs }),
    pace: paceFrom(now, 0),
    stepsDone: 0,
  };
}

/**
 * The session with another simulation (and optionally its clock), built field by field: it is rebuilt for every
 * message, where object spreads of it cost as much as the step.
 */
function withSim(
  session: SimSession,
  sim: Simulation,
  pace = session.pace,
  stepsDone = session.stepsDone,
): SimSession {
  const next: SimSession = { sim, pace, stepsDone };
  if ('lastShadowTime' in session) next.lastShadowTime = session.lastShadowTime;
  return next;
}

/** The session with its clock anchored at `now`: the current simulation time is now, at `speed`. */
export function anchored(session: SimSession, now: number, speed: number): SimSession {
  return withSim(session, session.sim, paceFrom(now, session.sim.time, speed), 0);
}

export function outputOf(config: TwinSimConfig, pace: Pace, result: StepResult): SimOutput {
  const { time, n: step, model } = result.simulation;
  const timestamp = wallTimeOf(pace, time);
  return {
    topic: config.twin,
    payload: outputEnvelope(config.model, result.outputs, timestamp),
    sim: { time, step, model, events: result.events, timestamp },
  };
}

export interface MessageResult {
  session: SimSession;
  outputs: SimOutput[];
  residuals: SimOutput | null;
}

/**
 * A message without a command. Shadow mode follows the measurements' time and compares; the other modes step once
 * (inputs in msg.payload, an optional msg.dt in seconds). Bounded by the step limit and the budget; on an error the
 * session is unchanged. While the real-time clock runs (`running`), a message's step ends now, so timestamps never
 * run ahead of the wall clock.
 */
export function onMessage(
  config: TwinSimConfig,
  session: SimSession,
  msg: { payload?: unknown; dt?: unknown; timestamp?: unknown },
  now: number,
  budget: Budget,
  running: boolean,
): MessageResult {
  const limits = { maxSteps: config.maxSteps, budget };
  if (config.mode === 'shadow') {
    const { model, events, speed } = config;
    const r = shadowStep(model, session.sim, session.lastShadowTime, msg, now, events, limits, speed);
    const pace =
      session.lastShadowTime === undefined ? paceFrom(r.lastTime, r.simulation.time, speed) : session.pace;
    const output = outputOf(config, pace, r.result);
    const residuals = Object.keys(r.residuals).length > 0 ? { ...output, payload: r.residuals } : null;
    return {
      session: { ...session, sim: r.simulation, pace, lastShadowTime: r.lastTime },
      outputs: [output],
      residuals,
    };
  }
  const inputs = isPlainObject(msg.payload);
  if (msg.payload !== undefined && msg.payload !== null && !inputs)
    throw new TwinFlowError('badMeasurement', 'msg.payload must be an object of input values', {});
  const base = inputs
    ? withInputs(config.model, session.sim, msg.payload as Record<string, unknown>)
    : session.sim;
  const results = stepWithin(
    config.model,
    base,
    msg.dt === undefined ? undefined : Number(msg.dt),
    config.events,
    limits,
  );
  const sim = results[results.length - 1].simulation;
  const next =
    running || config.mode === 'realtime'
      ? withSim(session, sim, paceFrom(now, sim.time, config.speed), 0)
      : withSim(session, sim);
  return { session: next, outputs: results.map((r) => outputOf(config, next.pace, r)), residuals: null };
}

/**
 * A tick of the real-time clock: every step due by the wall clock since the anchor, within the budget (the rest
 * waits for the next tick). Event outputs are all sent, otherwise only the tick's last state. Far behind (a slow
 * model, a busy host), the clock starts again from now rather than race to catch up.
 */
export function onTick(
  config: TwinSimConfig,
  session: SimSession,
  now: number,
  budget: Budget,
): { session: SimSession; outputs: SimOutput[] } {
  const due = stepsDue(session.pace, session.sim.h, now) - session.stepsDone;
  const limits = { maxSteps: config.maxSteps, budget };
  const outputs: SimOutput[] = [];
  let { sim, stepsDone } = session;
  for (let i = 0; i < due; i++) {
    const results = stepWithin(config.model, sim, undefined, config.events, limits);
    sim = results[results.length - 1].simulation;
    stepsDone++;
    for (let k = 0; k < results.length - 1; k++) outputs.push(outputOf(config, session.pace, results[k]));
    const over = budget.expired();
    if (i === due - 1 || over) outputs.push(outputOf(config, session.pace, results[results.length - 1]));
    if (over) break;
  }
  const next = withSim(session, sim, session.pace, stepsDone);
  return {
    session: now - wallTimeOf(next.pace, sim.time) > 1000 ? anchored(next, now, config.speed) : next,
    outputs,
  };
}

/** Commands the node handles itself (timers, replies, sliced runs); applyCommand does the rest. */
export const SIM_COMMANDS = [
  'start',
  'pause',
  'reset',
  'snapshot',
  'restore',
  'set',
  'fault',
  'fork',
  'run',
  'cancel',
] as const;

/**
 * The commands that change the session at once: reset, restore (checked: see checkSnapshot), set and fault. While
 * the real-time clock runs (`running`), a replaced simulation continues from now.
 */
export function applyCommand(
  config: TwinSimConfig,
  session: SimSession,
  command: string,
  payload: unknown,
  now: number,
  budget: Budget,
  running: boolean,
): SimSession {
  const replaced = (sim: Simulation): SimSession =>
    running ? anchored({ ...session, sim }, now, config.speed) : { ...session, sim };
  switch (command) {
    case 'reset': {
      const fresh = newSession(config, now);
      return running ? anchored(fresh, now, config.speed) : fresh;
    }
    case 'restore':
      return replaced(checkSnapshot(config.model, session.sim, payload, budget));
    case 'set':
      return { ...session, sim: withSettings(config.model, session.sim, payload) };
    case 'fault':
      return { ...session, sim: withFaults(config.model, session.sim, payload) };
    default:
      throw new TwinFlowError('badCommand', `msg.command must be one of ${SIM_COMMANDS.join(', ')}`, {
        command,
      });
  }
}

/** The session after a batch run ends at `sim`. */
export function afterRun(
  config: TwinSimConfig,
  session: SimSession,
  sim: Simulation,
  now: number,
  running: boolean,
) {
  return running ? anchored({ ...session, sim }, now, config.speed) : { ...session, sim };
}

/** What the node keeps in its context: the simulation and the wall time of its time 0 (message and shadow modes). */
export interface SavedSession {
  simulation: Simulation;
  epoch: number;
}

export function toSaved(session: SimSession): SavedSession {
  return { simulation: session.sim, epoch: wallTimeOf(session.pace, 0) };
}

/**
 * The session continued from what the context held (a restart, a redeploy with a persistent store): only a
 * simulation of the same model and step, checked like a snapshot (a store can be edited by hand); else unchanged.
 */
export function resumed(
  config: TwinSimConfig,
  session: SimSession,
  saved: unknown,
  budget: Budget,
): SimSession {
  const s = saved as Partial<SavedSession> | undefined;
  if (!s?.simulation || s.simulation.model !== session.sim.model || s.simulation.h !== session.sim.h)
    return session;
  const sim = checkSnapshot(config.model, session.sim, s.simulation, budget);
  return {
    ...session,
    sim,
    pace: paceFrom(Number.isFinite(s.epoch) ? (s.epoch as number) : session.pace.wall0, 0),
  };
}
