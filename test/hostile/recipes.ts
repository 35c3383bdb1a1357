import fc from 'fast-check';

/**
 * Hostile values cannot travel as JSON, so the test sends recipes: JSON with markers (`{"$": "<class>"}`) that a
 * function node inside the runtime turns into the real thing (a BigInt, a Proxy whose traps throw, a cycle...), in
 * the function node's own vm realm, exactly as a user's function node would build them.
 */
export const HOSTILE_CLASSES = [
  'bigint',
  'function',
  'symbol',
  'map',
  'set',
  'classInstance',
  'regexp',
  'error',
  'boxedNumber',
  'buffer',
  'typedArray',
  'arrayBuffer',
  'cycle',
  'deepCycle',
  'proxyThrowingOwnKeys',
  'proxyThrowingGet',
  'proxyThrowingPrototype',
  'proxyRevoked',
  'proxy',
  'throwingGetter',
  'getter',
  'deep',
  'deepArray',
  'longString',
  'largePayload',
  'nan',
  'infinity',
] as const;
export type HostileClass = (typeof HOSTILE_CLASSES)[number];

/** The function node's code: builds msg.payload from the recipe in the request body, msg.topic from its topic. */
export const BUILD_FUNCTION = `
const make = (r) => {
  switch (r.$) {
    case 'bigint': return BigInt(r.n ?? 12345678901234567890);
    case 'function': return function () { return 1; };
    case 'symbol': return Symbol('hostile');
    case 'map': return new Map([['a', 1]]);
    case 'set': return new Set([1]);
    case 'classInstance': return new (class Reading { constructor() { this.value = 1; } })();
    case 'regexp': return /x/g;
    case 'error': return new Error('hostile');
    case 'boxedNumber': return new Number(1);
    case 'buffer': return Buffer.from('hostile');
    case 'typedArray': return new Float64Array(4);
    case 'arrayBuffer': return new ArrayBuffer(8);
    case 'cycle': { const o = { a: 1 }; o.self = o; return o; }
    case 'deepCycle': { const o = { a: { b: { c: {} } } }; o.a.b.c.back = o; return o; }
    case 'proxyThrowingOwnKeys': return new Proxy({}, { ownKeys() { throw new RangeError('Maximum call stack size exceeded'); } });
    case 'proxyThrowingGet': return new Proxy({ a: 1 }, { get() { throw new Error('trap'); }, getOwnPropertyDescriptor() { throw new Error('trap'); } });
    case 'proxyThrowingPrototype': return new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } });
    case 'proxyRevoked': { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; }
    case 'proxy': return new Proxy({ a: 1 }, {});
    case 'throwingGetter': return Object.defineProperty({}, 'x', { enumerable: true, get() { throw new Error('getter'); } });
    case 'getter': return Object.defineProperty({}, 'x', { enumerable: true, get() { return 1; } });
    case 'deep': { const root = {}; let o = root; for (let i = 0; i < r.n; i++) { o.n = {}; o = o.n; } return root; }
    case 'deepArray': { const root = []; let a = root; for (let i = 0; i < r.n; i++) { const b = []; a.push(b); a = b; } return root; }
    case 'longString': return 'x'.repeat(r.n);
    case 'largePayload': { const o = {}; for (let i = 0; i < r.n; i++) o['k' + i] = 'y'.repeat(10000); return o; }
    case 'nan': return NaN;
    case 'infinity': return r.negative ? -Infinity : Infinity;
  }
  throw new Error('unknown recipe ' + r.$);
};
const build = (r) => {
  if (Array.isArray(r)) return r.map(build);
  if (r === null || typeof r !== 'object') return r;
  if (typeof r.$ === 'string') return make(r);
  const o = {};
  for (const k of Object.keys(r)) o[k] = build(r[k]);
  return o;
};
const body = msg.payload;
msg.topic = body.topic;
msg.payload = build(body.payload);
return msg;`;

export interface Recipe {
  topic: string;
  payload: unknown;
  hostile: HostileClass;
}

const marker = (c: HostileClass): fc.Arbitrary<object> => {
  switch (c) {
    case 'deep':
    case 'deepArray':
      return fc.integer({ min: 33, max: 5000 }).map((n) => ({ $: c, n }));
    case 'longString':
      return fc.integer({ min: 1_000_001, max: 1_200_000 }).map((n) => ({ $: c, n }));
    case 'largePayload':
      return fc.integer({ min: 101, max: 140 }).map((n) => ({ $: c, n }));
    case 'infinity':
      return fc.boolean().map((negative) => ({ $: c, negative }));
    default:
      return fc.constant({ $: c });
  }
};

/**
 * Recipes for one node type: a valid-looking payload (`base`) with one hostile value at a random place (a random
 * path below one of `keys`), or the whole payload hostile. Every recipe must be refused.
 */
export function recipes(
  base: Record<string, unknown>,
  keys: string[],
  count: number,
  seed: number,
  topic = 'H1',
): Recipe[] {
  const arb = fc
    .tuple(
      fc.constantFrom(...HOSTILE_CLASSES),
      fc.constantFrom(...keys),
      fc.array(fc.constantFrom('a', 'b', 'limits', 'value'), { maxLength: 4 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 9 }),
    )
    .chain(([hostile, key, path, inArray, whole]) =>
      marker(hostile).map((m) => {
        let value: unknown = inArray ? [1, m] : m;
        for (const step of [...path].reverse()) value = { [step]: value };
        // One recipe in ten makes the whole payload hostile (not possible for the size classes' meaning, kept anyway).
        const payload = whole === 0 ? m : { ...base, [key]: value };
        return { topic, payload, hostile } satisfies Recipe;
      }),
    );
  return fc.sample(arb, { numRuns: count, seed });
}
