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
 * A validator that may return a message. Node-RED has accepted message strings since 3.0, but @types/node-red still
 * types validators as returning boolean, hence the one cast here.
 */
export function messageValidator(fn: (value: string) => Validation): (value: string) => boolean {
  return fn as unknown as (value: string) => boolean;
}
