import { exponentialStep } from '../integrators';
import type { SimModel } from '../model';

/**
 * Motor winding temperature, first order (IEC 60034 thermal image):
 *   C dT/dt = P_loss - (T - T_amb) / R_th,  P_loss = P_rated_rise_loss * (I / I_n)^2 + P_fe
 * written with the rated rise ΔT_n (winding rise at I_n) and the time constant τ = R_th C:
 *   T_ss = T_amb + ΔT_n * ((I / I_n)^2 + feShare),  T(t + h) = T_ss + (T - T_ss) e^(-h/τ)  (exact for held current).
 * Parameters: ratedRise [K], tau [s], ratedCurrent [A], ironShare (iron losses as a share of rated copper losses).
 * Reference: τ = 30 min, 120 % load, 80 K rise, 40 °C ambient from 40 °C: T_ss = 155.2 °C, T(1 h) = 139.609375 °C.
 */
export interface MotorThermalState {
  temperature: number;
}

export const motorThermal: SimModel<MotorThermalState> = {
  name: 'motor-thermal',
  description: 'Motor winding temperature from current and ambient (first-order thermal image)',
  variables: [
    { name: 'current', causality: 'input', unit: 'A', start: 0, min: 0 },
    { name: 'ambient', causality: 'input', unit: 'degC', start: 40 },
    { name: 'ratedCurrent', causality: 'parameter', unit: 'A', start: 100, min: 1e-9 },
    { name: 'ratedRise', causality: 'parameter', unit: 'K', start: 80, min: 0 },
    { name: 'tau', causality: 'parameter', unit: 's', start: 1800, min: 1e-6 },
    { name: 'ironShare', causality: 'parameter', start: 0, min: 0 },
    { name: 'initialTemperature', causality: 'parameter', unit: 'degC', start: 40 },
    { name: 'temperature', causality: 'output', unit: 'degC', start: 40 },
    { name: 'thermalLoad', causality: 'output', unit: '%', start: 0 },
  ],
  init: (p) => ({ temperature: p.initialTemperature }),
  advance(state, _t, h, u, p) {
    const steady = u.ambient + p.ratedRise * ((u.current / p.ratedCurrent) ** 2 + p.ironShare);
    return { state: { temperature: exponentialStep(state.temperature, steady, p.tau, h) } };
  },
  outputs: (state, _t, u, p) => ({
    temperature: state.temperature,
    // Share of the rated rise used, as a thermal-overload relay's thermal image shows it.
    thermalLoad: (100 * (state.temperature - u.ambient)) / p.ratedRise,
  }),
};
