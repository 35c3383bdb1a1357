import assert from 'node:assert/strict';
import { TwinFlowError } from '../../../src/core/errors';
import { evaluate, parseExpression } from '../../../src/core/sim/expression';
import {
  backwardEulerLinear,
  exponentialStep,
  integrateDopri,
  integrateRk4,
  rk4Step,
} from '../../../src/core/sim/integrators';
import {
  cloneSimulation,
  createSimulation,
  doStep,
  doStepThroughEvents,
  withFault,
  withInputs,
  withParameters,
  type Simulation,
} from '../../../src/core/sim/kernel';
import type { SimModel } from '../../../src/core/sim/model';
import { bearing, machine, motorThermal, odeModel, pid, pump, tank } from '../../../src/core/sim/models';
import { pumpOperatingPoint } from '../../../src/core/sim/models/pump';
import { normal, rng } from '../../../src/core/sim/rng';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TwinFlowError, String(e));
    return e.code;
  }
  return 'none';
};

function runFor(
  model: SimModel,
  sim: Simulation,
  seconds: number,
  dt?: number,
): { sim: Simulation; outputs: Record<string, number> } {
  let current = sim;
  let outputs: Record<string, number> = {};
  const step = dt ?? sim.h;
  for (let t = 0; t < seconds - 1e-9; t += step) {
    const r = doStep(model, current, dt);
    current = r.simulation;
    outputs = r.outputs;
  }
  return { sim: current, outputs };
}

describe('simulation core', () => {
  describe('integrators against analytic solutions', () => {
    const decay = (_t: number, y: readonly number[]) => [-y[0]];

    it('RK45 (Dormand-Prince) solves dy/dt = -y within 1e-8 relative at rtol 1e-10', () => {
      const { y } = integrateDopri(decay, 0, [1], 5, { rtol: 1e-10, atol: 1e-14 });
      assert.ok(Math.abs(y[0] - Math.exp(-5)) / Math.exp(-5) < 1e-8, `${y[0]}`);
    });

    it('RK4 converges at order 4', () => {
      const err = (h: number) => Math.abs(integrateRk4(decay, 0, [1], 2, h)[0] - Math.exp(-2));
      const order = Math.log2(err(0.1) / err(0.05));
      assert.ok(order > 3.8 && order < 4.2, `observed order ${order}`);
      assert.deepEqual(
        rk4Step(() => [1], 0, [0], 0.5),
        [0.5],
      );
    });

    it('the exponential update is exact for any step; backward Euler stays stable on a stiff system', () => {
      assert.ok(Math.abs(exponentialStep(0, 1, 10, 10) - (1 - Math.exp(-1))) < 1e-15);
      // dy/dt = -1000 y: explicit Euler at h = 0.01 would explode; implicit decays monotonically.
      let y = [1];
      for (let i = 0; i < 10; i++) y = backwardEulerLinear([[-1000]], [0], y, 0.01);
      assert.ok(y[0] > 0 && y[0] < 1e-9);
      const sol = backwardEulerLinear(
        [
          [-2, 1],
          [1, -2],
        ],
        [1, 1],
        [0, 0],
        1e6,
      );
      assert.ok(
        Math.abs(sol[0] - 1) < 1e-5 && Math.abs(sol[1] - 1) < 1e-5,
        'a huge step lands on the steady state',
      );
    });
  });

  describe('model library against references', () => {
    it('motor thermal: T_ss = 155.2 °C and T(1 h) = 139.609375 °C at 120 % load (τ = 30 min)', () => {
      const sim = createSimulation(motorThermal, {
        step: 1,
        inputs: { current: 120, ambient: 40 },
        params: { tau: 1800, ratedCurrent: 100, ratedRise: 80 },
      });
      const { outputs } = runFor(motorThermal, sim, 3600, 60);
      assert.ok(Math.abs(outputs.temperature - 139.609375) < 1e-6, `${outputs.temperature}`);
      const far = runFor(motorThermal, sim, 36000, 3600).outputs;
      assert.ok(Math.abs(far.temperature - 155.2) < 1e-3);
    });

    it('tank: drains from 12.4 cm to 3.373069 cm in 30 s (Torricelli, quadruple-tank parameters)', () => {
      const sim = createSimulation(tank, { step: 1 });
      const { outputs } = runFor(tank, sim, 30);
      assert.ok(Math.abs(outputs.level - 3.373069) < 1e-5, `${outputs.level}`);
      const empty = runFor(tank, sim, 80).outputs;
      assert.equal(empty.level, 0, 'empty after the 62.7 s drain time, never negative');
    });

    it('pump: operating point 70.71 m³/h at 20.00 m and 5.50 kW; 50.99 m³/h at 80 % speed (affinity)', () => {
      const p = {
        shutoffHead: 40,
        curveK: 0.004,
        staticHead: 10,
        systemK: 0.002,
        efficiency: 0.7,
        noLoadKw: 0,
      };
      const full = pumpOperatingPoint(p, 1, 1);
      assert.ok(Math.abs(full.flow - 70.71) < 0.01 && Math.abs(full.head - 20) < 1e-9);
      assert.ok(Math.abs(full.powerKw - 5.5) < 0.01, `${full.powerKw}`);
      assert.ok(Math.abs(pumpOperatingPoint(p, 0.8, 1).flow - 50.99) < 0.01);
      const closing = pumpOperatingPoint(p, 1, 0.3);
      assert.ok(
        closing.flow < full.flow && closing.head > full.head,
        'a closing valve: less flow, more head',
      );
    });

    it('machine: availability equals MTBF/(MTBF+MTTR) and does not depend on the step (exact event times)', () => {
      const params = { mtbf: 3600, mttr: 300, cycleTime: 2, scrap: 0.02 };
      const long = 1.8e6; // a whole number of both steps, so both runs end at the same time
      const coarse = runFor(machine, createSimulation(machine, { step: 60, seed: 11, params }), long).outputs;
      const fine = runFor(machine, createSimulation(machine, { step: 10, seed: 11, params }), long).outputs;
      assert.ok(
        Math.abs(coarse.availability - fine.availability) < 1e-9,
        `${coarse.availability} vs ${fine.availability}`,
      );
      assert.ok(Math.abs(coarse.availability - 3600 / 3900) < 0.01, `${coarse.availability}`);
      assert.ok(Math.abs(coarse.oee - (3600 / 3900) * 0.98) < 0.012);
    });

    it('bearing: noise-free crossing at 289.0 h, and the mean level over seeds follows φ + θ e^(βt)', () => {
      const quiet = createSimulation(bearing, { step: 3600, params: { sigma: 0 } });
      const at = runFor(bearing, quiet, 289 * 3600).outputs;
      assert.ok(Math.abs(at.vibration - 1) < 0.01 && at.rul < 0.5, `${at.vibration} ${at.rul}`);
      // One 300 h step per seed draws W(300 h) exactly; 4,000 seeds put the standard error near 0.017.
      let sum = 0;
      const seeds = 4000;
      for (let seed = 1; seed <= seeds; seed++) {
        sum += doStep(bearing, createSimulation(bearing, { step: 300 * 3600, seed })).outputs.vibration;
      }
      assert.ok(Math.abs(sum / seeds - 1.1043) < 0.06, `mean ${sum / seeds}`);
    });

    it('PID: PI with Ti = τ gives the first-order closed loop with τ_cl = 20 s', () => {
      let sim = createSimulation(pid, { step: 1 });
      let worst = 0;
      for (let t = 1; t <= 200; t++) {
        const r = doStep(pid, sim);
        sim = r.simulation;
        worst = Math.max(worst, Math.abs(r.outputs.y - (1 - Math.exp(-t / 20))));
      }
      assert.ok(worst < 6e-4 * 2, `max deviation ${worst}`);
    });

    it('PID anti-windup: after a long saturation the output does not overshoot far', () => {
      const params = { uMax: 0.6, uMin: 0, kp: 2, ti: 10 };
      let sim = createSimulation(pid, { step: 1, params, inputs: { setpoint: 1 } });
      let peak = 0;
      for (let t = 0; t < 600; t++) {
        const r = doStep(pid, sim);
        sim = r.simulation;
        peak = Math.max(peak, r.outputs.y);
      }
      assert.ok(peak <= 1.05, `overshoot to ${peak}`);
    });
  });

  describe('user models through the safe expression evaluator', () => {
    it('evaluates arithmetic with precedence and right-associative powers', () => {
      assert.equal(evaluate(parseExpression('2 * x ^ 2 + 1'), { x: 3 }), 19); // TSDoc @example
      assert.equal(evaluate(parseExpression('2^3^2'), {}), 512);
      assert.equal(evaluate(parseExpression('-2^2'), {}), -4);
      assert.equal(evaluate(parseExpression('x > 1 ? max(a, 2) : 0'), { x: 2, a: 5 }), 5);
      for (const bad of ['', '1 +', 'process.exit(1)', 'constructor', '(1', 'eval(1)', "x['y']"]) {
        assert.match(
          code(() => evaluate(parseExpression(bad), {})),
          /TWINFLOW_BAD_EXPRESSION/,
          bad,
        );
      }
    });

    it('integrates a user ODE and matches its analytic solution', () => {
      const model = odeModel({
        states: { T: { start: 20, derivative: '(P * k + ambient - T) / tau' } },
        inputs: { P: 100, ambient: 20 },
        parameters: { k: 0.5, tau: 600 },
        outputs: { T: 'T', rise: 'T - ambient' },
      });
      const { outputs } = runFor(model, createSimulation(model, { step: 60 }), 600);
      assert.ok(Math.abs(outputs.T - (20 + 50 * (1 - Math.exp(-1)))) < 1e-5, `${outputs.T}`);
      assert.equal(
        code(() => odeModel({ states: { x: { start: 0, derivative: 'y + 1' } } })),
        'TWINFLOW_BAD_MODEL',
      );
    });
  });

  describe('kernel', () => {
    it('lands on t0 + n h, and a step of another length re-anchors', () => {
      let sim = createSimulation(motorThermal, { step: 0.1, t0: 5 });
      for (let i = 0; i < 1000; i++) sim = doStep(motorThermal, sim).simulation;
      assert.equal(sim.time, 5 + 1000 * 0.1);
      sim = doStep(motorThermal, sim, 0.25).simulation;
      assert.equal(sim.time, 105.25);
    });

    it('early return: stops at a time event exactly (a machine failure drawn in advance)', () => {
      const sim = createSimulation(machine, { step: 100000, seed: 4, params: { mtbf: 500 } });
      const due = (sim.state as { nextEvent: number }).nextEvent;
      assert.ok(due > 0 && due < 100000, `the first failure falls inside the step (${due})`);
      const r = doStep(machine, sim, undefined, { earlyReturn: true });
      assert.equal(r.earlyReturn, true);
      assert.equal(r.simulation.time, due, 'lands on the event time itself');
      assert.equal(r.outputs.state, 2, 'the machine is in fault at the event');
      assert.deepEqual(r.events[r.events.length - 1], { time: due, name: 'fault' });
      // Without early return the same step runs to its end.
      assert.equal(doStep(machine, sim).simulation.time, 100000);
    });

    it('early return: locates a state event by bisection (the tank runs dry at its analytic time)', () => {
      // Torricelli drain time T = A / (C_d a) sqrt(2 h0 / g) for the quadruple-tank parameters: 62.7034 s.
      const drainTime = (28 / 0.071) * Math.sqrt((2 * 12.4) / 981);
      let sim = createSimulation(tank, { step: 10 });
      for (let i = 0; i < 6; i++) sim = doStep(tank, sim, undefined, { earlyReturn: true }).simulation;
      const r = doStep(tank, sim, undefined, { earlyReturn: true });
      assert.equal(r.earlyReturn, true);
      assert.ok(Math.abs(r.simulation.time - drainTime) < 1e-3, `${r.simulation.time} vs ${drainTime}`);
      assert.deepEqual(
        r.events.map((e) => e.name),
        ['empty'],
      );
      // Filling with no outflow: the rim (20 cm) is reached at (20 - 12.4) A / Q = 7.6 s exactly.
      const filling = createSimulation(tank, { step: 5, params: { outletArea: 0 }, inputs: { inflow: 28 } });
      const steps = doStepThroughEvents(tank, filling);
      assert.deepEqual(
        steps.map((s) => s.earlyReturn),
        [false],
      );
      const through = doStepThroughEvents(tank, steps[0].simulation);
      assert.equal(through.length, 2, 'one stop at the event, then the rest of the step');
      assert.ok(Math.abs(through[0].simulation.time - 7.6) < 1e-8, `${through[0].simulation.time}`);
      assert.equal(through[0].events[0].name, 'full');
      assert.equal(through[1].simulation.time, 10, 'the step still lands on t0 + n h');
      assert.equal(through[1].simulation.n, 2);
    });

    it('same seed, same run; snapshot, restore and fork reproduce exactly', () => {
      const a = runFor(machine, createSimulation(machine, { step: 10, seed: 3 }), 20000).outputs;
      const b = runFor(machine, createSimulation(machine, { step: 10, seed: 3 }), 20000).outputs;
      assert.deepEqual(a, b);
      const mid = runFor(pump, createSimulation(pump, { step: 1, seed: 9 }), 100).sim;
      const snapshot = JSON.parse(JSON.stringify(mid)) as Simulation;
      const original = runFor(pump, mid, 50).outputs;
      const restored = runFor(pump, snapshot, 50).outputs;
      assert.deepEqual(restored, original);
      const fork = withInputs(pump, cloneSimulation(mid), { speed: 80 });
      assert.ok(runFor(pump, fork, 50).outputs.flow < original.flow, 'the what-if fork runs on its own');
      assert.deepEqual(runFor(pump, mid, 50).outputs, original, 'the original is untouched by its fork');
    });

    it('injects sensor faults and degradations with start and duration', () => {
      let sim = createSimulation(pump, { step: 1, params: { vibrationNoise: 0 } });
      sim = withFault(pump, sim, { kind: 'bias', target: 'pressure', start: 10, duration: 5, magnitude: 1 });
      sim = withFault(pump, sim, { kind: 'stuck', target: 'flow', start: 3 });
      sim = withFault(pump, sim, { kind: 'degradation', target: 'npshMargin', start: 0, magnitude: -0.1 });
      const seen: Record<string, number>[] = [];
      for (let i = 0; i < 40; i++) {
        const r = doStep(pump, i === 5 ? withInputs(pump, sim, { valve: 50 }) : sim);
        sim = r.simulation;
        seen.push(r.outputs);
      }
      assert.ok(Math.abs(seen[11].pressure - seen[8].pressure - 1) < 1e-9, 'bias while active');
      assert.ok(Math.abs(seen[20].pressure - seen[8].pressure) < 1e-9, 'bias over after its duration');
      assert.equal(seen[30].flow, seen[3].flow, 'flow stuck at its value when the fault started');
      assert.ok(
        seen[39].vibration > seen[19].vibration,
        'cavitation grows as the NPSH margin degrades below zero',
      );
    });

    it('rejects bad input and leaves the simulation unchanged', () => {
      const sim = createSimulation(pump, { step: 1 });
      const before = JSON.stringify(sim);
      assert.equal(
        code(() => withInputs(pump, sim, { speed: NaN })),
        'TWINFLOW_NOT_FINITE',
      );
      assert.equal(
        code(() => withInputs(pump, sim, { speed: 500 })),
        'TWINFLOW_OUT_OF_RANGE',
      );
      assert.equal(
        code(() => withInputs(pump, sim, { torque: 1 })),
        'TWINFLOW_UNKNOWN_INPUT',
      );
      assert.equal(
        code(() => withParameters(pump, sim, { colour: 1 })),
        'TWINFLOW_UNKNOWN_PARAMETER',
      );
      assert.equal(
        code(() => doStep(pump, sim, 0)),
        'TWINFLOW_BAD_STEP',
      );
      assert.equal(
        code(() => doStep(pump, sim, -1)),
        'TWINFLOW_BAD_STEP',
      );
      assert.equal(
        code(() => withFault(pump, sim, { kind: 'gremlin', target: 'flow' })),
        'TWINFLOW_BAD_FAULT',
      );
      const unstable = odeModel({ states: { x: { start: 1, derivative: 'x * x * 1e6' } } });
      assert.equal(
        code(() => doStep(unstable, createSimulation(unstable, { step: 1 }))),
        'TWINFLOW_UNSTABLE',
      );
      assert.equal(JSON.stringify(sim), before);
    });

    it('draws repeatable normal deviates from a seed', () => {
      const a = rng(42);
      const b = rng(42);
      const xs = Array.from({ length: 5 }, () => normal(a));
      assert.deepEqual(
        xs,
        Array.from({ length: 5 }, () => normal(b)),
      );
      const many = Array.from({ length: 20000 }, () => normal(a));
      const mean = many.reduce((s, x) => s + x, 0) / many.length;
      assert.ok(Math.abs(mean) < 0.03);
    });
  });
});
