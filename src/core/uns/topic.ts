import { TwinFlowError } from '../errors';
import type { Hierarchy } from '../twin/model';

/**
 * Unified Namespace topics from a template such as {enterprise}/{site}/{area}/{line}/{cell}/{twin}/{property}
 * (the ISA-95 levels come from the twin model). Empty levels are dropped, so a model without a cell does not
 * publish to "Acme/Plant1/Utilities/PumpStation//Pump01/flow". MQTT wildcards and separators inside a value are
 * replaced, so a twin id can never widen a subscription or add a level.
 */
export const DEFAULT_TOPIC_TEMPLATE = '{enterprise}/{site}/{area}/{line}/{cell}/{twin}/{property}';

export type TopicValues = Hierarchy & { twin: string; property?: string };

const level = (value: string): string => value.replace(/[+#/]/g, '_').replaceAll(String.fromCharCode(0), '_');

/**
 * @example renderTopic('{enterprise}/{site}/{cell}/{twin}/{property}', { enterprise: 'Acme', site: 'P1', twin: 'Pump01', property: 'flow' }) // => 'Acme/P1/Pump01/flow'
 */
export function renderTopic(template: string, values: TopicValues): string {
  const parts = template.split('/').map((part) =>
    part.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const v = (values as Record<string, string | undefined>)[name];
      return v === undefined ? '' : level(v);
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

/** Twin and property of a command topic, or undefined when the topic is not one. */
export function parseCommandTopic(
  template: string,
  values: Hierarchy,
  suffix: string,
  topic: string,
): { twin: string; property: string } | undefined {
  const pattern = commandSubscription(template, values, suffix).split('/');
  const parts = topic.split('/');
  if (parts.length !== pattern.length) return undefined;
  const wild: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (pattern[i] === '+') wild.push(parts[i]);
    else if (pattern[i] !== parts[i]) return undefined;
  }
  return wild.length === 2 ? { twin: wild[0], property: wild[1] } : undefined;
}
