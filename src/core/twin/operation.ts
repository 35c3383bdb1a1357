import type { TwinChange } from '../envelope';
import { TwinFlowError } from '../errors';
import { computeDelta, isEmpty } from './delta';
import { withFields, type TwinDocument } from './document';
import type { TwinEvent } from './events';
import type { TwinModel } from './model';

/** Inputs every state-changing operation shares. */
export interface OperationOptions {
  /** Current time in epoch ms, from the caller's (injectable) clock. */
  now: number;
  /** Conditional update: the twin's version must equal this, else nothing changes (Ditto's If-Match). */
  expectedVersion?: number;
  clientToken?: string;
  /** Place the twin under a parent twin (parent/child relations, e.g. a pump under its station). */
  parent?: string;
  /** Tells a Proxy from a plain object (Node.js's util.types.isProxy, passed in by the runtime). */
  isProxy?: (value: object) => boolean;
}

/** What an operation produced. `doc` is a new object whenever anything about the twin changed. */
export interface TwinUpdate {
  doc: TwinDocument;
  /** Only what really changed (after deadband); empty when nothing did. */
  changes: TwinChange[];
  /** Delta entries that appeared or changed, or were desired again: what a write-back should write now. */
  delta: Record<string, unknown>;
  events: TwinEvent[];
}

/** AWS IoT's limit for a shadow request's clientToken, in UTF-8 bytes. */
export const MAX_CLIENT_TOKEN_BYTES = 64;

const utf8 = new TextEncoder();

/**
 * A request's client token, echoed on the delta so a caller can match answers to requests: a string of at most 64
 * UTF-8 bytes, as AWS IoT requires (a number is refused rather than turned into text: "1" and 1 would then collide).
 * @throws TwinFlowError badClientToken
 */
export function checkClientToken(token: unknown): string {
  if (typeof token !== 'string' || token === '') {
    throw new TwinFlowError('badClientToken', 'msg.clientToken must be a non-empty string');
  }
  if (token.length > MAX_CLIENT_TOKEN_BYTES || utf8.encode(token).length > MAX_CLIENT_TOKEN_BYTES) {
    throw new TwinFlowError(
      'badClientToken',
      `msg.clientToken must be at most ${MAX_CLIENT_TOKEN_BYTES} bytes (UTF-8)`,
    );
  }
  return token;
}

export function checkVersion(doc: TwinDocument | undefined, expected: number | undefined, id: string): void {
  if (expected === undefined) return;
  const current = doc?.version ?? 0;
  if (current !== expected) {
    throw new TwinFlowError(
      'versionConflict',
      `version conflict on ${id}: expected ${expected}, twin is at ${current}`,
      {
        twin: id,
        expected,
        current,
      },
    );
  }
}

/**
 * Finishes an operation: bumps the version once when something changed, and turns the delta before and after into
 * what to write now (new or changed entries) and `synced` events (entries the machine has caught up with).
 */
export function finishUpdate(
  before: TwinDocument | undefined,
  after: TwinDocument,
  model: TwinModel,
  changes: TwinChange[],
  events: TwinEvent[],
  options: OperationOptions,
  forceDelta: readonly string[] = [],
): TwinUpdate {
  const { now, parent } = options;
  if (!before) changes.unshift({ path: '', old: undefined, new: after.id, cause: 'create' });
  let placed = after;
  if (parent !== undefined && parent !== after.parent) {
    changes.push({ path: 'parent', old: after.parent, new: parent, cause: 'report' });
    placed = { ...after, parent };
  }
  const doc = changes.length > 0 ? withFields(placed, { version: placed.version + 1, updated: now }) : placed;
  const delta: Record<string, unknown> = {};
  // Nothing desired before or after (most twins, every report): no delta, nothing synced.
  if ((!before || isEmpty(before.desired)) && isEmpty(doc.desired)) {
    if (!before) events.unshift({ event: 'created', twin: doc.id, timestamp: now });
    return { doc, changes, delta, events };
  }
  const deltaBefore = before ? computeDelta(before, model) : {};
  const deltaAfter = computeDelta(doc, model);
  for (const name of Object.keys(deltaAfter)) {
    const value = deltaAfter[name];
    if (!(name in deltaBefore) || deltaBefore[name] !== value || forceDelta.includes(name))
      delta[name] = value;
  }
  for (const name of Object.keys(deltaBefore)) {
    if (!(name in deltaAfter) && name in doc.desired)
      events.push({ event: 'synced', twin: doc.id, property: name, timestamp: now });
  }
  if (!before) events.unshift({ event: 'created', twin: doc.id, timestamp: now });
  return { doc, changes, delta, events };
}
