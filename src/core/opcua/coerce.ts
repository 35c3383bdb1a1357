import { TwinFlowError } from '../errors';

/**
 * A desired value made fit for an OPC UA variable's built-in type before it is written, so a wrong type is a clear
 * rejection here instead of BadTypeMismatch (or worse) at the server. Integers are range-checked.
 */
const INTEGER_RANGES: Record<string, [number, number]> = {
  SByte: [-128, 127],
  Byte: [0, 255],
  Int16: [-32768, 32767],
  UInt16: [0, 65535],
  Int32: [-2147483648, 2147483647],
  UInt32: [0, 4294967295],
  Int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UInt64: [0, Number.MAX_SAFE_INTEGER],
};

/**
 * @example coerceForWrite(1499.6, 'Int16', 'speed') // => 1500
 * @throws TwinFlowError `badWriteValue` naming the property and the type.
 */
export function coerceForWrite(
  value: unknown,
  dataType: string,
  property: string,
): number | boolean | string {
  const reject = (why: string): TwinFlowError =>
    new TwinFlowError('badWriteValue', `${property}: ${why} for ${dataType}`, { property, dataType });
  if (dataType === 'Boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 0 || value === 1) return value === 1;
    throw reject(`${JSON.stringify(value)} is not a boolean`);
  }
  if (dataType === 'String' || dataType === 'LocalizedText') {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw reject('not a string');
  }
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw reject(`${JSON.stringify(value)} is not a finite number`);
  if (dataType === 'Double' || dataType === 'Float') {
    if (dataType === 'Float' && Math.abs(value) > 3.4028234663852886e38) throw reject('out of range');
    return value;
  }
  const range = INTEGER_RANGES[dataType];
  if (!range) throw reject('unsupported type');
  const rounded = Math.round(value);
  if (rounded < range[0] || rounded > range[1]) throw reject(`${value} is out of range`);
  return rounded;
}
