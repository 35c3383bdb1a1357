import { variableMap, type SimModel, type Values } from './model';

/** The envelope twin-state accepts: each output as {value, unit, sourceTimestamp}. */
export function outputEnvelope(model: SimModel, outputs: Values, timestamp: number): Record<string, unknown> {
  const variables = variableMap(model, 'output');
  const payload: Record<string, unknown> = {};
  for (const name in outputs) {
    const value = outputs[name];
    const unit = variables.get(name)?.unit;
    payload[name] = unit
      ? { value, unit, sourceTimestamp: timestamp }
      : { value, sourceTimestamp: timestamp };
  }
  return payload;
}
