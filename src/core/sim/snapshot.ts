import { isPlainObject } from '../envelope';
import { TwinFlowError } from '../errors';
import { toPlainObject } from '../plain-data';
import type { Budget } from './budget';
import { checkFault, type Fault } from './faults';
import { checkValues, currentOutputs, doStep, type Simulation } from './kernel';
import { startValues, type SimModel } from './model';

/** Shortest communication step a snapshot may carry: below it, one second of simulation is a million steps. */
export const MIN_STEP = 1e-6;
/** Largest simulation time a snapshot may carry (about 31,700 years): beyond it t + h loses the step. */
export const MAX_TIME = 1e12;
function refuse(reason: string): TwinFlowError {
  return new TwinFlowError('badSnapshot', `the snapshot cannot be restored: ${reason}`, { reason });
}

const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Checks a snapshot (from the `snapshot` command) before it replaces the simulation: the same model, a step and a
 * time within limits, known parameters and inputs within range, a generator state, valid faults, and a model state
 * the model can compute finite outputs from and step once within the budget. Returns the checked copy.
 */
export function checkSnapshot(
  model: SimModel,
  current: Simulation,
  payload: unknown,
  budget: Budget,
): Simulation {
  if (!isPlainObject(payload) || payload.model !== current.model || typeof payload.time !== 'number') {
    throw new TwinFlowError(
      'badCommand',
      `restore needs a snapshot of a ${current.model} simulation in msg.payload`,
      { command: 'restore' },
    );
  }
  // A copy made of plain data only (cycles, BigInt, NaN, functions, oversize values refused; see plain-data.ts).
  const s: Record<string, unknown> = toPlainObject(payload, 'msg.payload');
  const { h, n, t0, time, seed } = s;
  if (!isFiniteNumber(h) || h < MIN_STEP) throw refuse(`the step h must be at least ${MIN_STEP} s`);
  if (!isFiniteNumber(t0) || !isFiniteNumber(time) || Math.abs(time) > MAX_TIME || Math.abs(t0) > MAX_TIME)
    throw refuse(`t0 and time must be numbers within ±${MAX_TIME} s`);
  if (
    !Number.isSafeInteger(n) ||
    (n as number) < 0 ||
    Math.abs(t0 + (n as number) * h - time) > 1e-6 * (1 + Math.abs(time))
  )
    throw refuse('time must equal t0 + n h for a whole n >= 0');
  if (!Number.isSafeInteger(seed)) throw refuse('the seed must be an integer');
  const rng = s.rng as Record<string, unknown> | undefined;
  if (!isPlainObject(rng) || !Number.isInteger(rng.s) || !(rng.spare === null || isFiniteNumber(rng.spare)))
    throw refuse('the generator state is not valid');
  if (!isPlainObject(s.params) || !isPlainObject(s.inputs)) throw refuse('params and inputs must be objects');
  const params = { ...startValues(model, 'parameter'), ...checkValues(model, 'parameter', s.params) };
  const inputs = { ...startValues(model, 'input'), ...checkValues(model, 'input', s.inputs) };
  if (!Array.isArray(s.faults)) throw refuse('faults must be a list');
  const candidate: Simulation = {
    model: current.model,
    seed: seed as number,
    t0,
    n: n as number,
    h,
    time,
    params,
    inputs,
    state: s.state,
    rng: { s: rng.s as number, spare: rng.spare as number | null },
    faults: [],
  };
  const outputs = Object.keys(safely(() => currentOutputs(model, candidate)));
  candidate.faults = s.faults.map((f) => {
    const fault: Fault = checkFault(f, outputs, Object.keys(params), time);
    const held = (f as { held?: unknown }).held;
    return isFiniteNumber(held) ? { ...fault, held } : fault;
  });
  const check = safely(() => currentOutputs(model, candidate));
  for (const name in check) if (!Number.isFinite(check[name])) throw refuse(`output ${name} is not finite`);
  // One trial step (discarded): a state of the wrong shape fails here, not later on a timer.
  safely(() => doStep(model, candidate, undefined, { budget }));
  return candidate;
}

/** Runs a model function on a state that came from outside; any failure is the snapshot's fault. */
function safely<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TwinFlowError && err.key === 'overBudget') throw err;
    throw refuse(`the model cannot use its state (${err instanceof Error ? err.message : String(err)})`);
  }
}
