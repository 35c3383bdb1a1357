import { TWIN_ACTIONS, type TwinAction } from '../twin/actions';
import { latestVersion, type Migration } from './migrate';

/** twin-state: the twin store's front door (report, desire, ack, get, list, query, delete). */
export interface TwinStateSettings {
  name: string;
  /** Id of the twin-model config node. */
  model: string;
  /** The operation, or 'msg' to take it from msg.action (falling back to report). */
  action: TwinAction | 'msg';
  /** Where the twin id comes from (a typedInput: msg/flow/global/str/env/jsonata). */
  twinId: string;
  twinIdType: string;
  version: number;
}

export const TWIN_ID_TYPES = ['msg', 'flow', 'global', 'str', 'env', 'jsonata'] as const;

export const MIGRATIONS: readonly Migration<TwinStateSettings>[] = [
  { to: 1, up: (c) => ({ action: 'msg', twinId: 'topic', twinIdType: 'msg', ...c }) },
];

export const VERSION = latestVersion(MIGRATIONS);

export const DEFAULTS: TwinStateSettings = {
  name: '',
  model: '',
  action: 'msg',
  twinId: 'topic',
  twinIdType: 'msg',
  version: VERSION,
};

export function isAction(value: unknown): value is TwinAction | 'msg' {
  return value === 'msg' || (TWIN_ACTIONS as readonly unknown[]).includes(value);
}

/** Checks saved settings; the runtime reports the errors on every message, the editor marks the fields. */
export function parse(
  settings: Partial<TwinStateSettings>,
): { config: TwinStateSettings } | { errors: string[] } {
  const s = { ...DEFAULTS, ...settings };
  const errors: string[] = [];
  if (!isAction(s.action)) errors.push(`action must be msg or one of ${TWIN_ACTIONS.join(', ')}`);
  if (!(TWIN_ID_TYPES as readonly string[]).includes(s.twinIdType))
    errors.push('twinIdType is not a known type');
  if (typeof s.twinId !== 'string' || (s.twinIdType === 'msg' && s.twinId.trim() === ''))
    errors.push('twinId must name a message property');
  return errors.length > 0 ? { errors } : { config: s };
}
