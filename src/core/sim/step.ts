import { TwinFlowError } from '../errors';
import type { Budget } from './budget';
import { doStep, doStepThroughEvents, type Simulation, type StepResult } from './kernel';
import type { SimModel } from './model';

export interface StepLimits {
  /** The most communication steps (of the simulation's own h) one message may cover. */
  maxSteps: number;
  budget: Budget;
}

/**
 * Refuses a step longer than `maxSteps` communication steps before any work is done: a msg.dt of 1e17 s would
 * otherwise keep a model's inner loop busy for ever (and t + dt would lose all precision).
 */
export function checkStepLength(sim: Simulation, seconds: number, maxSteps: number, what = 'dt'): void {
  if (seconds > maxSteps * sim.h) {
    throw new TwinFlowError(
      'tooLong',
      `${what} = ${seconds} s is more than ${maxSteps} steps of ${sim.h} s`,
      { what, seconds, limit: maxSteps * sim.h },
    );
  }
}

/**
 * One step of a message or a timer tick: the fixed step, or `dt` seconds; with `events`, one result per discrete
 * event inside the step and one at its end. Bounded in length (checkStepLength) and in wall time (the budget).
 */
export function stepWithin(
  model: SimModel,
  sim: Simulation,
  dt: number | undefined,
  events: boolean,
  limits: StepLimits,
): StepResult[] {
  if (dt !== undefined) checkStepLength(sim, dt, limits.maxSteps);
  return events
    ? doStepThroughEvents(model, sim, dt, limits.budget)
    : [doStep(model, sim, dt, { budget: limits.budget })];
}
