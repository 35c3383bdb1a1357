import { isPlainObject } from '../envelope';
import { TwinFlowError } from '../errors';
import type { Budget } from './budget';
import {
  cloneSimulation,
  currentOutputs,
  doStep,
  withInputs,
  withParameters,
  type Simulation,
} from './kernel';
import type { SimModel, Values } from './model';

/**
 * A batch run or a what-if fork: `steps` communication steps from a copy of the simulation, as fast as possible,
 * keeping every `sampleEvery`-th output as the trajectory. It advances in slices (`continueBatch`), each bounded by
 * a wall-time budget, so the caller can yield to the event loop between them, show progress and cancel.
 */
export interface Batch {
  readonly steps: number;
  readonly sampleEvery: number;
  done: number;
  current: Simulation;
  readonly trajectory: { time: number; outputs: Values }[];
}

/** Most trajectory points one run or fork returns. */
export const MAX_TRAJECTORY = 10_000;

export interface BatchResult {
  time: number;
  trajectory: { time: number; outputs: Values }[];
  outputs: Values;
}

/**
 * Checks a run or fork command (`payload`: seconds, or {seconds, every, params, inputs}) and plans it from a copy of
 * `sim`; nothing is stepped yet. At most `maxSteps` steps.
 */
export function planBatch(
  model: SimModel,
  sim: Simulation,
  payload: unknown,
  maxSteps: number,
  command: string,
): Batch {
  const spec = isPlainObject(payload) ? payload : { seconds: payload };
  let copy = cloneSimulation(sim);
  if (isPlainObject(spec.params)) copy = withParameters(model, copy, spec.params);
  if (isPlainObject(spec.inputs)) copy = withInputs(model, copy, spec.inputs);
  const duration = Number(spec.seconds);
  const steps = Math.ceil(duration / copy.h - 1e-9);
  if (!Number.isFinite(duration) || duration <= 0 || steps > maxSteps) {
    throw new TwinFlowError('badCommand', `seconds must be positive and at most ${maxSteps} steps`, {
      command,
    });
  }
  // At most MAX_TRAJECTORY points: a point per step of a million-step fork would be hundreds of MB in one message.
  const sampleEvery = Math.max(
    1,
    Math.round(Number(spec.every) || steps / 100),
    Math.ceil(steps / MAX_TRAJECTORY),
  );
  return { steps, sampleEvery, done: 0, current: copy, trajectory: [] };
}

/**
 * Steps the batch until it is finished or `slice` has expired (checked between steps; a single step is bounded by
 * `stepBudget`). Returns true when finished. Updates the batch in place: it is the caller's private working copy.
 */
export function continueBatch(model: SimModel, batch: Batch, slice: Budget, stepBudget: Budget): boolean {
  const options = { budget: stepBudget };
  let current = batch.current;
  let i = batch.done;
  const first = i;
  // Reading the clock costs about a tenth of a cheap model's step: it is read after the first step, then again when
  // a quarter of the time left should have passed at the pace measured so far, and at least every 256 steps (a host
  // that slows down mid-slice must not stretch it).
  let nextCheck = i + 1;
  try {
    while (i < batch.steps) {
      const r = doStep(model, current, undefined, options);
      current = r.simulation;
      i++;
      if (i % batch.sampleEvery === 0 || i === batch.steps)
        batch.trajectory.push({ time: current.time, outputs: r.outputs });
      if (i >= nextCheck) {
        const left = slice.left();
        if (left <= 0) break;
        const perMs = (i - first) / Math.max(slice.ms - left, 0.01);
        nextCheck = i + Math.min(256, Math.max(1, Math.floor((perMs * left) / 4)));
      }
    }
  } finally {
    batch.current = current;
    batch.done = i;
  }
  return i === batch.steps;
}

/** Progress in whole percent (for the status), 0 .. 100. */
export function batchProgress(batch: Batch): number {
  return Math.floor((100 * batch.done) / batch.steps);
}

export function batchResult(model: SimModel, batch: Batch): BatchResult {
  return {
    time: batch.current.time,
    trajectory: batch.trajectory,
    outputs: currentOutputs(model, batch.current),
  };
}
