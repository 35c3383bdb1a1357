import { exponentialStep } from '../integrators';
import type { SimModel } from '../model';
import { normal } from '../rng';

/**
 * Centrifugal pump on a system curve, with its motor:
 *   pump curve at speed ratio s: H = H0 s² - k Q²;  system: H = Hs + K Q² / valve²
 *   operating point Q* = s sqrt((H0 - Hs/s²) / (k + K / valve²)) (clamped at 0), affinity laws Q ∝ N, H ∝ N², P ∝ N³
 *   shaft power P = ρ g Q H / η;  motor current I = P / (√3 V cos φ η_motor);  winding temperature as motor-thermal.
 * Vibration RMS: a baseline growing with speed, plus noise; cavitation (NPSH margin below zero) adds to it.
 * Units: Q in m³/h, H in m, P in kW, pressure in bar (head × ρ g).
 * Reference (H0 = 40 m, k = 0.004, Hs = 10 m, K = 0.002, η = 0.7): Q* = 70.71 m³/h, H* = 20.00 m, P = 5.50 kW;
 * at 80 % speed Q* = 50.99 m³/h.
 */
export interface PumpState {
  motorTemperature: number;
  fluidTemperature: number;
  /** Standard normal draws of this step: vibration, then the flow, pressure and current sensors. */
  noise: number;
  sensorNoise?: number[];
}

const RHO_G = 1000 * 9.81;

export function pumpOperatingPoint(p: Record<string, number>, speedRatio: number, valve: number) {
  const open = Math.max(valve, 1e-3);
  const system = p.systemK / (open * open);
  const q2 = (p.shutoffHead * speedRatio * speedRatio - p.staticHead) / (p.curveK + system);
  const flow = q2 > 0 ? Math.sqrt(q2) : 0;
  const head = q2 > 0 ? p.staticHead + system * flow * flow : p.shutoffHead * speedRatio * speedRatio;
  const powerKw =
    ((RHO_G * (flow / 3600) * head) / p.efficiency / 1000) * (q2 > 0 ? 1 : 0.3) + p.noLoadKw * speedRatio;
  return { flow, head, powerKw };
}

export const pump: SimModel<PumpState> = {
  name: 'pump',
  description: 'Centrifugal pump on a system curve with motor current, winding temperature and vibration',
  variables: [
    { name: 'speed', causality: 'input', unit: '%', start: 100, min: 0, max: 120 },
    { name: 'valve', causality: 'input', unit: '%', start: 100, min: 0, max: 100 },
    { name: 'ambient', causality: 'input', unit: 'degC', start: 25 },
    { name: 'shutoffHead', causality: 'parameter', unit: 'm', start: 40, min: 0 },
    { name: 'curveK', causality: 'parameter', start: 0.004, min: 0 },
    { name: 'staticHead', causality: 'parameter', unit: 'm', start: 10, min: 0 },
    { name: 'systemK', causality: 'parameter', start: 0.002, min: 0 },
    { name: 'efficiency', causality: 'parameter', start: 0.7, min: 0.01, max: 1 },
    { name: 'noLoadKw', causality: 'parameter', unit: 'kW', start: 0.3, min: 0 },
    { name: 'voltage', causality: 'parameter', unit: 'V', start: 400, min: 1 },
    { name: 'powerFactor', causality: 'parameter', start: 0.85, min: 0.01, max: 1 },
    { name: 'ratedCurrent', causality: 'parameter', unit: 'A', start: 12, min: 1e-6 },
    { name: 'ratedRise', causality: 'parameter', unit: 'K', start: 60, min: 0 },
    { name: 'thermalTau', causality: 'parameter', unit: 's', start: 900, min: 1e-6 },
    { name: 'vibrationBase', causality: 'parameter', unit: 'mm/s', start: 1.8, min: 0 },
    { name: 'vibrationNoise', causality: 'parameter', unit: 'mm/s', start: 0.05, min: 0 },
    { name: 'npshMargin', causality: 'parameter', unit: 'm', start: 2, description: 'below 0: cavitation' },
    {
      name: 'measurementNoise',
      causality: 'parameter',
      start: 0,
      min: 0,
      description: 'relative sensor noise on flow, pressure, current',
    },
    { name: 'flow', causality: 'output', unit: 'm3/h', start: 0 },
    { name: 'pressure', causality: 'output', unit: 'bar', start: 0 },
    { name: 'power', causality: 'output', unit: 'kW', start: 0 },
    { name: 'current', causality: 'output', unit: 'A', start: 0 },
    { name: 'voltage', causality: 'output', unit: 'V', start: 400 },
    { name: 'motorTemperature', causality: 'output', unit: 'degC', start: 25 },
    { name: 'fluidTemperature', causality: 'output', unit: 'degC', start: 20 },
    { name: 'vibration', causality: 'output', unit: 'mm/s', start: 0 },
    { name: 'valvePosition', causality: 'output', unit: '%', start: 100 },
  ],
  init: (_p, random) => ({ motorTemperature: 25, fluidTemperature: 20, noise: normal(random) }),
  advance(state, _t, h, u, p, random) {
    const { powerKw } = pumpOperatingPoint(p, u.speed / 100, u.valve / 100);
    const current = (powerKw * 1000) / (Math.sqrt(3) * p.voltage * p.powerFactor);
    const steady = u.ambient + p.ratedRise * (current / p.ratedCurrent) ** 2;
    return {
      state: {
        motorTemperature: exponentialStep(state.motorTemperature, steady, p.thermalTau, h),
        // The fluid warms slowly towards ambient plus a little pump heat.
        fluidTemperature: exponentialStep(state.fluidTemperature, u.ambient - 5 + powerKw * 0.2, 3600, h),
        noise: normal(random),
        sensorNoise: p.measurementNoise > 0 ? [normal(random), normal(random), normal(random)] : undefined,
      },
    };
  },
  outputs(state, _t, u, p) {
    const ratio = u.speed / 100;
    const { flow, head, powerKw } = pumpOperatingPoint(p, ratio, u.valve / 100);
    const cavitation = p.npshMargin < 0 ? -p.npshMargin * 1.5 : 0;
    // Real sensors are never perfectly still; a by-exception source (OPC UA) reports nothing for a frozen value.
    const [nf, np, nc] = state.sensorNoise ?? [0, 0, 0];
    const sensor = (x: number, n: number) => x * (1 + p.measurementNoise * n);
    return {
      flow: sensor(flow, nf),
      pressure: sensor((head * RHO_G) / 1e5, np),
      power: powerKw,
      current: sensor((powerKw * 1000) / (Math.sqrt(3) * p.voltage * p.powerFactor), nc),
      voltage: p.voltage,
      motorTemperature: state.motorTemperature,
      fluidTemperature: state.fluidTemperature,
      vibration: Math.max(0, p.vibrationBase * ratio * ratio + cavitation + p.vibrationNoise * state.noise),
      valvePosition: u.valve,
    };
  },
};
