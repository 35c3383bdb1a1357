import type { TwinChange } from '../envelope';
import { TwinFlowError } from '../errors';
import { withFields, createTwin, type DesiredProperty, type TwinDocument } from './document';
import type { TwinEvent } from './events';
import { jsonEqual, mergePatch, omit } from './merge';
import { DEFAULT_MAX_CLOCK_SKEW, type TwinModel } from './model';
import { checkVersion, finishUpdate, type OperationOptions, type TwinUpdate } from './operation';
import { checkPayload } from './sanitize';
import { propertyOf, validateCheckedEntry } from './validate';
import { copyRecord } from '../shallow-copy';

/**
 * Sets desired values (what someone wants the machine to do). Only writable properties may be desired, and values are
 * checked and converted like reports. `null` withdraws a desired value. Desiring a value again, even the same one,
 * sends it to the delta output again: a repeated command is a retry, for instance after a rejected write.
 */
export function applyDesire(
  doc: TwinDocument | undefined,
  model: TwinModel,
  id: string,
  payload: unknown,
  options: OperationOptions,
): TwinUpdate {
  const entries = checkPayload(payload, model.maxPayloadSize, options.isProxy);
  checkVersion(doc, options.expectedVersion, id);
  const validated = Object.keys(entries).map((name) => {
    const def = propertyOf(model, name);
    if (!def.writable) {
      throw new TwinFlowError('notWritable', `${name} is not writable in model ${model.name}`, {
        property: name,
      });
    }
    const entry = entries[name];
    const limit = { now: options.now, maxClockSkew: model.maxClockSkew ?? DEFAULT_MAX_CLOCK_SKEW };
    return { name, def, value: entry === null ? null : validateCheckedEntry(def, entry, limit).value };
  });

  const { now } = options;
  const base = doc ?? createTwin(id, model.name, now);
  let desired: Record<string, DesiredProperty> = copyRecord(base.desired);
  const changes: TwinChange[] = [];
  const events: TwinEvent[] = [];
  const again: string[] = [];
  for (const { name, def, value: given } of validated) {
    const old = base.desired[name];
    // RFC 7396 for object properties, as AWS merges desired documents: null members delete and are never stored.
    const value = def.type === 'object' && given !== null ? mergePatch(old?.value, given) : given;
    if (value === null) {
      if (old) {
        desired = omit(desired, name);
        changes.push({ path: `desired.${name}`, old: old.value, new: undefined, cause: 'desire' });
      }
      continue;
    }
    const next: DesiredProperty = { value, timestamp: now, ack: 'pending' };
    if (options.clientToken !== undefined) next.clientToken = options.clientToken;
    desired[name] = next;
    again.push(name);
    if (!old || !jsonEqual(old.value, value)) {
      changes.push({ path: `desired.${name}`, old: old?.value, new: value, cause: 'desire' });
    } else if (old.ack !== 'pending') {
      changes.push({ path: `desired.${name}.ack`, old: old.ack, new: 'pending', cause: 'desire' });
    }
  }
  return finishUpdate(doc, withFields(base, { desired }), model, changes, events, options, again);
}
