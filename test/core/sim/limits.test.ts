import assert from 'node:assert/strict';
import { TwinFlowError } from '../../../src/core/errors';
import { parse, type TwinSimConfig } from '../../../src/core/nodes/twin-sim';
import { batchProgress, batchResult, continueBatch, planBatch } from '../../../src/core/sim/batch';
import { budget, unlimited } from '../../../src/core/sim/budget';
import { cloneSimulation, createSimulation, doStep } from '../../../src/core/sim/kernel';
import { motorThermal, odeModel, pid, pump } from '../../../src/core/sim/models';
import { applyCommand, newSession, onMessage, onTick, resumed, toSaved } from '../../../src/core/sim/session';

/** A clock that moves `msPerRead` every time it is read: work "takes time" without a test ever waiting. */
function readingClock(start = Date.UTC(2026, 0, 1), msPerRead = 1): () => number {
  let t = start;
  return () => (t += msPerRead);
}

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TwinFlowError, String(e));
    return e.code;
  }
  return 'none';
};

function configOf(settings: Record<string, unknown>): TwinSimConfig {
  const parsed = parse({ version: 3, ...settings });
  assert.ok('config' in parsed, JSON.stringify(parsed));
  return parsed.config;
}

/** 50 coupled states with time constants from 1e-7 s: stiff, far beyond what an explicit solver steps at h = 1 s. */
const stiffModel = JSON.stringify({
  states: Object.fromEntries(
    Array.from({ length: 50 }, (_, i) => [
      `x${i}`,
      { start: 1, derivative: `-1e7 * (x${i} - ${i === 0 ? 'u' : `x${i - 1}`})` },
    ]),
  ),
  inputs: { u: 0 },
});

describe('twin-sim limits: every message bounded in steps and wall time', () => {
  it('refuses a dt longer than the step limit before any work (pid, dt = 1e17)', () => {
    const c = configOf({ model: 'pid', step: 0.05 });
    const session = newSession(c, 0);
    assert.equal(
      code(() => onMessage(c, session, { dt: 1e17 }, 0, unlimited, false)),
      'TWINFLOW_TOO_LONG',
    );
    // Within the limit but slower than the budget: an error after about the budget, not a freeze.
    const slow = configOf({ model: 'pid', step: 1, params: '{"sampleTime": 1e-9}' });
    const clock = readingClock();
    const error = code(() => onMessage(slow, newSession(slow, 0), { dt: 1 }, 0, budget(clock, 50), false));
    assert.equal(error, 'TWINFLOW_OVER_BUDGET');
  });

  it('caps shadow catch-up: a measurement 10 years ahead is an error and changes nothing', () => {
    const c = configOf({ model: 'motor-thermal', mode: 'shadow' });
    const t0 = Date.UTC(2026, 0, 1);
    const first = onMessage(
      c,
      newSession(c, t0),
      { timestamp: t0, payload: { current: 50 } },
      t0,
      unlimited,
      false,
    );
    const tenYears = t0 + 10 * 365.25 * 86400_000;
    const msg = { timestamp: tenYears, payload: { current: 50 } };
    assert.equal(
      code(() => onMessage(c, first.session, msg, t0, unlimited, false)),
      'TWINFLOW_TOO_LONG',
    );
    const hour = onMessage(c, first.session, { timestamp: t0 + 3600_000, payload: {} }, t0, unlimited, false);
    assert.equal(hour.session.sim.time, 3600, 'an hour is caught up in one step');
  });

  it('restore checks the step, the time and the state (h = 1e-12 refused)', () => {
    const c = configOf({ model: 'pump' });
    const s = newSession(c, 0);
    const snap = cloneSimulation(doStep(pump, s.sim).simulation);
    const restore = (payload: unknown) => () => applyCommand(c, s, 'restore', payload, 0, unlimited, false);
    assert.equal(restore(snap)().sim.time, 1, 'a snapshot of its own restores');
    assert.equal(code(restore({ ...snap, h: 1e-12 })), 'TWINFLOW_BAD_SNAPSHOT');
    assert.equal(code(restore({ ...snap, h: -1 })), 'TWINFLOW_BAD_SNAPSHOT');
    assert.equal(code(restore({ ...snap, time: 1e300, t0: 1e300 })), 'TWINFLOW_BAD_SNAPSHOT');
    assert.equal(code(restore({ ...snap, n: 1.5 })), 'TWINFLOW_BAD_SNAPSHOT');
    assert.equal(code(restore({ ...snap, state: 'broken' })), 'TWINFLOW_BAD_SNAPSHOT');
    const nan = { ...snap, state: { ...(snap.state as object), motorTemperature: NaN } };
    assert.equal(code(restore(nan)), 'TWINFLOW_NOT_FINITE');
    const missing = { ...snap, state: { fluidTemperature: 20, noise: 0 } };
    assert.equal(code(restore(missing)), 'TWINFLOW_BAD_SNAPSHOT', 'a state the model cannot use');
    assert.equal(code(restore({ ...snap, rng: { s: 'x' } })), 'TWINFLOW_BAD_SNAPSHOT');
    assert.equal(code(restore({ ...snap, params: { colour: 1 } })), 'TWINFLOW_UNKNOWN_PARAMETER');
    assert.equal(code(restore({ ...snap, faults: [{ kind: 'gremlin' }] })), 'TWINFLOW_BAD_FAULT');
    const cyclic: Record<string, unknown> = { ...snap };
    cyclic.state = { self: cyclic };
    assert.equal(code(restore(cyclic)), 'TWINFLOW_INVALID_VALUE');
  });

  it('resumes from a saved session only when it checks out like a snapshot', () => {
    const c = configOf({ model: 'pump' });
    const s = newSession(c, 0);
    const saved = toSaved({ ...s, sim: doStep(pump, s.sim).simulation });
    assert.equal(resumed(c, s, saved, unlimited).sim.time, 1);
    assert.equal(resumed(c, s, undefined, unlimited), s, 'nothing saved');
    assert.equal(
      resumed(c, s, { ...saved, simulation: { ...saved.simulation, h: 2 } }, unlimited),
      s,
      'another step',
    );
    const poisoned = { ...saved, simulation: { ...saved.simulation, state: 'x' } };
    assert.equal(
      code(() => resumed(c, s, poisoned, unlimited)),
      'TWINFLOW_BAD_SNAPSHOT',
    );
  });

  it('a model that needs micro-steps below the floor fails with "model too stiff for step h"', () => {
    const model = odeModel(JSON.parse(stiffModel));
    const sim = createSimulation(model, { step: 1 });
    assert.throws(
      () => doStep(model, sim, undefined, { budget: budget(readingClock(0, 0.001), 50) }),
      (e: TwinFlowError) =>
        e.code === 'TWINFLOW_TOO_STIFF' && /model too stiff for step h = 1 s/.test(e.message),
    );
  });

  it('a batch runs in slices of the budget, and the slices add up to the unsliced run', () => {
    const sim = createSimulation(motorThermal, { step: 1 });
    const whole = planBatch(motorThermal, sim, { seconds: 5000, every: 100 }, 1_000_000, 'run');
    assert.equal(continueBatch(motorThermal, whole, unlimited, unlimited), true);
    const sliced = planBatch(motorThermal, sim, { seconds: 5000, every: 100 }, 1_000_000, 'run');
    const clock = readingClock(0, 10); // every read of the clock "takes" 10 ms: a slice is a few reads
    const progress: number[] = [];
    while (!continueBatch(motorThermal, sliced, budget(clock, 50), budget(clock, 100)))
      progress.push(batchProgress(sliced));
    assert.ok(progress.length > 10, `${progress.length} slices`);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      'progress only grows',
    );
    assert.deepEqual(batchResult(motorThermal, sliced), batchResult(motorThermal, whole));
    const fine = planBatch(motorThermal, sim, { seconds: 1_000_000, every: 1 }, 1_000_000, 'fork');
    assert.equal(fine.sampleEvery, 100, 'at most 10,000 trajectory points');
    assert.equal(
      code(() => planBatch(motorThermal, sim, 2_000_000, 1_000_000, 'run')),
      'TWINFLOW_BAD_COMMAND',
      'more steps than the limit',
    );
  });
});

describe('twin-sim real-time clock: paced by the wall clock', () => {
  /** Ticks as Node's setInterval delivers them: each one late by `lateMs`, and the lateness accumulates. */
  function runClock(speed: number, hours: number, lateMs: number) {
    const c = configOf({ model: 'motor-thermal', mode: 'realtime', speed, step: 1 });
    const t0 = Date.UTC(2026, 0, 1);
    let session = newSession(c, t0);
    session = { ...session, pace: { wall0: t0, sim0: 0, speed } };
    let now = t0;
    let future = 0;
    const period = 1000 / speed;
    while (now < t0 + hours * 3600_000) {
      now += period + lateMs;
      const r = onTick(c, session, now, unlimited);
      session = r.session;
      for (const o of r.outputs) if (o.sim.timestamp > now) future++;
    }
    const drift = (now - t0) / 1000 - session.sim.time / speed; // wall seconds the simulation lags
    return { drift, future };
  }

  it('drifts less than 1 s per hour at speed 1 although every tick is 1 ms late', () => {
    const { drift, future } = runClock(1, 1, 1);
    assert.ok(drift >= 0 && drift < 1, `drift ${drift} s`);
    assert.equal(future, 0);
  });

  it('never stamps an output ahead of the wall clock at speed 10', () => {
    const { drift, future } = runClock(10, 1, 1);
    assert.equal(future, 0, 'outputs stamped in the future');
    assert.ok(drift >= 0 && drift < 1, `drift ${drift} s`);
  });

  it('a step taken by a message on the running clock ends now', () => {
    const c = configOf({ model: 'pump', mode: 'realtime', speed: 10 });
    const r = onMessage(c, newSession(c, 0), { dt: 100 }, 5000, unlimited, true);
    assert.equal(r.outputs[0].sim.timestamp, 5000);
  });
});

describe('twin-sim spec', () => {
  it('migrates each version: 0 -> every default, 1 -> events off, 2 -> the budget and step limit', () => {
    const v0 = parse({});
    assert.ok('config' in v0);
    assert.equal(v0.config.model, pump);
    assert.equal(v0.config.budgetMs, 50);
    const v1 = parse({ version: 1, model: 'pid', events: true, step: '0.5' });
    assert.ok('config' in v1);
    assert.equal(v1.config.events, false, 'version 2 added events, off for older flows');
    assert.equal(v1.config.model, pid);
    const v2 = parse({ version: 2, model: 'pump', events: true });
    assert.ok('config' in v2);
    assert.equal(v2.config.events, true);
    assert.equal(v2.config.maxSteps, 1_000_000);
    const v3 = parse({ version: 3, budget: '200', maxSteps: '5000' });
    assert.ok('config' in v3);
    assert.deepEqual([v3.config.budgetMs, v3.config.maxSteps], [200, 5000]);
  });

  it('returns every error of a bad configuration', () => {
    const bad = parse({ version: 3, model: 'warp', mode: 'turbo' as 'message', budget: '0', params: '[1' });
    assert.ok('errors' in bad);
    assert.equal(bad.errors.length, 4, bad.errors.join('; ')); // model, mode, parameters, budget
  });
});
