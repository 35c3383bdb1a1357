import type { Migration } from './migrate';
import { latestVersion } from './migrate';

/**
 * twin-mqtt-broker: one MQTT connection shared by the TwinFlow nodes that use it. The protocol is MQTT 5, MQTT
 * 3.1.1, or `auto`: MQTT 5 first, and 3.1.1 when the broker refuses version 5 (CONNACK "unsupported protocol
 * version", or the connection closed at once as MQTT 3.1.1-only brokers such as aedes do). TLS settings come from
 * one of Node-RED's own `tls-config` nodes; user name and password from the credential store.
 */
export type ProtocolSetting = 'auto' | '5' | '4';

export interface BrokerSettings {
  name: string;
  url: string;
  clientId: string;
  protocolVersion: ProtocolSetting | number;
  /** The id of a Node-RED `tls-config` node (CA, client certificate and key, server verification), or ''. */
  tls: string;
  version: number;
}

export interface BrokerConfig {
  url: string;
  clientId: string;
  protocol: 'auto' | 4 | 5;
  tls: string;
}

export const DEFAULTS: BrokerSettings = {
  name: '',
  url: 'mqtt://127.0.0.1:1883',
  clientId: '',
  protocolVersion: 'auto',
  tls: '',
  version: 2,
};

export const MIGRATIONS: readonly Migration<BrokerSettings>[] = [
  // Version 1 knew MQTT 5 (its default) and 3.1.1; a version-1 flow that left the protocol out meant MQTT 5.
  {
    to: 1,
    up: (c) => ({
      url: DEFAULTS.url,
      clientId: '',
      ...c,
      protocolVersion: c.protocolVersion ?? (Number(c.version) >= 2 ? 'auto' : '5'),
    }),
  },
  // Version 2 added TLS through a tls-config node, and `auto` (the new default; saved flows keep their choice).
  { to: 2, up: (c) => ({ tls: '', ...c }) },
];

export const VERSION = latestVersion(MIGRATIONS);

export const URL_PATTERN = /^(mqtts?|wss?|tcp|tls):\/\/[^\s]+$/;

export function parse(settings: Partial<BrokerSettings>): { config: BrokerConfig } | { errors: string[] } {
  const s = { ...DEFAULTS, ...settings };
  const errors: string[] = [];
  const url = String(s.url ?? '');
  if (!URL_PATTERN.test(url))
    errors.push(`the broker URL must look like mqtt://host:1883 (got ${url.slice(0, 80)})`);
  const p = String(s.protocolVersion);
  const protocol = p === '4' ? 4 : p === '5' ? 5 : p === 'auto' ? 'auto' : undefined;
  if (protocol === undefined) errors.push(`the protocol must be auto, 5 or 4 (got ${p.slice(0, 20)})`);
  if (errors.length > 0 || protocol === undefined) return { errors };
  return { config: { url, clientId: String(s.clientId ?? ''), protocol, tls: String(s.tls ?? '') } };
}
