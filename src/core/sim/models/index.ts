import type { SimModel } from '../model';
import { bearing } from './bearing';
import { machine } from './machine';
import { motorThermal } from './motor-thermal';
import { pid } from './pid';
import { pump } from './pump';
import { tank } from './tank';

/** The model library by name (user models come from odeModel). */
export const MODELS: Record<string, SimModel> = {
  [motorThermal.name]: motorThermal as SimModel,
  [tank.name]: tank as SimModel,
  [pump.name]: pump as SimModel,
  [machine.name]: machine as SimModel,
  [bearing.name]: bearing as SimModel,
  [pid.name]: pid as SimModel,
};

export { bearing, machine, motorThermal, pid, pump, tank };
export { odeModel, type OdeDefinition } from './ode';
