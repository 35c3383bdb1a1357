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
  for (const [name, desired] of Object.entries(doc.desired)) {
    const def = model.properties[name];
    const reported = doc.reported[name];
    const band = def ? (def.tolerance ?? def.deadband ?? 0) : 0;
    if (!reported || !equalWithin(reported.value, desired.value, band)) delta[name] = desired.value;
  }
  return delta;
}
