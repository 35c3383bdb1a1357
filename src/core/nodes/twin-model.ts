import { DEFAULT_MAX_CLOCK_SKEW, defineModel, type TwinModel } from '../twin/model';
import { latestVersion, type Migration } from './migrate';

/** twin-model (config node): the schema of one kind of machine and the store of its twins. */
export interface TwinModelSettings {
  name: string;
  /** JSON text of the property list (the editor's table), or the list itself when built by code. */
  properties: string | unknown[];
  enterprise: string;
  site: string;
  area: string;
  line: string;
  cell: string;
  staleAfter: string | number;
  /** Milliseconds a source timestamp may be ahead of this clock; '' or absent: the default (5 min), so no migration. */
  maxClockSkew: string | number;
  /** Context store for persistence; blank: the default store. */
  store: string;
  version: number;
}

export const MIGRATIONS: readonly Migration<TwinModelSettings>[] = [
  {
    // version 1 is the first release; configs without a version get every field defaulted.
    to: 1,
    up: (c) => ({
      properties: '[]',
      enterprise: '',
      site: '',
      area: '',
      line: '',
      cell: '',
      staleAfter: '',
      store: '',
      ...c,
    }),
  },
];

export const VERSION = latestVersion(MIGRATIONS);

export const DEFAULTS: TwinModelSettings = {
  name: '',
  properties: '[]',
  enterprise: '',
  site: '',
  area: '',
  line: '',
  cell: '',
  staleAfter: '',
  maxClockSkew: '',
  store: '',
  version: VERSION,
};

function propertiesOf(raw: string | unknown[]): unknown {
  if (Array.isArray(raw)) return raw;
  try {
    return JSON.parse(raw || '[]') as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The model the settings describe.
 * @throws TwinFlowError invalidModel naming the first problem (defineModel's check).
 */
export function modelOf(settings: Partial<TwinModelSettings>): TwinModel {
  const s = { ...DEFAULTS, ...settings };
  return defineModel({
    name: s.name,
    properties: propertiesOf(s.properties),
    hierarchy: s,
    staleAfter: s.staleAfter,
    maxClockSkew: s.maxClockSkew === '' ? DEFAULT_MAX_CLOCK_SKEW : s.maxClockSkew,
  });
}

export function parse(settings: Partial<TwinModelSettings>): { config: TwinModel } | { errors: string[] } {
  try {
    return { config: modelOf(settings) };
  } catch (err) {
    return { errors: [err instanceof Error ? err.message : String(err)] };
  }
}
