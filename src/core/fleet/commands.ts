import { isPlainObject, isSample } from '../envelope';
import { TwinFlowError } from '../errors';
import { propertyOf, validateEntry, type TwinModel } from '../twin';

/** A `/set` command's body: a bare value, or {value, clientToken?} (what the fleet mirror sends). */
export interface Command {
  value: unknown;
  clientToken?: string;
}

export function parseCommandBody(text: string): Command {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (isPlainObject(body) && 'value' in body) {
    const token = body.clientToken;
    return {
      value: body.value,
      ...(typeof token === 'string' || typeof token === 'number' ? { clientToken: String(token) } : {}),
    };
  }
  return { value: body };
}

/**
 * Checks a command against the owner's model (known, writable, type, range, unit) and returns the value in the
 * model's unit; throws a TwinFlowError with the reason the owner answers on `.../set/rejected`.
 */
export function acceptCommand(model: TwinModel, property: string, command: Command): unknown {
  const def = propertyOf(model, property);
  if (!def.writable) throw new TwinFlowError('notWritable', `${property} is not writable`, { property });
  const entry = isSample(command.value) ? command.value : { value: command.value };
  return validateEntry(def, entry).value;
}

/**
 * Commands a standby has seen on its partition's `/set` topics, the latest per twin and property, kept until the
 * owner's published twin shows the value as desired. At a take-over the rest are the commands the broker accepted
 * (QoS 1) that the old owner never applied: the new owner applies them, so none is lost. Bounded: beyond `limit`
 * the oldest is dropped and counted.
 */
export interface PendingCommands {
  entries: Map<string, { twin: string; property: string; command: Command }>;
  limit: number;
  dropped: number;
}

export function createPending(limit: number): PendingCommands {
  return { entries: new Map(), limit, dropped: 0 };
}

const keyOf = (twin: string, property: string): string => `${twin}\u0000${property}`;

export function rememberCommand(p: PendingCommands, twin: string, property: string, command: Command): void {
  const key = keyOf(twin, property);
  p.entries.delete(key);
  p.entries.set(key, { twin, property, command });
  if (p.entries.size > p.limit) {
    const oldest = p.entries.keys().next().value as string;
    p.entries.delete(oldest);
    p.dropped++;
  }
}

/** Forgets the commands the owner's published twin shows as applied (its desired value equals the command's). */
export function settleCommands(p: PendingCommands, twin: string, desired: Record<string, unknown>): void {
  if (p.entries.size === 0) return;
  for (const [property, value] of Object.entries(desired)) {
    const key = keyOf(twin, property);
    const entry = p.entries.get(key);
    if (entry && sameValue(entry.command.value, value)) p.entries.delete(key);
  }
}

/** Takes every pending command out, oldest first. */
export function drainCommands(p: PendingCommands): { twin: string; property: string; command: Command }[] {
  const all = [...p.entries.values()];
  p.entries.clear();
  return all;
}

const sameValue = (a: unknown, b: unknown): boolean => {
  const av = isSample(a) ? a.value : a;
  return av === b || JSON.stringify(av) === JSON.stringify(b);
};
