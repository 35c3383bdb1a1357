import { TwinFlowError } from '../errors';
import { defineMapping, type Mapping } from '../opcua/mapping';
import { latestVersion, type Migration } from './migrate';

/** twin-opcua-map: OPC UA variables to twin properties (and desired values back). */
export interface MapSettings {
  name: string;
  endpoint: string;
  /** JSON: {namespace?, refresh?, properties: [...], instances: [...]} (see core/opcua/mapping). */
  mapping: string;
  /** Values each monitored item may queue at the server between two publishes (the oldest is dropped beyond). */
  queueSize: number;
  /** Milliseconds between publishes; 0: the items' sampling interval. */
  publishingInterval: number;
  version: number;
}

export interface MapConfig extends Omit<MapSettings, 'mapping'> {
  mapping: Mapping;
}

export const DEFAULTS: Omit<MapSettings, 'version'> = {
  name: '',
  endpoint: '',
  mapping: '',
  queueSize: 10,
  publishingInterval: 0,
};

export const MIGRATIONS: readonly Migration<MapSettings>[] = [
  { to: 1, up: (c) => ({ mapping: '', ...c }) },
  // 2: queue size and publishing interval are settings (version 1 queued 1 value per item).
  { to: 2, up: (c) => ({ queueSize: 10, publishingInterval: 0, ...c }) },
];

export const VERSION = latestVersion(MIGRATIONS);

export function parse(input: object): { config: MapConfig } | { errors: string[] } {
  const settings = input as Record<string, unknown>;
  const errors: string[] = [];
  let mapping: Mapping | undefined;
  try {
    mapping = defineMapping(JSON.parse(String(settings.mapping || '{}')));
  } catch (err) {
    errors.push(
      err instanceof SyntaxError
        ? 'the mapping is not valid JSON'
        : err instanceof TwinFlowError || err instanceof Error
          ? err.message
          : String(err),
    );
  }
  const queueSize = Number(settings.queueSize ?? DEFAULTS.queueSize);
  if (!Number.isInteger(queueSize) || queueSize < 1 || queueSize > 10_000)
    errors.push('queueSize must be a whole number from 1 to 10000');
  const publishingInterval = Number(settings.publishingInterval ?? 0);
  if (!Number.isFinite(publishingInterval) || publishingInterval < 0)
    errors.push('publishingInterval must be 0 (the sampling interval) or milliseconds');
  if (errors.length || !mapping) return { errors };
  return {
    config: {
      name: String(settings.name ?? ''),
      endpoint: String(settings.endpoint ?? ''),
      mapping,
      queueSize,
      publishingInterval,
      version: Number(settings.version) || VERSION,
    },
  };
}
