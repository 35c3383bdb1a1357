import { TwinFlowError } from '../errors';
import { safeText } from './sanitize';
import { canonicalUnit } from './units';

/**
 * A twin model: the schema every twin of one kind of machine shares (DTDL's interface, Ditto's policy-free
 * "thing definition"). Properties carry what a plant engineer needs to trust a value: type, unit, limits, whether
 * it may be commanded, how old it may get, how much history to keep and how much change is noise.
 */
export const PROPERTY_TYPES = ['number', 'integer', 'boolean', 'string', 'enum', 'object'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

export interface PropertyDef {
  name: string;
  type: PropertyType;
  unit?: string;
  min?: number;
  max?: number;
  /** Allowed values of an enum property. */
  values?: string[];
  /** May be set through `desire` (and so written back to the machine). */
  writable?: boolean;
  /** Milliseconds without a report after which the property is stale; 0 or absent: never. */
  staleAfter?: number;
  /** Entries kept in the property's history ring; 0 or absent: no history. */
  history?: number;
  /** Numeric changes smaller than or equal to this are not changes (no event, no version, no history). */
  deadband?: number;
  /** Numeric tolerance within which reported counts as having caught up with desired. Defaults to deadband. */
  tolerance?: number;
  description?: string;
}

export const HIERARCHY_LEVELS = ['enterprise', 'site', 'area', 'line', 'cell'] as const;
export type HierarchyLevel = (typeof HIERARCHY_LEVELS)[number];
export type Hierarchy = Partial<Record<HierarchyLevel, string>>;

export interface TwinModel {
  name: string;
  properties: Record<string, PropertyDef>;
  /** Place of this model's twins in an ISA-95 hierarchy (used for UNS topics). */
  hierarchy: Hierarchy;
  /** Milliseconds without any report after which the whole twin is stale; 0: never. */
  staleAfter: number;
  /** Upper bound for one message's payload, in characters of strings plus 16 per value (a cheap size measure). */
  maxPayloadSize: number;
  /**
   * How far ahead of the receiving clock a source or server timestamp may be, in ms: more is a wrong clock, and a
   * timestamp years ahead would freeze history and staleness. Absent: DEFAULT_MAX_CLOCK_SKEW.
   */
  maxClockSkew?: number;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const RESERVED_NAMES = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
]);

/** Property and twin names: identifier-like, so they are safe as object keys, topic levels and OPC UA browse names. */
export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name) && !RESERVED_NAMES.has(name);
}

export const DEFAULT_MAX_PAYLOAD_SIZE = 1_000_000;
/** Five minutes: generous for unsynchronised PLC clocks, far below anything that would break history. */
export const DEFAULT_MAX_CLOCK_SKEW = 300_000;

export interface TwinModelInput {
  name?: unknown;
  properties?: unknown;
  hierarchy?: unknown;
  staleAfter?: unknown;
  maxPayloadSize?: unknown;
  maxClockSkew?: unknown;
}

function optionalNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new TwinFlowError('invalidModel', `${what} must be a finite number`, { what });
  }
  return n;
}

function nonNegative(value: unknown, what: string): number | undefined {
  const n = optionalNumber(value, what);
  if (n !== undefined && n < 0)
    throw new TwinFlowError('invalidModel', `${what} must not be negative`, { what });
  return n;
}

/**
 * Checks and normalises a model as saved by the editor (numbers may arrive as strings, blanks as '').
 * @throws TwinFlowError `invalidModel` naming the first problem found.
 */
export function defineModel(input: TwinModelInput): TwinModel {
  const name = typeof input.name === 'string' && input.name.trim() ? input.name.trim() : 'twin';
  if (!Array.isArray(input.properties)) {
    throw new TwinFlowError('invalidModel', 'model properties must be a list', { what: 'properties' });
  }
  const properties: Record<string, PropertyDef> = Object.create(null) as Record<string, PropertyDef>;
  for (const raw of input.properties as unknown[]) {
    const def = defineProperty(raw);
    if (properties[def.name]) {
      throw new TwinFlowError('invalidModel', `property ${def.name} is defined twice`, { what: def.name });
    }
    properties[def.name] = def;
  }
  const hierarchy: Hierarchy = {};
  if (input.hierarchy && typeof input.hierarchy === 'object') {
    for (const level of HIERARCHY_LEVELS) {
      const v = (input.hierarchy as Record<string, unknown>)[level];
      if (typeof v === 'string' && v.trim()) hierarchy[level] = v.trim();
    }
  }
  return {
    name,
    properties,
    hierarchy,
    staleAfter: nonNegative(input.staleAfter, 'staleAfter') ?? 0,
    maxPayloadSize: nonNegative(input.maxPayloadSize, 'maxPayloadSize') || DEFAULT_MAX_PAYLOAD_SIZE,
    maxClockSkew: nonNegative(input.maxClockSkew, 'maxClockSkew') ?? DEFAULT_MAX_CLOCK_SKEW,
  };
}

function defineProperty(raw: unknown): PropertyDef {
  if (!raw || typeof raw !== 'object') {
    throw new TwinFlowError('invalidModel', 'each property must be an object', { what: 'property' });
  }
  const p = raw as Record<string, unknown>;
  const name = typeof p.name === 'string' ? p.name.trim() : '';
  if (!isValidName(name)) {
    throw new TwinFlowError('invalidModel', `property name "${name}" is not a valid identifier`, {
      what: name,
    });
  }
  const type = (p.type ?? 'number') as PropertyType;
  if (!PROPERTY_TYPES.includes(type)) {
    throw new TwinFlowError('invalidModel', `property ${name} has unknown type ${safeText(p.type)}`, {
      what: name,
    });
  }
  const def: PropertyDef = { name, type };
  if (typeof p.unit === 'string' && p.unit.trim()) def.unit = canonicalUnit(p.unit) ?? p.unit.trim();
  const min = optionalNumber(p.min, `${name}.min`);
  const max = optionalNumber(p.max, `${name}.max`);
  if (min !== undefined) def.min = min;
  if (max !== undefined) def.max = max;
  if (min !== undefined && max !== undefined && min > max) {
    throw new TwinFlowError('invalidModel', `property ${name} has min greater than max`, { what: name });
  }
  if (type === 'enum') {
    const values = Array.isArray(p.values)
      ? p.values
      : typeof p.values === 'string'
        ? p.values.split(',')
        : [];
    def.values = values.map((v) => safeText(v).trim()).filter((v) => v !== '');
    if (def.values.length === 0) {
      throw new TwinFlowError('invalidModel', `enum property ${name} needs at least one value`, {
        what: name,
      });
    }
  }
  if (p.writable === true || p.writable === 'true') def.writable = true;
  const staleAfter = nonNegative(p.staleAfter, `${name}.staleAfter`);
  if (staleAfter) def.staleAfter = staleAfter;
  const history = nonNegative(p.history, `${name}.history`);
  if (history) def.history = Math.min(Math.floor(history), 100_000);
  const deadband = nonNegative(p.deadband, `${name}.deadband`);
  if (deadband) def.deadband = deadband;
  const tolerance = nonNegative(p.tolerance, `${name}.tolerance`);
  if (tolerance !== undefined) def.tolerance = tolerance;
  if (typeof p.description === 'string' && p.description) def.description = p.description;
  return def;
}
