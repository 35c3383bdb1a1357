import type { SimModel } from '../model';
import { normal } from '../rng';

/**
 * Bearing degradation as an exponential health signal with Brownian noise (Gebraeel 2006):
 *   S(t) = φ + θ exp(β t + σ W(t) - σ² t / 2),  vibration RMS = S
 * The -σ²t/2 term keeps E[S(t)] = φ + θ e^(βt). Failure is S crossing D. Remaining useful life is the noise-free
 * time to reach D from the current level at rate β: ln((D - φ)/(S - φ)) / β.
 * Time is in hours of simulation (β per hour). Reference: φ = 0.1, θ = 0.05, β = 0.01/h, D = 1: noise-free crossing
 * at ln((D - φ)/θ)/β = 289.0 h; the mean of S(300 h) over many seeds is 0.1 + 0.05 e^3 = 1.1043.
 */
export interface BearingState {
  hours: number;
  brownian: number;
}

export const bearing: SimModel<BearingState> = {
  name: 'bearing',
  description: 'Bearing degradation: exponential vibration growth with noise, remaining useful life',
  variables: [
    { name: 'intercept', causality: 'parameter', unit: 'mm/s', start: 0.1 },
    { name: 'scale', causality: 'parameter', unit: 'mm/s', start: 0.05, min: 0 },
    { name: 'rate', causality: 'parameter', unit: '1/h', start: 0.01 },
    { name: 'sigma', causality: 'parameter', start: 0.05, min: 0 },
    { name: 'threshold', causality: 'parameter', unit: 'mm/s', start: 1 },
    {
      name: 'timeScale',
      causality: 'parameter',
      start: 3600,
      min: 1e-9,
      description: 'simulation seconds per hour of wear',
    },
    { name: 'vibration', causality: 'output', unit: 'mm/s', start: 0.15 },
    { name: 'health', causality: 'output', unit: '%', start: 100 },
    { name: 'rul', causality: 'output', unit: 'h', start: 289 },
  ],
  init: () => ({ hours: 0, brownian: 0 }),
  advance(state, _t, h, _u, p, random) {
    const dh = h / p.timeScale;
    return { state: { hours: state.hours + dh, brownian: state.brownian + Math.sqrt(dh) * normal(random) } };
  },
  outputs(state, _t, _u, p) {
    const exponent = p.rate * state.hours + p.sigma * state.brownian - (p.sigma * p.sigma * state.hours) / 2;
    const vibration = p.intercept + p.scale * Math.exp(exponent);
    const margin = (p.threshold - p.intercept) / (vibration - p.intercept);
    return {
      vibration,
      health: Math.max(
        0,
        Math.min(
          100,
          100 * (1 - (vibration - p.intercept - p.scale) / (p.threshold - p.intercept - p.scale)),
        ),
      ),
      rul: margin > 1 && p.rate > 0 ? Math.log(margin) / p.rate : 0,
    };
  },
};
