import { isPlainObject, type TwinChange } from '../envelope';
import { TwinFlowError } from '../errors';
import { withFields, type AckStatus, type DesiredProperty, type TwinDocument } from './document';
import type { TwinEvent } from './events';
import type { TwinModel } from './model';
import { checkVersion, finishUpdate, type OperationOptions, type TwinUpdate } from './operation';
import { checkPayload } from './sanitize';
import { propertyOf } from './validate';
import { copyRecord } from '../shallow-copy';

function parseAck(name: string, entry: unknown): { status: Exclude<AckStatus, 'pending'>; reason?: string } {
  if (entry === true || entry === 'accepted') return { status: 'accepted' };
  if (entry === false || entry === 'rejected') return { status: 'rejected' };
  if (isPlainObject(entry) && (entry.status === 'accepted' || entry.status === 'rejected')) {
    return typeof entry.reason === 'string'
      ? { status: entry.status, reason: entry.reason }
      : { status: entry.status };
  }
  throw new TwinFlowError(
    'badAck',
    `acknowledgement for ${name} must be {status: "accepted"|"rejected", reason?}`,
    {
      property: name,
    },
  );
}

/**
 * Records what the machine (or the write-back node) said about desired values: accepted or rejected, with a reason.
 * Payload: `{property: {status, reason?}}`, or `true`/`false`, or the status string.
 */
export function applyAck(
  doc: TwinDocument | undefined,
  model: TwinModel,
  id: string,
  payload: unknown,
  options: OperationOptions,
): TwinUpdate {
  const entries = checkPayload(payload, model.maxPayloadSize, options.isProxy);
  if (!doc) throw new TwinFlowError('unknownTwin', `no twin ${id}`, { twin: id });
  checkVersion(doc, options.expectedVersion, id);
  const acks = Object.keys(entries).map((name) => {
    propertyOf(model, name);
    if (!doc.desired[name]) {
      throw new TwinFlowError('noDesired', `${name} has no desired value to acknowledge`, { property: name });
    }
    return { name, ...parseAck(name, entries[name]) };
  });
  const { now } = options;
  const desired: Record<string, DesiredProperty> = copyRecord(doc.desired);
  const changes: TwinChange[] = [];
  const events: TwinEvent[] = [];
  for (const { name, status, reason } of acks) {
    const old = doc.desired[name];
    const next: DesiredProperty = { ...old, ack: status, ackTimestamp: now };
    if (reason !== undefined) next.reason = reason;
    else delete next.reason;
    desired[name] = next;
    if (old.ack !== status)
      changes.push({ path: `desired.${name}.ack`, old: old.ack, new: status, cause: 'ack' });
    events.push({
      event: 'ack',
      twin: id,
      property: name,
      status,
      timestamp: now,
      ...(reason ? { reason } : {}),
    });
  }
  return finishUpdate(doc, withFields(doc, { desired }), model, changes, events, options);
}
