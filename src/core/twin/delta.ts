import type { TwinDocument } from './document';
import { equalWithin } from './merge';
import type { TwinModel } from './model';

/**
 * The delta (AWS shadow's term): desired values the machine has not yet reached, within the property's tolerance
 * (its deadband when no tolerance is set). Derived from desired and reported every time rather than stored, so it
 * can never disagree with them.
 */
export function computeDelta(doc: TwinDocument, model: TwinModel): Record<string, unknown> {
  const delta: Record<string, unknown> = {};
  // Most twins are never desired anything: every report asks for the delta before and after, twice, so no array.
  if (isEmpty(doc.desired)) return delta;
  for (const name in doc.desired) {
    if (!Object.prototype.hasOwnProperty.call(doc.desired, name)) continue;
    const desired = doc.desired[name];
    const def = model.properties[name];
    const reported = doc.reported[name];
    const band = def ? (def.tolerance ?? def.deadband ?? 0) : 0;
    if (!reported || !equalWithin(reported.value, desired.value, band)) delta[name] = desired.value;
  }
  return delta;
}

/** True when a record has no keys (for..in: no array of keys is made; an inherited key only says "not empty"). */
export function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}
