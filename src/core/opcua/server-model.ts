import type { PropertyDef, TwinModel } from '../twin/model';
import { canonicalUnit } from '../twin/units';

/**
 * How twin-opcua-server presents a twin model's properties in OPC UA: the variable's data type, its engineering
 * units (UNECE codes, as OPC UA's EUInformation wants), its range from the model's limits, and how a client's write
 * is checked against the model before it is answered.
 */
export type VariableType = 'Boolean' | 'Int32' | 'UInt32' | 'Double' | 'String' | 'DateTime' | 'Enumeration';

/**
 * The variable's type: from the model when it has the property, else from the first value seen.
 * An integer property that cannot be negative is UInt32; a string property with unit "datetime" is a DateTime.
 * @example variableType({ name: 'count', type: 'integer', min: 0 }, 3) // => 'UInt32'
 * @example variableType(undefined, true) // => 'Boolean'
 */
export function variableType(def: PropertyDef | undefined, value: unknown): VariableType | undefined {
  if (def) {
    if (def.type === 'boolean') return 'Boolean';
    if (def.type === 'integer') return def.min !== undefined && def.min >= 0 ? 'UInt32' : 'Int32';
    if (def.type === 'number') return 'Double';
    if (def.type === 'enum') return 'Enumeration';
    if (def.type === 'string') return def.unit === 'datetime' ? 'DateTime' : 'String';
    return undefined; // objects are not exposed
  }
  if (typeof value === 'number') return 'Double';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'string') return 'String';
  return undefined;
}

/** UNECE Recommendation 20 common codes for the units the model knows (canonical symbols of core/twin/units). */
const UNECE: Record<string, [code: string, name: string]> = {
  K: ['KEL', 'kelvin'],
  degC: ['CEL', 'degree Celsius'],
  degF: ['FAH', 'degree Fahrenheit'],
  Pa: ['PAL', 'pascal'],
  hPa: ['A97', 'hectopascal'],
  kPa: ['KPA', 'kilopascal'],
  MPa: ['MPA', 'megapascal'],
  bar: ['BAR', 'bar'],
  mbar: ['MBR', 'millibar'],
  psi: ['PS', 'pound-force per square inch'],
  Hz: ['HTZ', 'hertz'],
  rpm: ['RPM', 'revolutions per minute'],
  'm3/s': ['MQS', 'cubic metre per second'],
  'm3/h': ['MQH', 'cubic metre per hour'],
  'L/min': ['L2', 'litre per minute'],
  'L/s': ['G51', 'litre per second'],
  'gal/min': ['G2', 'US gallon per minute'],
  W: ['WTT', 'watt'],
  kW: ['KWT', 'kilowatt'],
  MW: ['MAW', 'megawatt'],
  hp: ['HP', 'horsepower'],
  J: ['JOU', 'joule'],
  kJ: ['KJO', 'kilojoule'],
  Wh: ['WHR', 'watt hour'],
  kWh: ['KWH', 'kilowatt hour'],
  A: ['AMP', 'ampere'],
  mA: ['4K', 'milliampere'],
  V: ['VLT', 'volt'],
  mV: ['2Z', 'millivolt'],
  kV: ['KVT', 'kilovolt'],
  m: ['MTR', 'metre'],
  mm: ['MMT', 'millimetre'],
  cm: ['CMT', 'centimetre'],
  um: ['4H', 'micrometre'],
  in: ['INH', 'inch'],
  ft: ['FOT', 'foot'],
  'm/s': ['MTS', 'metre per second'],
  'mm/s': ['C16', 'millimetre per second'],
  'in/s': ['IU', 'inch per second'],
  kg: ['KGM', 'kilogram'],
  g: ['GRM', 'gram'],
  t: ['TNE', 'tonne'],
  lb: ['LBR', 'pound'],
  s: ['SEC', 'second'],
  ms: ['C26', 'millisecond'],
  min: ['MIN', 'minute'],
  h: ['HUR', 'hour'],
  '%': ['P1', 'percent'],
  '1': ['C62', 'one'],
  ppm: ['59', 'part per million'],
};

export interface EngineeringUnit {
  /** OPC UA EUInformation.unitId: the UNECE code's characters packed into an Int32 (OPC 10000-8 5.6.3). */
  unitId: number;
  code: string;
  displayName: string;
  description: string;
}

/**
 * @example engineeringUnit('°C')?.unitId // => 4408652
 * @example engineeringUnit('furlong') // => undefined
 */
export function engineeringUnit(unit: string | undefined): EngineeringUnit | undefined {
  if (!unit) return undefined;
  const symbol = canonicalUnit(unit);
  const entry = symbol === undefined ? undefined : UNECE[symbol];
  if (!entry) return undefined;
  const [code, description] = entry;
  let unitId = 0;
  for (const ch of code) unitId = unitId * 256 + ch.charCodeAt(0);
  return { unitId, code, displayName: unit, description };
}

/** The EURange (low, high) from the model's limits, when it has both. */
export function euRange(def: PropertyDef | undefined): { low: number; high: number } | undefined {
  return def && def.min !== undefined && def.max !== undefined ? { low: def.min, high: def.max } : undefined;
}

/** The ISA-95 place of a model's twins as folder names (enterprise / site / area / line / cell), empty levels left out. */
export function placeFolders(model: TwinModel | undefined): string[] {
  if (!model) return [];
  const h = model.hierarchy;
  return [h.enterprise, h.site, h.area, h.line, h.cell].filter((p): p is string => !!p && p.trim() !== '');
}

/**
 * A client's write checked against the model before the server answers: the OPC UA status to answer with, or
 * undefined when twin-state should be asked to take the value. The client's value arrives in the variable's type
 * (the server refuses other types with BadTypeMismatch before this), so what is left is writability and range.
 * Enumerations arrive as the index into the model's values.
 * @example checkWrite({ name: 'speed', type: 'number', writable: true, max: 100 }, 150) // => 'BadOutOfRange'
 */
export function checkWrite(def: PropertyDef | undefined, value: unknown): string | undefined {
  if (!def?.writable) return 'BadNotWritable';
  if (def.type === 'enum') {
    const index = typeof value === 'number' ? value : NaN;
    if (!Number.isInteger(index) || index < 0 || index >= (def.values ?? []).length) return 'BadOutOfRange';
    return undefined;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'BadOutOfRange';
    if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max))
      return 'BadOutOfRange';
  }
  return undefined;
}

/** The twin value for a client's write: an enumeration's index becomes the model's value name; a DateTime an ISO text. */
export function twinValueOf(def: PropertyDef | undefined, value: unknown): unknown {
  if (def?.type === 'enum' && typeof value === 'number') return def.values?.[value];
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * Whether a twin's value fits a variable of `type` (a variable keeps the type it was created with).
 * @example fitsType('Int32', 3.5) // => true
 * @example fitsType('Boolean', 'yes') // => false
 */
export function fitsType(type: VariableType, value: unknown, def?: PropertyDef): boolean {
  switch (type) {
    case 'Double':
    case 'Int32':
    case 'UInt32':
      return typeof value === 'number' && Number.isFinite(value);
    case 'Boolean':
      return typeof value === 'boolean';
    case 'String':
      return typeof value === 'string';
    case 'DateTime':
      return (
        (typeof value === 'string' || typeof value === 'number') && Number.isFinite(new Date(value).getTime())
      );
    case 'Enumeration':
      return typeof value === 'string' && (def?.values ?? []).includes(value);
  }
}

/**
 * A twin's value as the variable's OPC UA value: integers rounded (UInt32 not below 0), a DateTime as a Date, an
 * enumeration as its index.
 */
export function opcuaValueOf(type: VariableType, value: unknown, def?: PropertyDef): unknown {
  if (type === 'Int32') return Math.round(value as number);
  if (type === 'UInt32') return Math.max(0, Math.round(value as number));
  if (type === 'DateTime') return new Date(value as string | number);
  if (type === 'Enumeration') return Math.max(0, (def?.values ?? []).indexOf(value as string));
  return value;
}
