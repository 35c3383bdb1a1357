import type { Migration } from './migrate';
import { isPrefix } from '../fleet/topics';

/**
 * twin-fleet: one node, three roles.
 * - member: an owner or a standby of one partition (its twin-model's twins under `prefix`). Publishes the twins it
 *   is given (twin-state's output) while it owns the partition, takes `/set` commands for them, and announces
 *   itself on <prefix>/_owner/<member>. Configured as the owner (`preferred`) or as a standby.
 * - mirror: a read-only fleet view. Mirrors every `_twin` document under `prefix` (all partitions) into its
 *   twin-model, with remote quality from the owners' births and deaths, and sends writes as `/set` commands.
 */
export interface TwinFleetSettings {
  name: string;
  broker: string;
  model: string;
  role: 'owner' | 'standby' | 'mirror';
  prefix: string;
  member: string;
  takeBack: boolean;
  /** Seconds without a heartbeat after which an owner is considered gone. */
  lease: number | string;
  qos: number | string;
  version: number;
}

export const VERSION = 1;

export const DEFAULTS: Omit<TwinFleetSettings, 'version'> = {
  name: '',
  broker: '',
  model: '',
  role: 'owner',
  prefix: 'TwinFlow/line1',
  member: '',
  takeBack: false,
  // Strings, as the editor's text and select fields save them.
  lease: '10',
  qos: '1',
};

export const MIGRATIONS: readonly Migration<TwinFleetSettings>[] = [
  { to: 1, up: (c) => ({ ...DEFAULTS, ...c }) },
];

export interface TwinFleetConfig {
  role: 'owner' | 'standby' | 'mirror';
  prefix: string;
  member: string;
  takeBack: boolean;
  leaseMs: number;
  qos: 0 | 1 | 2;
}

export function parse(
  settings: Partial<TwinFleetSettings>,
): { config: TwinFleetConfig } | { errors: string[] } {
  const errors: string[] = [];
  const role = settings.role ?? DEFAULTS.role;
  if (role !== 'owner' && role !== 'standby' && role !== 'mirror')
    errors.push(`unknown role ${String(role)}`);
  const prefix = String(settings.prefix ?? '').replace(/\/+$/, '');
  if (!isPrefix(prefix)) errors.push('the prefix must be one or more topic levels without + or #');
  const member = String(settings.member ?? '');
  if (/[+#/]/.test(member)) errors.push('the member id must not contain + # /');
  const lease = Number(settings.lease ?? DEFAULTS.lease);
  if (!Number.isFinite(lease) || lease < 1 || lease > 3600)
    errors.push('the lease must be 1 to 3600 seconds');
  const qos = Number(settings.qos ?? DEFAULTS.qos);
  if (errors.length > 0) return { errors };
  return {
    config: {
      role,
      prefix,
      member,
      takeBack: settings.takeBack === true,
      leaseMs: lease * 1000,
      qos: qos === 0 ? 0 : qos === 2 ? 2 : 1,
    },
  };
}
