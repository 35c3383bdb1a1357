import type { TwinDocument } from '../twin/document';

/**
 * A twin another instance owns, rebuilt from its retained `_twin` document (twin-state's msg.twin: id, model,
 * version, created, updated, state {reported, desired, stale, lastSeen, parent}). The summary carries values, not
 * per-property metadata, so each reported value is stored with quality 'good' as of the twin's `updated` time, or
 * 'uncertain' when the owner itself marked the twin stale. The version is the owner's, so a standby that takes over
 * continues counting from it.
 */
export function documentFromSummary(body: unknown, now: number): TwinDocument | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const state = b.state as Record<string, unknown> | undefined;
  if (typeof b.id !== 'string' || b.id === '' || typeof state !== 'object' || state === null)
    return undefined;
  const version = typeof b.version === 'number' && Number.isSafeInteger(b.version) ? b.version : 0;
  const updated = typeof b.updated === 'number' && Number.isFinite(b.updated) ? b.updated : now;
  const created = typeof b.created === 'number' && Number.isFinite(b.created) ? b.created : updated;
  const stale = state.stale === true;
  const doc: TwinDocument = {
    id: b.id,
    model: typeof b.model === 'string' ? b.model : '',
    version,
    created,
    updated,
    reported: {},
    desired: {},
    history: {},
  };
  for (const [name, value] of entries(state.reported)) {
    doc.reported[name] = {
      value,
      quality: stale ? 'uncertain' : 'good',
      receivedTimestamp: updated,
      ...(stale ? { stale: true } : {}),
    };
  }
  for (const [name, value] of entries(state.desired))
    doc.desired[name] = { value, timestamp: updated, ack: 'pending' };
  if (typeof state.lastSeen === 'number') doc.lastSeen = state.lastSeen;
  if (stale) doc.stale = true;
  if (typeof state.parent === 'string') doc.parent = state.parent;
  return doc;
}

const entries = (x: unknown): [string, unknown][] =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.entries(x) : [];

/**
 * Remote quality: while a twin's owner is offline its values are the last it published, not the machine's; the twin
 * and every property are stale and 'uncertain' until the owner (or its standby) is back. Undefined: no change.
 */
export function withRemoteQuality(doc: TwinDocument, ownerOnline: boolean): TwinDocument | undefined {
  if (ownerOnline === (doc.stale !== true)) return undefined;
  const reported: TwinDocument['reported'] = {};
  for (const [name, p] of Object.entries(doc.reported)) {
    const { stale: _stale, ...rest } = p;
    reported[name] = ownerOnline
      ? { ...rest, quality: 'good' }
      : { ...rest, quality: 'uncertain', stale: true };
  }
  const next: TwinDocument = { ...doc, reported };
  if (ownerOnline) delete next.stale;
  else next.stale = true;
  return next;
}

/** The desired values of a summary, for the standby's check whether the owner applied a command. */
export function desiredOf(body: unknown): Record<string, unknown> {
  const state = (body as { state?: { desired?: unknown } } | null)?.state;
  return Object.fromEntries(entries(state?.desired));
}
