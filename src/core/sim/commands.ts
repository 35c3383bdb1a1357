import { isPlainObject } from '../envelope';
import { withFault, withInputs, withParameters, type Simulation } from './kernel';
import type { SimModel } from './model';

/** The `set` command: {params, inputs}, each checked against the model; nothing changes if one is refused. */
export function withSettings(model: SimModel, sim: Simulation, payload: unknown): Simulation {
  const spec = isPlainObject(payload) ? payload : {};
  const next = withParameters(model, sim, isPlainObject(spec.params) ? spec.params : {});
  return withInputs(model, next, isPlainObject(spec.inputs) ? spec.inputs : {});
}

/** The `fault` command: one fault or a list, starting now unless they say when. */
export function withFaults(model: SimModel, sim: Simulation, payload: unknown): Simulation {
  let next = sim;
  for (const f of Array.isArray(payload) ? payload : [payload])
    next = withFault(model, next, { start: next.time, ...(f as object) });
  return next;
}
