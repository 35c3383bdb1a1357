import type { TwinChange } from '../envelope';
import { createTwin, withFields, type ReportedProperty, type TwinDocument } from './document';
import type { TwinEvent } from './events';
import { emptyHistory, pushHistory, resizeHistory } from './history';
import { equalWithin, jsonEqual, mergePatch, omit } from './merge';
import { DEFAULT_MAX_CLOCK_SKEW, type TwinModel } from './model';
import { checkVersion, finishUpdate, type OperationOptions, type TwinUpdate } from './operation';
import { checkPayload } from './sanitize';
import { propertyOf, validateCheckedEntry, type ValidatedSample } from './validate';
import { copyRecord } from '../shallow-copy';

/**
 * Applies a report (what the machine says) to a twin. The whole payload is validated before anything is built, so a
 * message is taken whole or not at all. Object properties merge per RFC 7396 and `null` deletes a property. A numeric
 * change within the deadband keeps the stored value (so slow drift still shows once it exceeds the band, as in a
 * historian's deadband compression) but refreshes the timestamps: the twin knows the machine is alive.
 */
export function applyReport(
  doc: TwinDocument | undefined,
  model: TwinModel,
  id: string,
  payload: unknown,
  options: OperationOptions,
): TwinUpdate {
  const entries = checkPayload(payload, model.maxPayloadSize, options.isProxy);
  checkVersion(doc, options.expectedVersion, id);
  const limit = { now: options.now, maxClockSkew: model.maxClockSkew ?? DEFAULT_MAX_CLOCK_SKEW };

  const { now } = options;
  const base = doc ?? createTwin(id, model.name, now);
  let reported: Record<string, ReportedProperty> = copyRecord(base.reported);
  let history = base.history; // copied on the first write only: most models keep no history
  const changes: TwinChange[] = [];
  const events: TwinEvent[] = [];

  // One pass: validating an entry can throw, building cannot, and what was built is dropped with the throw, so the
  // message is still taken whole or not at all (and the first bad entry in payload order is the one named).
  // for..in with an own-key test rather than Object.keys: no array of names per report.
  for (const name in entries) {
    if (!Object.prototype.hasOwnProperty.call(entries, name)) continue;
    const def = propertyOf(model, name);
    const entry = entries[name];
    const old = base.reported[name];
    if (entry === null) {
      if (old) {
        reported = omit(reported, name);
        changes.push({ path: `reported.${name}`, old: old.value, new: undefined, cause: 'report' });
      }
      continue;
    }
    const sample = validateCheckedEntry(def, entry, limit);
    const lostValue = sample.value === null && sample.quality === 'bad';
    // RFC 7396 for object properties, the first write included: a null member deletes and is never stored.
    const incoming =
      def.type === 'object' && !lostValue ? mergePatch(old?.value, sample.value) : sample.value;
    const valueChanged = !old || (!lostValue && !equalWithin(old.value, incoming, def.deadband ?? 0));
    const value = valueChanged ? incoming : old.value;
    reported[name] = reportedProperty(value, sample, now);

    if (old?.stale) events.push({ event: 'fresh', twin: id, property: name, timestamp: now });
    if (valueChanged) {
      changes.push({ path: `reported.${name}`, old: old?.value, new: value, cause: 'report' });
      if (def.history) {
        if (history === base.history) history = copyRecord(base.history);
        const ring = history[name] ? resizeHistory(history[name], def.history) : emptyHistory(def.history);
        history[name] = pushHistory(ring, sample.sourceTimestamp ?? now, value, sample.quality);
      }
    }
    if (old && (old.quality !== sample.quality || !jsonEqual(old.statusCode, sample.statusCode))) {
      changes.push({
        path: `reported.${name}.quality`,
        old: old.quality,
        new: sample.quality,
        cause: 'report',
      });
    }
  }

  if (base.stale) events.push({ event: 'twin-fresh', twin: id, timestamp: now, lastSeen: base.lastSeen });
  // Rebuilt without `stale` rather than deleting it: `delete` would drop the object into V8's slow dictionary mode.
  const after = withFields(base, { reported, history, lastSeen: now, stale: false });
  return finishUpdate(doc, after, model, changes, events, options);
}

/**
 * What the twin stores for a sample. Optional fields only when present: most reports carry none, and each absent
 * field saves memory per property. An OPC UA sample carries all three: one literal then, one allocation of its final
 * shape (same key order as the general case).
 */
function reportedProperty(value: unknown, sample: ValidatedSample, now: number): ReportedProperty {
  const { quality, statusCode, sourceTimestamp, serverTimestamp } = sample;
  if (statusCode !== undefined && sourceTimestamp !== undefined && serverTimestamp !== undefined)
    return { value, quality, receivedTimestamp: now, statusCode, sourceTimestamp, serverTimestamp };
  const next: ReportedProperty = { value, quality, receivedTimestamp: now };
  if (statusCode !== undefined) next.statusCode = statusCode;
  if (sourceTimestamp !== undefined) next.sourceTimestamp = sourceTimestamp;
  if (serverTimestamp !== undefined) next.serverTimestamp = serverTimestamp;
  return next;
}
