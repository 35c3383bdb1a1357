import { TwinFlowError } from '../errors';
import type { Hierarchy } from '../twin/model';

/**
 * Unified Namespace topics from a template such as {enterprise}/{site}/{area}/{line}/{cell}/{twin}/{property}
 * (the ISA-95 levels come from the twin model). Empty levels are dropped, so a model without a cell does not
 * publish to "Acme/Plant1/Utilities/PumpStation//Pump01/flow".
 *
 * A value becomes exactly one topic level by percent-escaping (see escapeLevel): a twin id can never widen a
 * subscription or add a level, and two different ids never share a topic ("a/b" is a%2Fb, "a_b" stays a_b).
 */
export const DEFAULT_TOPIC_TEMPLATE = '{enterprise}/{site}/{area}/{line}/{cell}/{twin}/{property}';

/** MQTT's limit for a topic name: a UTF-8 string of at most 65,535 bytes. */
export const MAX_TOPIC_BYTES = 65_535;

export type TopicValues = Hierarchy & { twin: string; property?: string };

// eslint-disable-next-line no-control-regex -- NUL is one of the characters a topic level must not hold
const ESCAPED = /[%/+#\u0000]/g;

/**
 * One topic level from any string, injectively: `%`, `/`, `+`, `#` and NUL become %25, %2F, %2B, %23 and %00;
 * everything else stands for itself, so ordinary ids (Pump01, Line-2.Cell_3) look the same on the broker.
 *
 * @example escapeLevel('a/b') // => 'a%2Fb'
 */
export function escapeLevel(value: string): string {
  return value.replace(ESCAPED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * The inverse of escapeLevel; undefined for a level escapeLevel cannot produce (a wildcard, a stray %).
 *
 * @example unescapeLevel('a%2Fb') // => 'a/b'
 */
export function unescapeLevel(level: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- NUL is one of the characters a topic level must not hold
  if (/[/+#\u0000]/.test(level)) return undefined;
  let bad = false;
  const out = level.replace(/%(..)?/g, (_m, hex: string | undefined) => {
    const code =
      hex === undefined ? NaN : ['25', '2F', '2B', '23', '00'].includes(hex) ? parseInt(hex, 16) : NaN;
    if (Number.isNaN(code)) bad = true;
    return String.fromCharCode(code || 0);
  });
  return bad ? undefined : out;
}

/** UTF-8 length without allocating (lone surrogates count as the 3-byte replacement character). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (
      c >= 0xd800 &&
      c <= 0xdbff &&
      i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Throws unless `topic` is a topic name a broker accepts for PUBLISH: not empty, no wildcard, no NUL, no lone
 * surrogate (not well-formed UTF-8) and at most 65,535 bytes of UTF-8.
 */
export function checkTopicName(topic: string): void {
  const refuse = (why: string): never => {
    throw new TwinFlowError('topicRefused', `cannot publish to ${topic.slice(0, 60)}: ${why}`, {
      topic: topic.slice(0, 60),
      why,
    });
  };
  if (topic === '') refuse('it is empty');
  if (/[+#]/.test(topic)) refuse('it holds an MQTT wildcard (+ or #)');
  if (topic.includes('\u0000')) refuse('it holds a NUL character');
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(topic))
    refuse('it is not well-formed UTF-8');
  const bytes = utf8Bytes(topic);
  if (bytes > MAX_TOPIC_BYTES) refuse(`it is ${bytes} bytes of UTF-8, over MQTT's ${MAX_TOPIC_BYTES}`);
}

/**
 * @example renderTopic('{enterprise}/{site}/{cell}/{twin}/{property}', { enterprise: 'Acme', site: 'P1', twin: 'Pump01', property: 'flow' }) // => 'Acme/P1/Pump01/flow'
 */
export function renderTopic(template: string, values: TopicValues): string {
  const parts = template.split('/').map((part) =>
    part.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const v = (values as Record<string, string | undefined>)[name];
      return v === undefined ? '' : escapeLevel(v);
    }),
  );
  const topic = parts.filter((p) => p !== '').join('/');
  if (topic === '')
    throw new TwinFlowError('badTopic', `the topic template ${template} gives an empty topic`, { template });
  return topic;
}

/** The topic pattern that matches the template's `/set` command topics for any twin and property. */
export function commandSubscription(template: string, values: Hierarchy, suffix: string): string {
  return `${renderTopic(template, { ...values, twin: '\u0001', property: '\u0002' })
    .replace('\u0001', '+')
    .replace('\u0002', '+')}/${suffix}`;
}

/**
 * A function giving the twin and property (unescaped) of a command topic, or undefined when the topic is not one;
 * the pattern is worked out once, not per command (a burst of 100,000 commands meets it 100,000 times).
 */
export function commandMatcher(
  template: string,
  values: Hierarchy,
  suffix: string,
): (topic: string) => { twin: string; property: string } | undefined {
  const pattern = commandSubscription(template, values, suffix).split('/');
  return (topic) => {
    const parts = topic.split('/');
    if (parts.length !== pattern.length) return undefined;
    const wild: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (pattern[i] === '+') wild.push(parts[i]);
      else if (pattern[i] !== parts[i]) return undefined;
    }
    if (wild.length !== 2) return undefined;
    const twin = unescapeLevel(wild[0]);
    const property = unescapeLevel(wild[1]);
    return twin === undefined || property === undefined ? undefined : { twin, property };
  };
}

/** Twin and property (unescaped) of a command topic, or undefined when the topic is not one. */
export function parseCommandTopic(
  template: string,
  values: Hierarchy,
  suffix: string,
  topic: string,
): { twin: string; property: string } | undefined {
  return commandMatcher(template, values, suffix)(topic);
}
