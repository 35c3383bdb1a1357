import { isPlainObject } from '../envelope';
import { TwinFlowError } from '../errors';

/** Deepest nesting accepted in a payload; object properties of real machines are a few levels deep. */
export const MAX_DEPTH = 32;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks a message payload once before anything else looks at it, and refuses what could hurt the store or the
 * runtime: non-objects, keys that reach into prototypes, cycles, absurd nesting and absurd size. Everything a
 * later step reads has passed through here, so validation and merging can stay simple and never recurse forever.
 *
 * Size is measured as characters of strings and keys plus 16 per value: cheap, linear, and close enough to the
 * JSON length to bound memory and persistence cost.
 */
export function checkPayload(payload: unknown, maxSize: number): Record<string, unknown> {
  if (!isPlainObject(payload)) {
    throw new TwinFlowError(
      'payloadNotObject',
      `msg.payload must be an object of property values, got ${describe(payload)}`,
      {
        got: describe(payload),
      },
    );
  }
  let size = 0;
  const ancestors = new Set<object>();
  // The path is kept as a stack of keys and only turned into text for an error: building "a.b[2].c" for every value
  // of every message cost more than the checks themselves.
  const trail: (string | number)[] = [];
  const pathText = (): string =>
    trail.reduce<string>(
      (text, k) => (typeof k === 'number' ? `${text}[${k}]` : text ? `${text}.${k}` : k),
      '',
    );
  const walk = (value: unknown, depth: number): void => {
    size += 16;
    if (typeof value === 'string') size += value.length;
    if (size > maxSize) {
      throw new TwinFlowError('payloadTooLarge', `msg.payload is larger than the limit of ${maxSize}`, {
        limit: maxSize,
      });
    }
    if (typeof value !== 'object' || value === null) return;
    if (depth > MAX_DEPTH) {
      const path = pathText();
      throw new TwinFlowError(
        'payloadTooDeep',
        `msg.payload nests deeper than ${MAX_DEPTH} levels at ${path}`,
        {
          path,
          limit: MAX_DEPTH,
        },
      );
    }
    if (ancestors.has(value)) {
      const path = pathText();
      throw new TwinFlowError('payloadCircular', `msg.payload contains a circular reference at ${path}`, {
        path,
      });
    }
    if (!Array.isArray(value) && !isPlainObject(value)) {
      const path = pathText();
      throw new TwinFlowError(
        'payloadBadValue',
        `msg.payload has an unsupported value (${describe(value)}) at ${path}`,
        {
          path,
          got: describe(value),
        },
      );
    }
    ancestors.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        trail.push(i);
        walk(value[i], depth + 1);
        trail.pop();
      }
    } else {
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        if (FORBIDDEN_KEYS.has(key)) {
          const path = pathText();
          throw new TwinFlowError(
            'payloadForbiddenKey',
            `msg.payload uses the forbidden key "${key}" at ${path}`,
            {
              key,
              path,
            },
          );
        }
        size += key.length;
        trail.push(key);
        walk((value as Record<string, unknown>)[key], depth + 1);
        trail.pop();
      }
    }
    ancestors.delete(value);
  };
  walk(payload, 0);
  return payload;
}

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object') {
    const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor
      ?.name;
    return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
  }
  return `a ${typeof value}`;
}

/** Text for a value of unknown type in an error message; never throws (String() does on null-prototype objects). */
export function safeText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : describe(value);
}
