import { isPlainObject, isQuality, isSample, type Quality, type Sample } from '../envelope';
import { TwinFlowError } from '../errors';
import type { PlainValue } from '../plain-data';
import type { PropertyDef, TwinModel } from './model';
import { describe } from './sanitize';
import { convertUnit } from './units';

/** A payload entry after validation: the value in the model's unit, with its metadata. */
export interface ValidatedSample {
  value: unknown;
  quality: Quality;
  statusCode?: string;
  sourceTimestamp?: number;
  serverTimestamp?: number;
}

export function propertyOf(model: TwinModel, name: string): PropertyDef {
  const def = Object.prototype.hasOwnProperty.call(model.properties, name)
    ? model.properties[name]
    : undefined;
  if (!def) {
    throw new TwinFlowError('unknownProperty', `unknown property "${name}" for model ${model.name}`, {
      property: name,
      model: model.name,
    });
  }
  return def;
}

/** The receiving clock and how far ahead of it a timestamp may be (the model's maxClockSkew). */
export interface TimestampLimit {
  now: number;
  maxClockSkew: number;
}

/** The largest time a Date can hold (ECMAScript: ±8.64e15 ms). */
const MAX_TIME = 8.64e15;

function optionalTimestamp(
  value: unknown,
  property: string,
  field: string,
  limit: TimestampLimit | undefined,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const t = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (typeof t !== 'number' || !Number.isFinite(t) || Math.abs(t) > MAX_TIME) {
    throw new TwinFlowError('badTimestamp', `${property}.${field} is not a valid timestamp`, {
      property,
      field,
    });
  }
  if (limit && t > limit.now + limit.maxClockSkew) {
    throw new TwinFlowError(
      'timestampInFuture',
      `${property}.${field} is ${Math.round((t - limit.now) / 1000)} s ahead of this clock (more than the model's clock skew of ${limit.maxClockSkew / 1000} s)`,
      { property, field, ahead: t - limit.now, skew: limit.maxClockSkew },
    );
  }
  return t;
}

const SAMPLE_FIELDS = new Set([
  'value',
  'quality',
  'unit',
  'sourceTimestamp',
  'serverTimestamp',
  'statusCode',
]);

/**
 * Whether a payload entry is a Sample. For object-typed properties an object value could itself contain a key
 * named "value", so there an entry counts as a Sample only when it has `value` and nothing but Sample fields.
 */
function asSample(def: PropertyDef, entry: unknown): Sample | null {
  return isSample(entry) ? onlySampleFields(def, entry) : null;
}

function onlySampleFields(def: PropertyDef, entry: Sample): Sample | null {
  if (def.type !== 'object') return entry;
  return Object.keys(entry).every((k) => SAMPLE_FIELDS.has(k)) ? entry : null;
}

/**
 * asSample for an entry that checkPayload already copied into plain data: every object there is a plain object
 * (the copy made it), so its prototype needs no second look.
 */
function asCheckedSample(def: PropertyDef, entry: PlainValue): Sample | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
  return Object.prototype.hasOwnProperty.call(entry, 'value')
    ? onlySampleFields(def, entry as unknown as Sample)
    : null;
}

/** validateEntry for an entry of checkPayload's copy of a payload (report and desire): validated once, not twice. */
export function validateCheckedEntry(
  def: PropertyDef,
  entry: PlainValue,
  limit?: TimestampLimit,
): ValidatedSample {
  return validateSample(def, entry, asCheckedSample(def, entry), limit);
}

/**
 * Validates one entry of a report or desire payload against its property definition and returns it in the model's
 * unit. Plain values and `{value, quality, unit, sourceTimestamp, serverTimestamp, statusCode}` are both accepted.
 * Timestamps beyond `limit.now + limit.maxClockSkew` are refused when a limit is given.
 * @throws TwinFlowError naming the property and the problem.
 */
export function validateEntry(def: PropertyDef, entry: unknown, limit?: TimestampLimit): ValidatedSample {
  return validateSample(def, entry, asSample(def, entry), limit);
}

function validateSample(
  def: PropertyDef,
  entry: unknown,
  sample: Sample | null,
  limit: TimestampLimit | undefined,
): ValidatedSample {
  const raw = sample ? sample.value : entry;
  const unit = sample?.unit;
  const converts = unit !== undefined && unit !== null && unit !== '';
  let quality: Quality = 'good';
  if (sample?.quality !== undefined) {
    if (!isQuality(sample.quality)) {
      throw new TwinFlowError('badQuality', `${def.name}.quality must be good, uncertain or bad`, {
        property: def.name,
      });
    }
    quality = sample.quality;
  }
  let value = validateValue(def, raw, quality, !converts);
  if (converts && typeof value === 'number') {
    if (typeof unit !== 'string') {
      throw new TwinFlowError('badUnit', `${def.name}.unit must be a string`, { property: def.name });
    }
    if (!def.unit) {
      throw new TwinFlowError('unitMismatch', `${def.name} has no unit in the model but ${unit} was given`, {
        property: def.name,
        from: unit,
        to: '',
      });
    }
    const converted = convertUnit(value, unit, def.unit);
    checkRange(def, converted);
    value = converted;
  }
  if (!sample) return { value, quality };
  const statusCode = typeof sample.statusCode === 'string' ? sample.statusCode : undefined;
  const sourceTimestamp = optionalTimestamp(sample.sourceTimestamp, def.name, 'sourceTimestamp', limit);
  const serverTimestamp = optionalTimestamp(sample.serverTimestamp, def.name, 'serverTimestamp', limit);
  // A sample with all three (OPC UA's) as one literal; otherwise only the fields present.
  if (statusCode !== undefined && sourceTimestamp !== undefined && serverTimestamp !== undefined)
    return { value, quality, statusCode, sourceTimestamp, serverTimestamp };
  const out: ValidatedSample = { value, quality };
  if (statusCode !== undefined) out.statusCode = statusCode;
  if (sourceTimestamp !== undefined) out.sourceTimestamp = sourceTimestamp;
  if (serverTimestamp !== undefined) out.serverTimestamp = serverTimestamp;
  return out;
}

/**
 * Checks a value's type. A bad-quality sample may carry no usable value (a lost connection): null is accepted
 * then and keeps the last value's place in the store with its bad quality.
 */
export function validateValue(
  def: PropertyDef,
  value: unknown,
  quality: Quality = 'good',
  rangeCheck = true,
): unknown {
  if (value === null && quality === 'bad') return null;
  const wrongType = (expected: string): TwinFlowError => wrongTypeError(def, value, expected);
  switch (def.type) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'number') throw wrongType(def.type === 'integer' ? 'an integer' : 'a number');
      if (!Number.isFinite(value)) {
        throw new TwinFlowError('notFinite', `${def.name} must be a finite number, got ${String(value)}`, {
          property: def.name,
          got: String(value),
        });
      }
      if (def.type === 'integer' && !Number.isInteger(value)) throw wrongType('an integer');
      if (rangeCheck) checkRange(def, value);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType('a boolean');
      return value;
    case 'string':
      if (typeof value !== 'string') throw wrongType('a string');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !def.values?.includes(value)) {
        throw new TwinFlowError('notInEnum', `${def.name} must be one of ${(def.values ?? []).join(', ')}`, {
          property: def.name,
          allowed: (def.values ?? []).join(', '),
        });
      }
      return value;
    case 'object':
      if (!isPlainObject(value)) throw wrongType('an object');
      return value;
  }
}

function wrongTypeError(def: PropertyDef, value: unknown, expected: string): TwinFlowError {
  return new TwinFlowError('wrongType', `${def.name} must be ${expected}, got ${describe(value)}`, {
    property: def.name,
    expected,
    got: describe(value),
  });
}

/** Range check. For a value given in another unit the check runs again after conversion. */
export function checkRange(def: PropertyDef, value: number): void {
  if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max)) {
    throw new TwinFlowError(
      'outOfRange',
      `${def.name} = ${value} is outside ${def.min ?? '-∞'} .. ${def.max ?? '∞'}${def.unit ? ` ${def.unit}` : ''}`,
      { property: def.name, value, min: def.min ?? '-∞', max: def.max ?? '∞' },
    );
  }
}
