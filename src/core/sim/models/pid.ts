import { exponentialStep } from '../integrators';
import type { SimModel } from '../model';

/**
 * A PID loop on a first-order plant K/(τs + 1), sampled every `sampleTime`: ideal form
 *   u = Kp (e + (1/Ti) ∫e dt - Td dy/dt)  (derivative on measurement), output limited to [uMin, uMax],
 * with anti-windup by conditional integration (the integral stops growing while the output is saturated in the
 * direction of the error). The plant is updated exactly over each sample (exponential step).
 * Reference: K = 2, τ = 50 s, Kp = 1.25, Ti = τ (pole-zero cancellation): closed loop first order with
 * τ_cl = τ/(K Kp) = 20 s, y(t) = 1 - e^(-t/20); the sampled loop stays within 6e-4 of it at Ts = 0.05 s.
 */
export interface PidState {
  y: number;
  integral: number;
  previousY: number;
  u: number;
  /** Time into the current sample period. */
  phase: number;
}

export const pid: SimModel<PidState> = {
  name: 'pid',
  description: 'PID controller with anti-windup on a first-order plant',
  variables: [
    { name: 'setpoint', causality: 'input', start: 1 },
    { name: 'disturbance', causality: 'input', start: 0 },
    { name: 'plantGain', causality: 'parameter', start: 2 },
    { name: 'plantTau', causality: 'parameter', unit: 's', start: 50, min: 1e-9 },
    { name: 'kp', causality: 'parameter', start: 1.25 },
    {
      name: 'ti',
      causality: 'parameter',
      unit: 's',
      start: 50,
      min: 0,
      description: '0: no integral action',
    },
    { name: 'td', causality: 'parameter', unit: 's', start: 0, min: 0 },
    { name: 'uMin', causality: 'parameter', start: -1e9 },
    { name: 'uMax', causality: 'parameter', start: 1e9 },
    { name: 'sampleTime', causality: 'parameter', unit: 's', start: 0.05, min: 1e-9 },
    { name: 'y', causality: 'output', start: 0 },
    { name: 'u', causality: 'output', start: 0 },
    { name: 'error', causality: 'output', start: 0 },
  ],
  init: () => ({ y: 0, integral: 0, previousY: 0, u: 0, phase: 0 }),
  advance(state, _t, h, u, p, _random, budget) {
    const s = { ...state };
    let left = h;
    while (left > 1e-12) {
      budget.check();
      if (s.phase === 0) {
        // Controller sample at the start of each period.
        const e = u.setpoint - s.y;
        const derivative = p.td > 0 ? -(p.td * (s.y - s.previousY)) / p.sampleTime : 0;
        const unclamped = p.kp * (e + (p.ti > 0 ? s.integral / p.ti : 0) + derivative);
        s.u = Math.min(p.uMax, Math.max(p.uMin, unclamped));
        const saturatedUp = unclamped > p.uMax && e > 0;
        const saturatedDown = unclamped < p.uMin && e < 0;
        if (p.ti > 0 && !saturatedUp && !saturatedDown) s.integral += e * p.sampleTime;
        s.previousY = s.y;
      }
      const span = Math.min(left, p.sampleTime - s.phase);
      s.y = exponentialStep(s.y, p.plantGain * (s.u + u.disturbance), p.plantTau, span);
      s.phase += span;
      if (s.phase >= p.sampleTime - 1e-12) s.phase = 0;
      left -= span;
    }
    return { state: s };
  },
  outputs: (s, _t, u) => ({ y: s.y, u: s.u, error: u.setpoint - s.y }),
};
