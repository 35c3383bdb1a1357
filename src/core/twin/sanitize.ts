import { isTwinFlowError, TwinFlowError } from '../errors';
import {
  plainDataValidator,
  typeName,
  type PlainDataLimits,
  type PlainDataValidator,
  type PlainValue,
} from '../plain-data';

/** Deepest nesting accepted in a payload; object properties of real machines are a few levels deep. */
export const MAX_DEPTH = 32;

// Keys that reach into prototypes: a twin's properties never need them, and stores in other languages trip on them.
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

// twin-state's error keys predate the shared validator; Catch flows may test them, so they stay.
const PAYLOAD_KEYS: Record<string, string> = {
  notObject: 'payloadNotObject',
  tooLarge: 'payloadTooLarge',
  stringTooLong: 'payloadTooLarge',
  tooDeep: 'payloadTooDeep',
  circular: 'payloadCircular',
  forbiddenKey: 'payloadForbiddenKey',
  notFinite: 'notFinite',
};

/**
 * Checks a message payload once before anything else looks at it, with the one validator every node uses
 * (src/core/plain-data.ts), and returns it as plain data (objects a copy would reproduce as they are, the rest
 * copied; see objectView): what the store builds from it can be persisted and published.
 * The model's size limit bounds strings and the whole payload alike.
 */
export function checkPayload(
  payload: unknown,
  maxSize: number,
  isProxy?: PlainDataLimits['isProxy'],
): Record<string, PlainValue> {
  try {
    // A view: the reducers (report, desire, ack) read the entries and build every object they store (mergePatch
    // copies object values, arrays are always copies), so a payload of plain samples is checked where it is.
    return validatorFor(maxSize, isProxy).objectView(payload, 'msg.payload');
  } catch (err) {
    if (!isTwinFlowError(err)) throw err;
    const reason = String(err.details.reason);
    const path = String(err.details.path);
    throw new TwinFlowError(PAYLOAD_KEYS[reason] ?? 'payloadBadValue', err.message, {
      got: describe(payload),
      ...err.details,
      property: path.replace(/^msg\.payload\.?/, ''),
      key: path.replace(/^.*[.[]"?/, '').replace(/"?\]$/, ''),
      limit: reason === 'tooDeep' ? MAX_DEPTH : maxSize,
    });
  }
}

/**
 * The validator for a model's size limit, kept while the limit stays the same: every report checks its payload, and
 * resolving the limits anew each time was part of that cost. One entry: a flow rarely has two models with different
 * limits, and a miss only builds a validator.
 */
let last:
  { maxSize: number; isProxy?: PlainDataLimits['isProxy']; validator: PlainDataValidator } | undefined;

function validatorFor(maxSize: number, isProxy: PlainDataLimits['isProxy']): PlainDataValidator {
  if (last === undefined || last.maxSize !== maxSize || last.isProxy !== isProxy) {
    const validator = plainDataValidator({
      maxSize,
      maxStringLength: maxSize,
      maxDepth: MAX_DEPTH,
      forbiddenKeys: FORBIDDEN_KEYS,
      isProxy,
    });
    last = { maxSize, isProxy, validator };
  }
  return last.validator;
}

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  return typeName(value);
}

/** Text for a value of unknown type in an error message; never throws (String() does on null-prototype objects). */
export function safeText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : describe(value);
}
