import { types } from 'node:util';
import { toPlainData, toPlainObject, type PlainDataLimits, type PlainValue } from '../../core/plain-data';

/**
 * The core validator (src/core/plain-data.ts) with what only Node.js can tell: whether an object is a Proxy.
 * Every node's input goes through one of these two before anything reads it.
 */
export const RUNTIME_LIMITS: Partial<PlainDataLimits> = { isProxy: types.isProxy };

/** Any plain-data value (undefined stays undefined), as a copy; refuses the rest with a TwinFlowError. */
export function acceptPlain(
  value: unknown,
  path = 'msg.payload',
  limits: Partial<PlainDataLimits> = {},
): PlainValue | undefined {
  return toPlainData(value, path, { ...RUNTIME_LIMITS, ...limits });
}

/** A plain object of property values, as a copy; refuses anything else with a TwinFlowError. */
export function acceptPlainObject(
  value: unknown,
  path = 'msg.payload',
  limits: Partial<PlainDataLimits> = {},
): Record<string, PlainValue> {
  return toPlainObject(value, path, { ...RUNTIME_LIMITS, ...limits });
}
