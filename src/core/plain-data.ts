import { TwinFlowError } from './errors';

/**
 * The one door every TwinFlow node's input goes through: what it lets in, the stores can carry, persist (the file
 * context store writes JSON) and publish (MQTT, OPC UA, the editor's sidebar).
 *
 * Acceptance is by value, not by realm. A function node runs in its own vm context, so its objects have that
 * context's Object.prototype: nothing here compares prototypes with this realm's Object.prototype or uses
 * `instanceof`. What is accepted comes back as a deep copy built in this realm, so a getter or a Proxy trap runs at
 * most once, here, and never later in the store.
 *
 * Accepted: null, booleans, finite numbers, strings, arrays and plain objects (any realm, or no prototype at all).
 * - A Date becomes its epoch milliseconds (the envelope's timestamp unit); an invalid Date is refused.
 * - `undefined` members of objects are dropped and `undefined` array elements (and holes) become null, as JSON does.
 * - Symbol-keyed and non-enumerable properties are ignored, as JSON does.
 *
 * Refused with a TwinFlowError (code TWINFLOW_INVALID_VALUE, or TWINFLOW_NOT_FINITE for NaN and ±Infinity as before;
 * `details.path`, `details.reason` and `details.problem`): BigInt, functions, symbols, NaN and ±Infinity, class instances (Map, Set, RegExp, Error, boxed primitives, user classes), Buffers,
 * typed arrays, ArrayBuffers and DataViews (decode them first, e.g. with a JSON node), accessor properties (getters
 * are never called), Proxies (when the caller can tell, see `isProxy`; otherwise a Proxy is read once, and any trap
 * that throws is a refusal), cycles, keys in `forbiddenKeys`, nesting deeper than `maxDepth`, strings longer than
 * `maxStringLength` and payloads larger than `maxSize`.
 *
 * The walk recurses at most `maxDepth` + 1 levels, so no input (5,000 levels deep or cyclic) can overflow the stack,
 * and it stops as soon as the size budget is spent, so its cost is bounded by `maxSize`.
 */

export interface PlainDataLimits {
  /** Deepest nesting of objects and arrays; the value itself is depth 0. */
  maxDepth: number;
  /** Longest string (and object key), in UTF-16 code units. */
  maxStringLength: number;
  /** Largest value, measured as characters of strings and keys plus 16 per value (close to its JSON length). */
  maxSize: number;
  /**
   * Keys refused anywhere in the value. By default `__proto__`, which most code mishandles; a node that treats keys
   * as data may allow it (the copy then carries it as an own property, never as a prototype).
   */
  forbiddenKeys: readonly string[];
  /**
   * Tells a Proxy from the object it wraps. Plain JavaScript cannot; Node.js can (`util.types.isProxy`), so runtime
   * code passes it in and src/core stays free of Node.js imports.
   */
  isProxy?: (value: object) => boolean;
}

export const DEFAULT_PLAIN_DATA_LIMITS: Readonly<PlainDataLimits> = Object.freeze({
  maxDepth: 32,
  maxStringLength: 262_144,
  maxSize: 1_000_000,
  forbiddenKeys: Object.freeze(['__proto__']),
});

/** What a refusal was about, in `details.reason` of the error: stable, for tests and Catch flows. */
export type PlainDataProblem =
  | 'notObject'
  | 'badValue'
  | 'notFinite'
  | 'tooDeep'
  | 'tooLarge'
  | 'stringTooLong'
  | 'circular'
  | 'forbiddenKey'
  | 'proxy'
  | 'accessor'
  | 'unreadable';

/**
 * Refusals whose value Node-RED itself could not copy (its Catch routing clones the message): a getter or a trap
 * may throw, a deep structure may overflow a recursive copy. The runtime drops such a value from the message before
 * reporting the error, so the Catch node still gets it.
 */
export const UNCOPYABLE_PROBLEMS: readonly PlainDataProblem[] = [
  'proxy',
  'accessor',
  'unreadable',
  'tooDeep',
];

export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

/**
 * A realm-independent plain-object test: an object whose prototype is null, or is some realm's Object.prototype
 * (itself without a prototype, with `Object` as its constructor). Arrays, Dates, Maps, class instances are not.
 * Never throws (a Proxy whose traps throw is simply not a plain object).
 */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  try {
    if (Array.isArray(x)) return false;
    const proto = Object.getPrototypeOf(x) as object | null;
    if (proto === null) return true;
    if (Object.getPrototypeOf(proto) !== null) return false;
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
    return typeof ctor === 'function' && ctor.name === 'Object';
  } catch {
    return false;
  }
}

/**
 * Checks a value against the limits and returns a copy made only of plain data (see the module comment).
 * `undefined` comes back as `undefined` (absent); everything else that is accepted comes back as a PlainValue.
 * @param path how the value is named in errors, e.g. "msg.payload".
 * @throws TwinFlowError with code TWINFLOW_INVALID_VALUE naming the path and the problem.
 * @example toPlainData({ at: new Date(0), v: [1, undefined] }) // => { at: 0, v: [1, null] }
 */
export function toPlainData(
  value: unknown,
  path = 'msg.payload',
  limits: Partial<PlainDataLimits> = {},
): PlainValue | undefined {
  if (value === undefined) return undefined;
  return new Walker(path, limits).run(value);
}

/**
 * Like toPlainData, for a value that must be a plain object (a payload of property values).
 * @throws TwinFlowError (reason "notObject") for anything else, including arrays and null.
 */
export function toPlainObject(
  value: unknown,
  path = 'msg.payload',
  limits: Partial<PlainDataLimits> = {},
): Record<string, PlainValue> {
  if (typeof value === 'object' && value !== null && limits.isProxy?.(value)) {
    throw refusal(path, 'proxy', 'is a Proxy; only plain data is accepted');
  }
  if (!isPlainObject(value)) {
    throw refusal(path, 'notObject', `must be an object, got ${typeName(value)}`, typeName(value));
  }
  return new Walker(path, limits).run(value) as Record<string, PlainValue>;
}

/** `details`: path, reason and problem (the message after the path), for catalogues ("__path__ __problem__"). */
function refusal(path: string, reason: PlainDataProblem, problem: string, got?: string): TwinFlowError {
  const details: Record<string, string> = { path, property: path, reason, problem };
  if (got !== undefined) details.got = got;
  // NaN and Infinity keep the code every node already used for them (TWINFLOW_NOT_FINITE).
  return new TwinFlowError(
    reason === 'notFinite' ? 'notFinite' : 'invalidValue',
    `${path} ${problem}`,
    details,
  );
}

/** A short, never-throwing description of a value's type for error messages ("a Map", "a bigint", "NaN"). */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  try {
    if (Array.isArray(value)) return 'an array';
    if (isPlainObject(value)) return 'an object';
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    const proto = Object.getPrototypeOf(value) as object | null;
    const ctor = proto
      ? (Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown)
      : undefined;
    const name = typeof ctor === 'function' && ctor.name ? ctor.name : tag;
    return `a ${name || 'object'}`.slice(0, 80);
  } catch {
    return 'an unreadable object';
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

class Walker {
  private readonly maxDepth: number;
  private readonly maxStringLength: number;
  private readonly maxSize: number;
  private readonly forbidden: ReadonlySet<string>;
  private readonly isProxy?: (value: object) => boolean;
  private size = 0;
  private readonly ancestors = new Set<object>();
  // Keys of the path to the current value; only turned into text for an error, since most values are fine.
  private readonly trail: (string | number)[] = [];

  constructor(
    private readonly root: string,
    limits: Partial<PlainDataLimits>,
  ) {
    const l = { ...DEFAULT_PLAIN_DATA_LIMITS, ...limits };
    this.maxDepth = l.maxDepth;
    this.maxStringLength = l.maxStringLength;
    this.maxSize = l.maxSize;
    this.forbidden = new Set(l.forbiddenKeys);
    this.isProxy = l.isProxy;
  }

  run(value: unknown): PlainValue {
    try {
      return this.walk(value, 0);
    } catch (err) {
      if (err instanceof TwinFlowError) throw err;
      // A getter, a Proxy trap or a toJSON-like hook threw, or something ran out of room (a RangeError): a refusal.
      const path = this.path();
      throw refusal(path, 'unreadable', `could not be read (${errorText(err)})`);
    }
  }

  private path(): string {
    let text = this.root;
    for (const k of this.trail) {
      if (typeof k === 'number') text += `[${k}]`;
      else if (IDENTIFIER.test(k)) text += `.${k}`;
      else text += `[${JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k)}]`;
    }
    return text;
  }

  private fail(reason: PlainDataProblem, problem: string, got?: string): never {
    const path = this.path();
    throw refusal(path, reason, problem, got);
  }

  private grow(by: number): void {
    this.size += by;
    if (this.size > this.maxSize) {
      this.fail('tooLarge', `makes the value larger than the limit of ${this.maxSize}`);
    }
  }

  private walk(value: unknown, depth: number): PlainValue {
    this.grow(16);
    switch (typeof value) {
      case 'string':
        if (value.length > this.maxStringLength) {
          this.fail(
            'stringTooLong',
            `is a string of ${value.length} characters, over the limit of ${this.maxStringLength}`,
          );
        }
        this.grow(value.length);
        return value;
      case 'number':
        if (!Number.isFinite(value)) {
          this.fail('notFinite', `is ${String(value)}; only finite numbers are accepted`, String(value));
        }
        return value;
      case 'boolean':
        return value;
      case 'object':
        if (value === null) return null;
        return this.walkObject(value, depth);
      default:
        // bigint, function, symbol (undefined is handled by the callers: dropped or null, as JSON does)
        return this.fail(
          'badValue',
          `is ${typeName(value)}; only JSON values and Dates are accepted${typeof value === 'bigint' ? ' (send a number or a string)' : ''}`,
          typeName(value),
        );
    }
  }

  private walkObject(value: object, depth: number): PlainValue {
    if (this.isProxy?.(value)) this.fail('proxy', 'is a Proxy; only plain data is accepted');
    if (Array.isArray(value)) return this.nested(value, depth, () => this.copyArray(value, depth));
    if (isPlainObject(value)) return this.nested(value, depth, () => this.copyObject(value, depth));
    const time = dateValue(value);
    if (time !== undefined) {
      if (!Number.isFinite(time)) this.fail('badValue', 'is an invalid Date');
      return time;
    }
    const name = typeName(value);
    const binary = ArrayBuffer.isView(value) || /ArrayBuffer\]$/.test(Object.prototype.toString.call(value));
    return this.fail(
      'badValue',
      binary
        ? `is ${name} (binary data); decode it first (for example with a JSON node)`
        : `is ${name}; only plain objects, arrays, strings, finite numbers, booleans, null and Dates are accepted`,
      name,
    );
  }

  private nested(value: object, depth: number, copy: () => PlainValue): PlainValue {
    if (depth > this.maxDepth) this.fail('tooDeep', `nests deeper than ${this.maxDepth} levels`);
    if (this.ancestors.has(value)) this.fail('circular', 'refers back to itself (a circular reference)');
    this.ancestors.add(value);
    const out = copy();
    this.ancestors.delete(value);
    return out;
  }

  private copyArray(value: readonly unknown[], depth: number): PlainValue[] {
    const length = value.length;
    // Checked before the loop: a sparse array with length 1e9 costs nothing to send and must cost nothing here.
    this.grow(length * 16 > this.maxSize ? this.maxSize + 1 : 0);
    const out: PlainValue[] = new Array<PlainValue>(length);
    for (let i = 0; i < length; i++) {
      this.trail.push(i);
      const item = this.read(value, String(i));
      out[i] = item === undefined ? null : this.walk(item, depth + 1);
      this.trail.pop();
    }
    return out;
  }

  private copyObject(value: Record<string, unknown>, depth: number): { [key: string]: PlainValue } {
    const out: { [key: string]: PlainValue } = {};
    for (const key of Object.keys(value)) {
      this.trail.push(key);
      if (this.forbidden.has(key)) this.fail('forbiddenKey', `uses the forbidden key "${key}"`);
      if (key.length > this.maxStringLength) {
        this.fail('stringTooLong', `has a key longer than the limit of ${this.maxStringLength}`);
      }
      this.grow(key.length);
      const item = this.read(value, key);
      if (item === undefined) {
        // dropped, as JSON does
      } else if (key === '__proto__') {
        // Assignment would set the copy's prototype; a defined property is plain data like any other key.
        Object.defineProperty(out, key, {
          value: this.walk(item, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else out[key] = this.walk(item, depth + 1);
      this.trail.pop();
    }
    return out;
  }

  /** An own data property's value, without calling a getter (a getter could throw, loop, or answer differently). */
  private read(value: object, key: string): unknown {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (!descriptor) return undefined;
    if (descriptor.get || descriptor.set)
      this.fail('accessor', 'is an accessor (getter or setter); send plain data');
    return descriptor.value as unknown;
  }
}

/** Epoch ms of a Date from any realm (undefined for anything else). Uses the internal slot, not the prototype. */
function dateValue(value: object): number | undefined {
  try {
    return Date.prototype.getTime.call(value);
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  try {
    if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)) {
      const message = (err as { message: unknown }).message;
      if (typeof message === 'string') return message.slice(0, 200);
    }
    return typeName(err);
  } catch {
    return 'an unreadable error';
  }
}
