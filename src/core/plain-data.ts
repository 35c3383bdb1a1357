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
    // This realm's Object.prototype (most payloads) needs no further look; another realm's is recognised below.
    if (proto === null || proto === Object.prototype) return true;
    if (Object.getPrototypeOf(proto) !== null) return false;
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
    return typeof ctor === 'function' && ctor.name === 'Object';
  } catch {
    return false;
  }
}

/**
 * A validator for one set of limits, resolved once: a node that checks every message builds it when it starts.
 * `data` is toPlainData and `object` is toPlainObject with these limits.
 */
export interface PlainDataValidator {
  data(value: unknown, path?: string): PlainValue | undefined;
  object(value: unknown, path?: string): Record<string, PlainValue>;
  /**
   * Like `data`, for a caller that only reads the value now and keeps nothing of it: the value itself when a copy
   * would be equal to it (plain objects of primitives, with no Date, no undefined member, no array, no `__proto__`
   * key), otherwise the copy. Every refusal is the same as `data`'s. Only with `isProxy` (otherwise this is `data`),
   * so what comes back is never a Proxy and has no accessor among its own enumerable string keys; the caller reads
   * only those (not symbols, not non-enumerable properties, which the check does not look at).
   */
  view(value: unknown, path?: string): PlainValue | undefined;
  /**
   * Like `view`, for a caller that reads only some members of an object payload (the signals a node watches): a plain
   * object (not a Proxy) has only the named members checked, and comes back as a new object holding those of them that
   * are its own enumerable properties, each as `view` would return it at that depth (a copy for objects). Members not
   * named are never read, so nothing of theirs reaches the caller, and checking costs what is read, not what was sent.
   * Anything that is not a plain object goes through `view` whole (a number, an array, a Proxy: same refusals).
   * Only with `isProxy` (otherwise this is `data`, with every member).
   */
  members(value: unknown, names: readonly string[], path?: string): PlainValue | undefined;
  /**
   * Like `object`, for a caller that reads the payload now and keeps none of its objects (it builds what it stores):
   * every object a copy would reproduce as it is (its members primitives or objects kept so, not inside an array)
   * comes back as it is, at any depth, and the rest is copied. Arrays are always copies, and so is everything inside
   * them, so a caller may keep an array it got. Every refusal is the same as `object`'s. Only with `isProxy`
   * (otherwise this is `object`).
   */
  objectView(value: unknown, path?: string): Record<string, PlainValue>;
}

export function plainDataValidator(limits: Partial<PlainDataLimits> = {}): PlainDataValidator {
  const resolved = resolve(limits);
  return {
    data: (value, path = 'msg.payload') =>
      value === undefined ? undefined : walkRoot(value, path, resolved),
    object: (value, path = 'msg.payload') => objectRoot(value, path, resolved),
    objectView: (value, path = 'msg.payload') =>
      objectRoot(value, path, resolved, resolved.isProxy !== undefined ? 'deep' : 'none'),
    view: (value, path = 'msg.payload') =>
      value === undefined ? undefined : walkRoot(value, path, resolved, resolved.isProxy !== undefined),
    members: (value, names, path = 'msg.payload') => {
      if (value === undefined) return undefined;
      if (resolved.isProxy === undefined) return walkRoot(value, path, resolved);
      if (typeof value !== 'object' || value === null || resolved.isProxy(value) || !isPlainObject(value))
        return walkRoot(value, path, resolved, true);
      return pickPrimitives(value, names, resolved) ?? pickMembers(value, names, path, resolved);
    },
  };
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
  return walkRoot(value, path, resolve(limits));
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
  return objectRoot(value, path, resolve(limits));
}

function walkRoot(value: unknown, path: string, limits: Resolved, view = false): PlainValue {
  const walker = walkerFor(path, limits, view ? 'root' : 'none');
  try {
    return walker.walk(value, 0);
  } catch (err) {
    throw walker.refusalFor(err);
  } finally {
    release(walker, limits);
  }
}

/**
 * A walker for one check: the validator's spare one when it is free (a node checks every message with one
 * validator, so that one is nearly always free; a check inside a check gets a new one), else a new one.
 */
function walkerFor(path: string, limits: Resolved, view: ViewMode): Walker {
  const spare = limits.spare;
  if (spare === undefined) return new Walker(path, limits, view);
  limits.spare = undefined;
  spare.start(path, view);
  return spare;
}

function release(walker: Walker, limits: Resolved): void {
  walker.finish();
  limits.spare = walker;
}

function objectRoot(
  value: unknown,
  path: string,
  limits: Resolved,
  view: ViewMode = 'none',
): Record<string, PlainValue> {
  if (typeof value === 'object' && value !== null && limits.isProxy?.(value)) {
    throw refusal(path, 'proxy', 'is a Proxy; only plain data is accepted');
  }
  if (!isPlainObject(value)) {
    throw refusal(path, 'notObject', `must be an object, got ${typeName(value)}`, typeName(value));
  }
  // What walk() would do for it, without asking again whether it is a Proxy or a plain object.
  const walker = walkerFor(path, limits, view);
  try {
    walker.grow(16);
    return walker.copyObject(value, 0);
  } catch (err) {
    throw walker.refusalFor(err);
  } finally {
    release(walker, limits);
  }
}

/**
 * `members` for the usual payload: every named member present is a finite number, a boolean, null or a short string
 * (a signal's value). Undefined for anything else, which pickMembers then checks in full (and refuses where due):
 * this is only a shortcut, never a second set of rules.
 */
function pickPrimitives(
  value: Record<string, unknown>,
  names: readonly string[],
  limits: Resolved,
): { [key: string]: PlainValue } | undefined {
  const out: { [key: string]: PlainValue } = {};
  let size = 16;
  for (const key of names) {
    // Own enumerable string keys only, as a copy would hold (no code runs on an object that is not a Proxy).
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined || !descriptor.enumerable) continue;
    if (descriptor.get !== undefined || descriptor.set !== undefined) return undefined;
    const item: unknown = descriptor.value;
    if (typeof item === 'string') {
      if (item.length > limits.maxStringLength) return undefined;
      size += item.length;
    } else if (!(item === null || typeof item === 'boolean' || Number.isFinite(item))) return undefined;
    if (key === '__proto__' || key.length > limits.maxStringLength || limits.forbidden.includes(key))
      return undefined;
    size += 16 + key.length;
    out[key] = item as PlainValue;
  }
  return size <= limits.maxSize ? out : undefined;
}

function pickMembers(
  value: Record<string, unknown>,
  names: readonly string[],
  path: string,
  limits: Resolved,
): { [key: string]: PlainValue } {
  const walker = walkerFor(path, limits, 'none');
  try {
    walker.grow(16);
    return walker.pick(value, names);
  } catch (err) {
    throw walker.refusalFor(err);
  } finally {
    release(walker, limits);
  }
}

/** none: a copy of everything; root: the value itself kept when it can be (view); deep: at any depth (objectView). */
type ViewMode = 'none' | 'root' | 'deep';

/** The limits with their defaults filled in, read once per validator (not per value or key). */
interface Resolved {
  maxDepth: number;
  maxStringLength: number;
  maxSize: number;
  forbidden: readonly string[];
  /**
   * Bit n set when a forbidden key has n characters (bit 31: any of 31 or more), so most keys are passed by one
   * length test instead of a comparison with every forbidden key (a third of a flat payload's check before).
   */
  forbiddenLengths: number;
  isProxy?: (value: object) => boolean;
  /** A walker no check is using, kept for the next one (see walkerFor). */
  spare?: Walker;
}

function resolve(limits: Partial<PlainDataLimits>): Resolved {
  const d = DEFAULT_PLAIN_DATA_LIMITS;
  const forbidden = limits.forbiddenKeys ?? d.forbiddenKeys;
  let forbiddenLengths = 0;
  for (const key of forbidden) forbiddenLengths |= lengthBit(key);
  return {
    maxDepth: limits.maxDepth ?? d.maxDepth,
    maxStringLength: limits.maxStringLength ?? d.maxStringLength,
    maxSize: limits.maxSize ?? d.maxSize,
    forbidden,
    forbiddenLengths,
    isProxy: limits.isProxy,
  };
}

/** A key's bit in Resolved.forbiddenLengths. */
function lengthBit(key: string): number {
  return 1 << Math.min(key.length, 31);
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

/** What a kept walker's ancestors hold once it is done (an object, so the array keeps one element kind). */
const NOTHING: object = Object.freeze({});

class Walker {
  private size = 0;
  // The objects and arrays that enclose the current value (for cycles), and the keys of the path to it (only turned
  // into text for an error, since most values are fine), indexed by depth; the path is the first `pathLength` keys.
  // Entries beyond are stale: overwritten, never truncated (setting an array's length is a runtime call).
  private readonly ancestors: object[] = [];
  private readonly trail: (string | number)[] = [];
  private pathLength = 0;
  /** How many arrays enclose the current value. */
  private arrays = 0;
  /** The deepest depth entered, so finish() clears only what was used. */
  private deepest = -1;

  constructor(
    private root: string,
    private readonly limits: Resolved,
    /** Which objects that a copy would reproduce come back as they are (PlainDataValidator.view, objectView). */
    private view: ViewMode = 'none',
  ) {}

  /** Ready for a new check (a walker reused from an earlier one). */
  start(root: string, view: ViewMode): void {
    this.root = root;
    this.view = view;
    this.size = 0;
    this.pathLength = 0;
    this.arrays = 0;
  }

  /** Lets go of the checked value, so a kept walker keeps nothing of it alive. */
  finish(): void {
    for (let i = 0; i <= this.deepest; i++) {
      this.ancestors[i] = NOTHING;
      this.trail[i] = '';
    }
    this.deepest = -1;
  }

  /** A TwinFlowError for what the walk threw. */
  refusalFor(err: unknown): TwinFlowError {
    if (err instanceof TwinFlowError) return err;
    // A getter, a Proxy trap or a toJSON-like hook threw, or something ran out of room (a RangeError): a refusal.
    return refusal(this.path(), 'unreadable', `could not be read (${errorText(err)})`);
  }

  private path(): string {
    let text = this.root;
    for (let i = 0; i < this.pathLength; i++) {
      const k = this.trail[i];
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

  grow(by: number): void {
    this.size += by;
    if (this.size > this.limits.maxSize) {
      this.fail('tooLarge', `makes the value larger than the limit of ${this.limits.maxSize}`);
    }
  }

  walk(value: unknown, depth: number): PlainValue {
    this.grow(16);
    switch (typeof value) {
      case 'number':
        if (!Number.isFinite(value)) {
          this.fail('notFinite', `is ${String(value)}; only finite numbers are accepted`, String(value));
        }
        return value;
      case 'string':
        if (value.length > this.limits.maxStringLength) {
          this.fail(
            'stringTooLong',
            `is a string of ${value.length} characters, over the limit of ${this.limits.maxStringLength}`,
          );
        }
        this.grow(value.length);
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
    if (this.limits.isProxy?.(value)) this.fail('proxy', 'is a Proxy; only plain data is accepted');
    if (Array.isArray(value)) return this.copyArray(value, depth);
    if (isPlainObject(value)) return this.copyObject(value, depth);
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

  /** Before copying an object or array at this depth: the depth limit, and no cycle through its ancestors. */
  private enter(value: object, depth: number): void {
    this.pathLength = depth;
    if (depth > this.limits.maxDepth)
      this.fail('tooDeep', `nests deeper than ${this.limits.maxDepth} levels`);
    const ancestors = this.ancestors;
    for (let i = 0; i < depth; i++) {
      if (ancestors[i] === value) this.fail('circular', 'refers back to itself (a circular reference)');
    }
    ancestors[depth] = value;
    if (depth > this.deepest) this.deepest = depth;
  }

  private copyArray(value: readonly unknown[], depth: number): PlainValue[] {
    this.enter(value, depth);
    const length = value.length;
    // Checked before the loop: a sparse array with length 1e9 costs nothing to send and must cost nothing here.
    this.grow(length * 16 > this.limits.maxSize ? this.limits.maxSize + 1 : 0);
    const out: PlainValue[] = new Array<PlainValue>(length);
    const trail = this.trail;
    this.arrays++; // nothing inside an array is kept as it is (see objectView)
    for (let i = 0; i < length; i++) {
      trail[depth] = i;
      this.pathLength = depth + 1;
      const item = this.read(value, String(i), false);
      out[i] = item === undefined ? null : this.walk(item, depth + 1);
    }
    this.arrays--;
    this.pathLength = depth;
    return out;
  }

  copyObject(value: Record<string, unknown>, depth: number): { [key: string]: PlainValue } {
    this.enter(value, depth);
    const { forbidden, forbiddenLengths, maxStringLength } = this.limits;
    const trail = this.trail;
    // A view builds the copy only from the first key whose value a copy would not keep as it is (a copied object, a
    // Date, an undefined member, a `__proto__` key): the keys before it are checked data properties of an object
    // that is not a Proxy, so reading them again runs no code. (With view 'root' every nested object is a copy; with
    // 'deep' an object kept as it is counts as kept here too.)
    const keep = this.view === 'deep' ? this.arrays === 0 : this.view === 'root' && depth === 0;
    let out: { [key: string]: PlainValue } | undefined = keep ? undefined : {};
    const keys = Object.keys(value);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      trail[depth] = key;
      this.pathLength = depth + 1;
      if ((forbiddenLengths & lengthBit(key)) !== 0 && forbidden.includes(key)) {
        this.fail('forbiddenKey', `uses the forbidden key "${key}"`);
      }
      if (key.length > maxStringLength) {
        this.fail('stringTooLong', `has a key longer than the limit of ${maxStringLength}`);
      }
      this.grow(key.length);
      const item = this.read(value, key);
      const copy = item === undefined ? undefined : this.walk(item, depth + 1);
      if (out === undefined) {
        const kept = copy === item && item !== undefined;
        if (kept && key !== '__proto__') continue;
        out = {};
        for (let j = 0; j < k; j++) out[keys[j]] = value[keys[j]] as PlainValue;
      }
      if (copy === undefined) {
        // dropped, as JSON does
      } else if (key === '__proto__') {
        // Assignment would set the copy's prototype; a defined property is plain data like any other key.
        defineData(out, key, copy);
      } else out[key] = copy;
    }
    this.pathLength = depth;
    return out ?? (value as { [key: string]: PlainValue });
  }

  /** The named own enumerable members of a plain object that is not a Proxy, checked and copied as copyObject would. */
  pick(value: Record<string, unknown>, names: readonly string[]): { [key: string]: PlainValue } {
    this.enter(value, 0);
    const out: { [key: string]: PlainValue } = {};
    for (const key of names) {
      this.trail[0] = key;
      this.pathLength = 1;
      // What a copy holds: own enumerable string keys (reading this runs no code on an object that is not a Proxy).
      if (!Object.prototype.propertyIsEnumerable.call(value, key)) continue;
      if (this.limits.forbidden.includes(key)) this.fail('forbiddenKey', `uses the forbidden key "${key}"`);
      this.grow(key.length);
      const item = this.read(value, key);
      if (item === undefined) continue;
      const copy = this.walk(item, 1);
      if (key === '__proto__') defineData(out, key, copy);
      else out[key] = copy;
    }
    this.pathLength = 0;
    return out;
  }

  /** An own data property's value, without calling a getter (a getter could throw, loop, or answer differently). */
  private read(value: object, key: string, knownOwn = true): unknown {
    if (this.limits.isProxy !== undefined) {
      // The object is known not to be a Proxy (walkObject checked), so asking for a getter and reading the value
      // run no code, and neither allocates: a property descriptor per key was the largest share of the garbage a
      // twin-state report made. An own data property has no getter; reading a setter-only accessor gives
      // undefined, so only then is the setter asked for. Object keys come from Object.keys (own); an array index
      // may be a hole, which must not be read through the prototype chain.
      if (!knownOwn && !hasOwn.call(value, key)) return undefined;
      if (lookupGetter.call(value, key) !== undefined) this.accessor();
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined && lookupSetter.call(value, key) !== undefined) this.accessor();
      return item;
    }
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) return undefined;
    if (descriptor.get !== undefined || descriptor.set !== undefined) this.accessor();
    return descriptor.value as unknown;
  }

  private accessor(): never {
    return this.fail('accessor', 'is an accessor (getter or setter); send plain data');
  }
}

/** Object.prototype's legacy accessor lookups (ECMAScript Annex B), called with the object to ask about. */
const legacy = Object.prototype as unknown as {
  __lookupGetter__(this: object, key: string): unknown;
  __lookupSetter__(this: object, key: string): unknown;
};
const lookupGetter = legacy.__lookupGetter__;
const lookupSetter = legacy.__lookupSetter__;
const hasOwn = Object.prototype.hasOwnProperty;

function defineData(out: object, key: string, value: PlainValue): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
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
