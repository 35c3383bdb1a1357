import type { EditorRED } from 'node-red';

/** The editor's global RED, typed once for every editor entry. */
export const RED = (globalThis as unknown as { RED: EditorRED }).RED;

/** A validator result: true, or the message the editor shows beside the field (Node-RED 3+). */
export type Validation = true | string;

/** Turns a throwing check into a Node-RED validator that returns the error message. */
export function validation(check: () => void): Validation {
  try {
    check();
    return true;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * A validator that may return a message. Node-RED treats a returned string as "invalid, because ..." only when the
 * validator declares two parameters (value, opt), its 3.x signature; with one parameter the string would be coerced
 * to true. @types/node-red still types validators as returning boolean, hence the cast.
 */
export function messageValidator(fn: (value: string) => Validation): (value: string) => boolean {
  const validator = (value: string, _opt?: unknown): Validation => fn(value);
  return validator as unknown as (value: string) => boolean;
}
