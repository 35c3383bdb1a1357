import { types } from 'node:util';
import {
  plainDataValidator,
  type PlainDataLimits,
  type PlainDataValidator,
  type PlainValue,
} from '../../core/plain-data';

/**
 * The core validator (src/core/plain-data.ts) with what only Node.js can tell: whether an object is a Proxy.
 * Every node's input goes through one of these before anything reads it.
 */
export const RUNTIME_LIMITS: Partial<PlainDataLimits> = { isProxy: types.isProxy };

/**
 * A validator for limits of a node's own (the runtime's Proxy test added), built once when the node starts: the
 * limits are resolved once, not for every message.
 */
export function runtimeValidator(limits: Partial<PlainDataLimits> = {}): PlainDataValidator {
  return plainDataValidator({ ...RUNTIME_LIMITS, ...limits });
}

const DEFAULT_VALIDATOR = runtimeValidator();

/** Any plain-data value (undefined stays undefined), as a copy; refuses the rest with a TwinFlowError. */
export function acceptPlain(value: unknown, path = 'msg.payload'): PlainValue | undefined {
  return DEFAULT_VALIDATOR.data(value, path);
}

/** A plain object of property values, as a copy; refuses anything else with a TwinFlowError. */
export function acceptPlainObject(value: unknown, path = 'msg.payload'): Record<string, PlainValue> {
  return DEFAULT_VALIDATOR.object(value, path);
}
