import { TwinFlowError } from '../errors';
import { isValidName } from '../twin/model';
import { copyRecord } from '../shallow-copy';

/**
 * How OPC UA variables become twin properties (HighByte's models and instances, in TwinFlow's terms): a template
 * maps each property of one kind of machine to an address relative to an instance, and a list of instances
 * (Pump01 … Pump50) turns one template into many twins.
 *
 * Addresses: a NodeId (`ns=2;s=Pump01.Speed`, `nsu=urn:plant;s=Pump01.Speed`, `i=2258`), or a browse path relative
 * to the instance's root (`2:Motor.2:Speed`, or with namespace URIs `nsu=urn:plant:Motor/Speed`, see
 * resolvePath). `{instance}` in either is replaced by the instance's name.
 */
export interface Scale {
  rawLow: number;
  rawHigh: number;
  engLow: number;
  engHigh: number;
  /** Keep engineering values inside [engLow, engHigh]. */
  clamp: boolean;
}

export interface MappedProperty {
  property: string;
  nodeId?: string;
  browsePath?: string;
  samplingInterval: number;
  deadbandType: 'none' | 'absolute' | 'percent';
  deadbandValue: number;
  scale?: Scale;
  unit?: string;
  /** OPC UA built-in type name for writes (Double, Float, Int16, UInt32, Boolean, String...); blank: ask the server. */
  dataType?: string;
  writable: boolean;
}

export interface MappingInstance {
  /** Twin id. */
  twin: string;
  /** Substituted for {instance}; defaults to the twin id. */
  name?: string;
  /** Browse path of the instance's root from the Objects folder (for browse-path properties), e.g. "2:Pump01". */
  root?: string;
}

export interface Mapping {
  /** Namespace URI used where a path element has no prefix. */
  namespace?: string;
  /**
   * Seconds between re-reads of every mapped value (0: never). OPC UA reports by exception, so a value that does not
   * change is never reported again and its twin property goes stale; a periodic read refreshes its timestamps.
   */
  refresh?: number;
  properties: MappedProperty[];
  instances: MappingInstance[];
}

/** One monitored variable after the template is expanded for an instance. */
export interface MappedItem extends MappedProperty {
  twin: string;
  /** Address with {instance} substituted; exactly one of nodeId / browsePath. */
  address: { nodeId: string } | { browsePath: string; root?: string };
}

function num(value: unknown, what: string, fallback?: number): number {
  if ((value === undefined || value === '' || value === null) && fallback !== undefined) return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new TwinFlowError('badMapping', `${what} must be a number`, { what });
  return n;
}

/** Checks and normalises a mapping as saved by the editor or imported from JSON/CSV. */
export function defineMapping(raw: unknown): Mapping {
  const m = (raw ?? {}) as Record<string, unknown>;
  if (!Array.isArray(m.properties) || m.properties.length === 0) {
    throw new TwinFlowError('badMapping', 'the mapping needs at least one property', { what: 'properties' });
  }
  const seen = new Set<string>();
  const properties = (m.properties as Record<string, unknown>[]).map((p): MappedProperty => {
    const property = String(p.property ?? '').trim();
    if (!isValidName(property))
      throw new TwinFlowError('badMapping', `"${property}" is not a valid property name`, { what: property });
    if (seen.has(property))
      throw new TwinFlowError('badMapping', `property ${property} is mapped twice`, { what: property });
    seen.add(property);
    const nodeId = typeof p.nodeId === 'string' && p.nodeId.trim() ? p.nodeId.trim() : undefined;
    const browsePath =
      typeof p.browsePath === 'string' && p.browsePath.trim() ? p.browsePath.trim() : undefined;
    if (!nodeId === !browsePath) {
      throw new TwinFlowError('badMapping', `${property} needs exactly one of nodeId and browsePath`, {
        what: property,
      });
    }
    const deadbandType = (p.deadbandType || 'none') as MappedProperty['deadbandType'];
    if (!['none', 'absolute', 'percent'].includes(deadbandType)) {
      throw new TwinFlowError('badMapping', `${property}: deadband type must be none, absolute or percent`, {
        what: property,
      });
    }
    const out: MappedProperty = {
      property,
      samplingInterval: num(p.samplingInterval, `${property}.samplingInterval`, 1000),
      deadbandType,
      deadbandValue: num(p.deadbandValue, `${property}.deadbandValue`, 0),
      writable: p.writable === true || p.writable === 'true',
    };
    if (nodeId) out.nodeId = nodeId;
    if (browsePath) out.browsePath = browsePath;
    const s = p.scale as Record<string, unknown> | undefined;
    if (s && (s.rawLow !== undefined || s.rawHigh !== undefined)) {
      const scale: Scale = {
        rawLow: num(s.rawLow, `${property}.rawLow`),
        rawHigh: num(s.rawHigh, `${property}.rawHigh`),
        engLow: num(s.engLow, `${property}.engLow`),
        engHigh: num(s.engHigh, `${property}.engHigh`),
        clamp: s.clamp === true || s.clamp === 'true',
      };
      if (scale.rawLow === scale.rawHigh)
        throw new TwinFlowError('badMapping', `${property}: rawLow equals rawHigh`, { what: property });
      out.scale = scale;
    }
    if (typeof p.unit === 'string' && p.unit) out.unit = p.unit;
    if (typeof p.dataType === 'string' && p.dataType) out.dataType = p.dataType;
    return out;
  });
  const instances = (Array.isArray(m.instances) ? m.instances : []).map((i): MappingInstance => {
    const r = (typeof i === 'string' ? { twin: i } : i) as Record<string, unknown>;
    const twin = String(r.twin ?? '').trim();
    if (!twin) throw new TwinFlowError('badMapping', 'every instance needs a twin id', { what: 'instances' });
    const out: MappingInstance = { twin };
    if (typeof r.name === 'string' && r.name) out.name = r.name;
    if (typeof r.root === 'string' && r.root) out.root = r.root;
    return out;
  });
  if (instances.length === 0)
    throw new TwinFlowError('badMapping', 'the mapping needs at least one instance', { what: 'instances' });
  const mapping: Mapping = { properties, instances };
  if (typeof m.namespace === 'string' && m.namespace) mapping.namespace = m.namespace;
  const refresh = num(m.refresh, 'refresh', 0);
  if (refresh < 0)
    throw new TwinFlowError('badMapping', 'refresh must be 0 (off) or a number of seconds', {
      what: 'refresh',
    });
  if (refresh > 0) mapping.refresh = refresh;
  return mapping;
}

/** One item per instance and property. */
export function expandMapping(mapping: Mapping): MappedItem[] {
  const items: MappedItem[] = [];
  for (const instance of mapping.instances) {
    const name = instance.name ?? instance.twin;
    const fill = (text: string) => text.replaceAll('{instance}', name);
    for (const p of mapping.properties) {
      const address = p.nodeId
        ? { nodeId: fill(p.nodeId) }
        : {
            browsePath: fill(p.browsePath as string),
            ...(instance.root ? { root: fill(instance.root) } : {}),
          };
      // Not a spread: these items are read for every value the server sends (see copyRecord).
      const item = copyRecord(p as unknown as Record<string, unknown>) as unknown as MappedItem;
      item.twin = instance.twin;
      item.address = address;
      items.push(item);
    }
  }
  return items;
}

/**
 * Linear scaling raw -> engineering, clamped when asked.
 * @example toEngineering(16384, { rawLow: 0, rawHigh: 32767, engLow: 0, engHigh: 100, clamp: true }) // => 50.0015259254738
 */
export function toEngineering(raw: number, s: Scale): number {
  const eng = s.engLow + ((raw - s.rawLow) * (s.engHigh - s.engLow)) / (s.rawHigh - s.rawLow);
  return s.clamp
    ? Math.min(Math.max(eng, Math.min(s.engLow, s.engHigh)), Math.max(s.engLow, s.engHigh))
    : eng;
}

/** Engineering -> raw, for writes. */
export function toRaw(eng: number, s: Scale): number {
  return s.rawLow + ((eng - s.engLow) * (s.rawHigh - s.rawLow)) / (s.engHigh - s.engLow);
}

/** An OPC UA status name to TwinFlow's quality. */
export function qualityOf(statusName: string): 'good' | 'uncertain' | 'bad' {
  if (statusName.startsWith('Good')) return 'good';
  if (statusName.startsWith('Uncertain')) return 'uncertain';
  return 'bad';
}
