import { DEFAULT_TOPIC_TEMPLATE, renderTopic } from '../uns/topic';
import type { Migration } from './migrate';
import { latestVersion } from './migrate';

/**
 * twin-uns: the Unified Namespace bridge. Layouts: `uns` (one topic per property from an ISA-95 template), `aws`
 * (AWS IoT Device Shadow topics), `sparkplug` (Sparkplug B: the bridge is an edge node, twins are devices).
 */
export type Layout = 'uns' | 'aws' | 'sparkplug';

export interface UnsSettings {
  name: string;
  broker: string;
  model: string;
  topic: string;
  qos: string | number;
  retain: boolean;
  publishTwin: boolean;
  commands: boolean;
  setSuffix: string;
  bufferSize: string | number;
  layout: Layout;
  group: string;
  edgeNode: string;
  /** Whether a command may create a twin the model does not hold (off: "unknown twin"). */
  createUnknown: boolean;
  /** Commands waiting to be decided, at most; over it a command is refused with `busy`. */
  commandQueue: string | number;
  /** Largest PUBLISH packet in bytes; 0: the broker's Maximum Packet Size (MQTT 5 CONNACK), else MQTT's own. */
  maxMessageBytes: string | number;
  version: number;
}

export interface UnsConfig {
  layout: Layout;
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  publishTwin: boolean;
  commands: boolean;
  setSuffix: string;
  bufferSize: number;
  group: string;
  edgeNode: string;
  createUnknown: boolean;
  commandQueue: number;
  maxMessageBytes: number;
}

export const DEFAULTS: UnsSettings = {
  name: '',
  broker: '',
  model: '',
  topic: DEFAULT_TOPIC_TEMPLATE,
  qos: '1',
  retain: true,
  publishTwin: true,
  commands: true,
  setSuffix: 'set',
  bufferSize: '10000',
  layout: 'uns',
  group: 'TwinFlow',
  edgeNode: '',
  createUnknown: false,
  commandQueue: '1000',
  maxMessageBytes: '0',
  version: 3,
};

/** MQTT's largest packet (its Remaining Length field), the limit when neither the broker nor the setting says less. */
export const MQTT_MAX_PACKET = 268_435_455;

export const MIGRATIONS: readonly Migration<UnsSettings>[] = [
  {
    to: 1,
    up: (c) => ({
      topic: DEFAULT_TOPIC_TEMPLATE,
      qos: 1,
      retain: true,
      publishTwin: true,
      commands: true,
      setSuffix: 'set',
      bufferSize: 10000,
      layout: 'uns',
      group: 'TwinFlow',
      edgeNode: '',
      ...c,
    }),
  },
  // Version 2 added the AWS shadow and Sparkplug B layouts; older flows keep the UNS layout.
  { to: 2, up: (c) => ({ ...c, layout: 'uns' }) },
  // Version 3: commands for twins the model does not hold are refused (they used to create them), the command
  // intake is bounded, and the message size is checked before anything is queued.
  {
    to: 3,
    up: (c) => ({ createUnknown: false, commandQueue: 1000, maxMessageBytes: 0, ...c }),
  },
];

export const VERSION = latestVersion(MIGRATIONS);

const count = (v: unknown, fallback: number): number => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
};

export function parse(settings: Partial<UnsSettings>): { config: UnsConfig } | { errors: string[] } {
  const s = { ...DEFAULTS, ...settings };
  const errors: string[] = [];
  const layout: Layout = s.layout === 'aws' || s.layout === 'sparkplug' ? s.layout : 'uns';
  if (layout === 'uns') {
    if (!s.topic.includes('{twin}') || !s.topic.includes('{property}'))
      errors.push('the topic template needs {twin} and {property}');
    else
      try {
        renderTopic(s.topic, { twin: 't', property: 'p' });
      } catch (err) {
        errors.push((err as Error).message);
      }
  }
  if (layout === 'sparkplug' && (!s.group || /[+#/]/.test(s.group)))
    errors.push('a Sparkplug group id is required, without + # /');
  if (layout === 'sparkplug' && /[+#/]/.test(s.edgeNode)) errors.push('no + # / in an edge node id');
  if (!s.setSuffix || /[+#/]/.test(s.setSuffix)) errors.push('the command suffix must be one topic level');
  if (errors.length > 0) return { errors };
  const q = Number(s.qos);
  return {
    config: {
      layout,
      topic: s.topic,
      qos: q === 0 ? 0 : q === 2 ? 2 : 1,
      retain: s.retain !== false,
      publishTwin: s.publishTwin !== false,
      commands: s.commands !== false,
      setSuffix: s.setSuffix,
      bufferSize: count(s.bufferSize, 10000) || 10000,
      group: s.group || 'TwinFlow',
      edgeNode: s.edgeNode,
      createUnknown: s.createUnknown === true,
      commandQueue: count(s.commandQueue, 1000) || 1000,
      maxMessageBytes: Math.min(count(s.maxMessageBytes, 0) || MQTT_MAX_PACKET, MQTT_MAX_PACKET),
    },
  };
}
