import { isPlainObject, toSample } from '../envelope';
import { isTwinFlowError } from '../errors';
import { propertyOf, validateEntry, type Hierarchy, type TwinModel } from '../twin';
import { awsRejected, parseAwsDelta } from './aws';
import { commandMatcher } from './topic';

/**
 * Desired values arriving from the broker (a /set topic, an AWS delta, a Sparkplug DCMD), decided before anything
 * leaves the bridge: each property is checked against the model (known, writable, type, range, unit); a twin the
 * model does not hold is refused unless creating is allowed; a full intake queue refuses with `busy`. Every refusal
 * carries a stable reason code for `/set/rejected`.
 */
export type RefusalCode =
  'unknownTwin' | 'unknownProperty' | 'notWritable' | 'invalidValue' | 'noModel' | 'busy' | 'badCommand';

export interface Refusal {
  property?: string;
  code: RefusalCode;
  reason: string;
  /** Commands this one reply answers (busy replies are coalesced under overload); absent: one. */
  count?: number;
}

export interface CommandDecision {
  accepted: Record<string, unknown>;
  refused: Refusal[];
}

export interface CommandContext {
  model: TwinModel | undefined;
  /** Whether the model holds this twin today. */
  exists: boolean;
  /** Whether a command may create a twin the model does not hold (a setting; off by default). */
  createUnknown: boolean;
}

export function decideCommand(
  ctx: CommandContext,
  twin: string,
  values: Record<string, unknown>,
): CommandDecision {
  const refuseAll = (code: RefusalCode, reason: string): CommandDecision => ({
    accepted: {},
    refused: [{ code, reason }],
  });
  if (!ctx.model) return refuseAll('noModel', 'no twin model is configured on the bridge');
  if (!ctx.exists && !ctx.createUnknown) return refuseAll('unknownTwin', `unknown twin ${twin.slice(0, 80)}`);
  const accepted: Record<string, unknown> = {};
  const refused: Refusal[] = [];
  for (const [property, raw] of Object.entries(values)) {
    try {
      const def = propertyOf(ctx.model, property);
      if (!def.writable) {
        refused.push({ property, code: 'notWritable', reason: `${property} is not writable` });
        continue;
      }
      const entry = isPlainObject(raw) && 'value' in raw ? raw : { value: raw };
      accepted[property] = validateEntry(def, toSample(entry)).value;
    } catch (err) {
      const unknown = isTwinFlowError(err) && err.key === 'unknownProperty';
      refused.push({
        property,
        code: unknown ? 'unknownProperty' : 'invalidValue',
        reason: isTwinFlowError(err) ? err.message : String(err),
      });
    }
  }
  return { accepted, refused };
}

/** The refusal of `count` commands while the intake is full (one coalesced reply, see RefusalReplies). */
export function busyRefusal(count: number): Refusal {
  return { code: 'busy', reason: `too many commands waiting (${count} refused)`, count };
}

/** The body of a `/set/rejected` message. */
export function rejectionBody(refusal: Refusal, timestamp: number): string {
  const { code, reason, count } = refusal;
  return JSON.stringify(
    count === undefined ? { code, reason, timestamp } : { code, reason, count, timestamp },
  );
}

/** A command body as sent by a person or a program: JSON when it parses, else the text itself. */
export function parseCommandBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A command read from the broker, with how to answer a refusal in the layout's own shape. */
export interface IncomingCommand {
  twin: string;
  values: Record<string, unknown>;
  rejection(refusal: Refusal, now: number): { topic: string; payload: string };
}

/** AWS answers in HTTP terms: 404 for a thing it does not know, 429 when busy, 400 for a bad request. */
const AWS_STATUS: Partial<Record<RefusalCode, number>> = { unknownTwin: 404, busy: 429 };

/**
 * A reader of command messages for the layout: the twin and desired values of a `/set` topic (uns layout) or an AWS
 * shadow delta (aws layout), or undefined when the topic is none of the bridge's command topics.
 */
export function commandReader(
  settings: { layout: 'uns' | 'aws' | 'sparkplug'; topic: string; setSuffix: string },
  hierarchy: Hierarchy,
): (topic: string, text: string) => IncomingCommand | undefined {
  if (settings.layout === 'aws')
    return (topic, text) => {
      const delta = parseAwsDelta(topic, parseCommandBody(text));
      if (!delta) return undefined;
      return {
        twin: delta.twin,
        values: delta.state,
        rejection: (r, now) =>
          awsRejected(
            delta.twin,
            AWS_STATUS[r.code] ?? 400,
            `${r.code}: ${r.reason}`,
            now,
            delta.clientToken,
          ),
      };
    };
  if (settings.layout !== 'uns') return () => undefined;
  const match = commandMatcher(settings.topic, hierarchy, settings.setSuffix);
  return (topic, text) => {
    const target = match(topic);
    if (!target) return undefined;
    return {
      twin: target.twin,
      values: { [target.property]: parseCommandBody(text) },
      rejection: (r, now) => ({ topic: `${topic}/rejected`, payload: rejectionBody(r, now) }),
    };
  };
}

/** One command message read with commandReader (for a single message; a bridge keeps its reader). */
export function readCommand(
  settings: { layout: 'uns' | 'aws' | 'sparkplug'; topic: string; setSuffix: string },
  hierarchy: Hierarchy,
  topic: string,
  text: string,
): IncomingCommand | undefined {
  return commandReader(settings, hierarchy)(topic, text);
}
