import { TwinFlowError } from '../errors';

/**
 * Engineering unit conversion between the units automation engineers meet on a plant floor.
 *
 * Each unit is an affine map to its dimension's base unit: base = value * factor + offset. Only units of the same
 * dimension convert; anything else is refused, because silently storing 30 psi in a bar property is the failure
 * this guards against. Symbols follow UCUM/UNECE spellings most PLC and OPC UA EUInformation exports use, with the
 * common aliases (°C, degC, C are one unit).
 */
interface UnitDef {
  dimension: string;
  factor: number;
  offset?: number;
}

const UNITS: Record<string, UnitDef> = {
  // temperature (base K)
  K: { dimension: 'temperature', factor: 1 },
  degC: { dimension: 'temperature', factor: 1, offset: 273.15 },
  degF: { dimension: 'temperature', factor: 5 / 9, offset: 273.15 - (32 * 5) / 9 },
  // pressure (base Pa)
  Pa: { dimension: 'pressure', factor: 1 },
  hPa: { dimension: 'pressure', factor: 100 },
  kPa: { dimension: 'pressure', factor: 1e3 },
  MPa: { dimension: 'pressure', factor: 1e6 },
  bar: { dimension: 'pressure', factor: 1e5 },
  mbar: { dimension: 'pressure', factor: 100 },
  psi: { dimension: 'pressure', factor: 6894.757293168361 },
  // rotational speed / frequency (base 1/s)
  Hz: { dimension: 'frequency', factor: 1 },
  rpm: { dimension: 'frequency', factor: 1 / 60 },
  // volumetric flow (base m3/s)
  'm3/s': { dimension: 'flow', factor: 1 },
  'm3/h': { dimension: 'flow', factor: 1 / 3600 },
  'L/min': { dimension: 'flow', factor: 1e-3 / 60 },
  'L/s': { dimension: 'flow', factor: 1e-3 },
  'gal/min': { dimension: 'flow', factor: 3.785411784e-3 / 60 },
  // power (base W)
  W: { dimension: 'power', factor: 1 },
  kW: { dimension: 'power', factor: 1e3 },
  MW: { dimension: 'power', factor: 1e6 },
  hp: { dimension: 'power', factor: 745.6998715822702 },
  // energy (base J)
  J: { dimension: 'energy', factor: 1 },
  kJ: { dimension: 'energy', factor: 1e3 },
  Wh: { dimension: 'energy', factor: 3600 },
  kWh: { dimension: 'energy', factor: 3.6e6 },
  // electric
  A: { dimension: 'current', factor: 1 },
  mA: { dimension: 'current', factor: 1e-3 },
  V: { dimension: 'voltage', factor: 1 },
  mV: { dimension: 'voltage', factor: 1e-3 },
  kV: { dimension: 'voltage', factor: 1e3 },
  // length (base m)
  m: { dimension: 'length', factor: 1 },
  mm: { dimension: 'length', factor: 1e-3 },
  cm: { dimension: 'length', factor: 1e-2 },
  um: { dimension: 'length', factor: 1e-6 },
  in: { dimension: 'length', factor: 0.0254 },
  ft: { dimension: 'length', factor: 0.3048 },
  // velocity (base m/s), vibration velocity RMS is usually mm/s
  'm/s': { dimension: 'velocity', factor: 1 },
  'mm/s': { dimension: 'velocity', factor: 1e-3 },
  'in/s': { dimension: 'velocity', factor: 0.0254 },
  // mass (base kg)
  kg: { dimension: 'mass', factor: 1 },
  g: { dimension: 'mass', factor: 1e-3 },
  t: { dimension: 'mass', factor: 1e3 },
  lb: { dimension: 'mass', factor: 0.45359237 },
  // time (base s)
  s: { dimension: 'time', factor: 1 },
  ms: { dimension: 'time', factor: 1e-3 },
  min: { dimension: 'time', factor: 60 },
  h: { dimension: 'time', factor: 3600 },
  // ratio (base 1)
  '%': { dimension: 'ratio', factor: 1e-2 },
  '1': { dimension: 'ratio', factor: 1 },
  ppm: { dimension: 'ratio', factor: 1e-6 },
};

const ALIASES: Record<string, string> = {
  '°C': 'degC',
  C: 'degC',
  Cel: 'degC',
  '°F': 'degF',
  F: 'degF',
  '[degF]': 'degF',
  kelvin: 'K',
  'r/min': 'rpm',
  '1/min': 'rpm',
  'm³/h': 'm3/h',
  'm^3/h': 'm3/h',
  'm³/s': 'm3/s',
  'l/min': 'L/min',
  lpm: 'L/min',
  'l/s': 'L/s',
  gpm: 'gal/min',
  µm: 'um',
  percent: '%',
};

/** The canonical symbol of a unit, or undefined when the unit is not known. */
export function canonicalUnit(unit: string): string | undefined {
  const trimmed = unit.trim();
  if (Object.prototype.hasOwnProperty.call(UNITS, trimmed)) return trimmed;
  return Object.prototype.hasOwnProperty.call(ALIASES, trimmed) ? ALIASES[trimmed] : undefined;
}

/** Whether two units name the same thing (same canonical symbol, or the same string when unknown). */
export function sameUnit(a: string, b: string): boolean {
  return a.trim() === b.trim() || (canonicalUnit(a) ?? a) === (canonicalUnit(b) ?? b);
}

/**
 * Converts `value` from one unit to another.
 * @example convertUnit(100, 'degC', 'degF') // => 212
 * @example convertUnit(1, 'bar', 'kPa') // => 100
 * @throws TwinFlowError `unitMismatch` when the units are unknown or of different dimensions.
 */
export function convertUnit(value: number, from: string, to: string): number {
  if (sameUnit(from, to)) return value;
  const source = canonicalUnit(from);
  const target = canonicalUnit(to);
  const a = source === undefined ? undefined : UNITS[source];
  const b = target === undefined ? undefined : UNITS[target];
  if (!a || !b || a.dimension !== b.dimension) {
    throw new TwinFlowError('unitMismatch', `cannot convert ${from} to ${to}`, { from, to });
  }
  const base = value * a.factor + (a.offset ?? 0);
  // Rounded to the 15 significant digits a double holds exactly: going through the base unit with factors such as
  // 5/9 would otherwise turn 100 °C into 211.99999999999997 °F.
  return Number(((base - (b.offset ?? 0)) / b.factor).toPrecision(15));
}

/** The list of known canonical unit symbols (for the editor's unit picker). */
export function knownUnits(): string[] {
  return Object.keys(UNITS);
}
