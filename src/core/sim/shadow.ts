import { isPlainObject, isSample, isUsable } from '../envelope';
import { TwinFlowError } from '../errors';
import { currentOutputs, withInputs, type Simulation, type StepResult } from './kernel';
import { variablesOf, type SimModel, type Values } from './model';
import { checkStepLength, stepWithin, type StepLimits } from './step';

/**
 * Shadow mode: the model follows a real machine. Each measurement message advances it to the measurement's time with
 * the measured inputs, and the measured outputs are compared with the predicted ones (residuals).
 */
export interface ShadowResult {
  simulation: Simulation;
  /** The measurement time the simulation now stands at (epoch ms). */
  lastTime: number;
  /** The last result (outputs and every event on the way). */
  result: StepResult;
  /** measured - predicted for every measured output that is not an input; empty when nothing compares. */
  residuals: Record<string, { value: number; sourceTimestamp: number }>;
}

/** Measured values from a plain object or a twin-state payload of samples, with the latest source timestamp. */
export function measurements(payload: unknown): { values: Values; timestamp?: number } {
  if (!isPlainObject(payload))
    throw new TwinFlowError('badMeasurement', 'msg.payload must be an object of measured values', {});
  const values: Values = {};
  let timestamp: number | undefined;
  for (const [name, entry] of Object.entries(payload)) {
    const sample = isSample(entry) ? entry : undefined;
    const value = sample ? sample.value : entry;
    if (sample && !isUsable(sample)) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    values[name] = value;
    if (typeof sample?.sourceTimestamp === 'number')
      timestamp = Math.max(timestamp ?? -Infinity, sample.sourceTimestamp);
  }
  return { values, timestamp };
}

/**
 * Advances the shadow model to the measurement's time (epoch ms: msg.timestamp, else the latest source timestamp in
 * the payload, else `now`); the first measurement only anchors it. Catch-up is capped at the step limit: a timestamp
 * years ahead is an error before any work, and the simulation is left as it was.
 */
export function shadowStep(
  model: SimModel,
  sim: Simulation,
  lastTime: number | undefined,
  message: { payload?: unknown; timestamp?: unknown },
  now: number,
  events: boolean,
  limits: StepLimits,
  speed = 1,
): ShadowResult {
  const { values, timestamp } = measurements(message.payload);
  const t = typeof message.timestamp === 'number' ? message.timestamp : (timestamp ?? now);
  if (!Number.isFinite(t))
    throw new TwinFlowError('notFinite', 'the measurement time must be a finite number', {
      property: 'timestamp',
      got: String(t),
    });
  const from = lastTime ?? t;
  // A plant that runs `speed` times faster than the wall clock (a demo at --speed 10) moves speed seconds a second.
  const dt = ((t - from) / 1000) * speed;
  if (dt > 0) checkStepLength(sim, dt, limits.maxSteps, 'the catch-up to the measurement time');
  const inputs = Object.fromEntries(
    variablesOf(model, 'input')
      .filter((v) => v.name in values)
      .map((v) => [v.name, values[v.name]]),
  );
  const base = withInputs(model, sim, inputs);
  const stepped = dt > 0 ? stepWithin(model, base, dt, events, limits) : [];
  const result: StepResult =
    stepped.length > 0
      ? { ...stepped[stepped.length - 1], events: stepped.flatMap((r) => r.events) }
      : { simulation: base, outputs: currentOutputs(model, base), events: [] };
  const residuals: ShadowResult['residuals'] = {};
  for (const [name, predicted] of Object.entries(result.outputs)) {
    if (name in values && !(name in inputs))
      residuals[name] = { value: values[name] - predicted, sourceTimestamp: t };
  }
  return { simulation: result.simulation, lastTime: Math.max(from, t), result, residuals };
}
