import { isPlainObject } from '../envelope';

/**
 * JSON Merge Patch (RFC 7396): objects merge key by key, `null` deletes a key, anything else replaces.
 * Returns a new object; neither argument is modified.
 * @example mergePatch({a: 1, b: {c: 2}}, {b: {c: null, d: 3}}) // => {a: 1, b: {d: 3}}
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  let result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) result = omit(result, key);
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** A copy of a record without one key. */
export function omit<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** Structural equality of JSON values (used for object and string properties). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.prototype.hasOwnProperty.call(b, k) &&
      jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** Equality within a numeric band (|a - b| <= band) for numbers, structural equality otherwise. */
export function equalWithin(a: unknown, b: unknown, band: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= band;
  return jsonEqual(a, b);
}
