import assert from 'node:assert/strict';
import { types } from 'node:util';
import vm from 'node:vm';
import {
  DEFAULT_PLAIN_DATA_LIMITS,
  isPlainObject,
  plainDataValidator,
  toPlainData,
  toPlainObject,
  typeName,
} from '../../src/core/plain-data';

/** The refusal's code, reason and path, or undefined when the value was accepted. */
function refusal(
  value: unknown,
  limits = {},
): { code: string; reason: string; path: string; message: string } | undefined {
  try {
    toPlainData(value, 'msg.payload', limits);
    return undefined;
  } catch (err) {
    const e = err as { code: string; details: { reason: string; path: string }; message: string };
    return { code: e.code, reason: e.details.reason, path: e.details.path, message: e.message };
  }
}

/** What a check came to: 'accepted', or the refusal's details (reason, path, problem). */
function outcome(check: () => unknown): 'accepted' | { reason: string; path: string } {
  try {
    check();
    return 'accepted';
  } catch (err) {
    return (err as { details: { reason: string; path: string } }).details;
  }
}

/** The refusal's reason, or 'accepted'. */
const reasonOf = (check: () => unknown): string => {
  const o = outcome(check);
  return o === 'accepted' ? o : o.reason;
};

function nested(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let c = root;
  for (let i = 0; i < depth; i++) c = c.n = {} as Record<string, unknown>;
  return root;
}

describe('plain-data: one validator for every node', () => {
  const otherRealm = vm.createContext({});
  const fromVm = (source: string): unknown => vm.runInContext(source, otherRealm);

  it('accepts plain objects from another vm realm (a function node) by value, as a copy in this realm', () => {
    const foreign = fromVm('({ a: 1, b: { c: [1, 2, { d: "x" }] }, when: new Date(5) })') as object;
    assert.notEqual(Object.getPrototypeOf(foreign), Object.prototype, 'the test really crosses realms');
    assert.ok(isPlainObject(foreign));
    const copy = toPlainObject(foreign);
    assert.deepEqual(copy, { a: 1, b: { c: [1, 2, { d: 'x' }] }, when: 5 });
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal(Object.getPrototypeOf(copy.b), Object.prototype);
  });

  it('accepts null-prototype objects (JSON nodes, querystring) and returns equal JSON', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.x = 1;
    assert.deepEqual(toPlainData(bare), { x: 1 });
    const json = { a: [true, null, 's', -0.5], b: {} };
    assert.deepEqual(toPlainData(json), json);
  });

  it('turns a Date (any realm) into epoch milliseconds and refuses an invalid Date', () => {
    assert.equal(toPlainData(new Date(1700000000000)), 1700000000000);
    assert.equal(toPlainData(fromVm('new Date(42)')), 42);
    assert.equal(refusal({ t: new Date(NaN) })?.reason, 'badValue');
  });

  it('drops undefined members and turns undefined array elements and holes into null, as JSON does', () => {
    // eslint-disable-next-line no-sparse-arrays
    assert.deepEqual(toPlainData({ a: undefined, b: [1, undefined, , 3] }), { b: [1, null, null, 3] });
    assert.equal(toPlainData(undefined), undefined);
  });

  it('refuses every value the store cannot persist, naming the path and the problem', () => {
    class Reading {
      value = 1;
    }
    const cases: [string, unknown, string, string][] = [
      ['BigInt', { a: { b: 1n } }, 'badValue', 'msg.payload.a.b'],
      ['function', { a: { f: () => 1 } }, 'badValue', 'msg.payload.a.f'],
      ['symbol', { s: Symbol('x') }, 'badValue', 'msg.payload.s'],
      ['NaN deep inside', { a: [{ b: NaN }] }, 'notFinite', 'msg.payload.a[0].b'],
      ['Infinity', { a: -Infinity }, 'notFinite', 'msg.payload.a'],
      ['Map', { m: new Map() }, 'badValue', 'msg.payload.m'],
      ['Set', { m: new Set([1]) }, 'badValue', 'msg.payload.m'],
      ['Buffer', { m: Buffer.from('x') }, 'badValue', 'msg.payload.m'],
      ['typed array', { m: new Float64Array(2) }, 'badValue', 'msg.payload.m'],
      ['ArrayBuffer', { m: new ArrayBuffer(2) }, 'badValue', 'msg.payload.m'],
      ['class instance', { r: new Reading() }, 'badValue', 'msg.payload.r'],
      ['class instance of another realm', { r: fromVm('new (class R { })()') }, 'badValue', 'msg.payload.r'],
      ['Map of another realm', { r: fromVm('new Map()') }, 'badValue', 'msg.payload.r'],
      ['boxed number', { n: new Number(1) }, 'badValue', 'msg.payload.n'],
      ['RegExp', { n: /x/ }, 'badValue', 'msg.payload.n'],
      ['Error', { n: new Error('x') }, 'badValue', 'msg.payload.n'],
      ['__proto__ key', JSON.parse('{"a":{"__proto__":{"x":1}}}'), 'forbiddenKey', 'msg.payload.a.__proto__'],
      [
        'long string',
        { s: 'x'.repeat(DEFAULT_PLAIN_DATA_LIMITS.maxStringLength + 1) },
        'stringTooLong',
        'msg.payload.s',
      ],
      ['long key', { ['k'.repeat(DEFAULT_PLAIN_DATA_LIMITS.maxStringLength + 1)]: 1 }, 'stringTooLong', ''],
      ['large payload', { a: Array.from({ length: 20 }, () => 'x'.repeat(100_000)) }, 'tooLarge', ''],
      ['sparse array of length 1e9', { a: new Array(1e9) }, 'tooLarge', 'msg.payload.a'],
      ['depth 33', nested(33), 'tooDeep', ''],
    ];
    for (const [name, value, reason, path] of cases) {
      const r = refusal(value);
      assert.ok(r, `${name} is refused`);
      assert.equal(r.code, reason === 'notFinite' ? 'TWINFLOW_NOT_FINITE' : 'TWINFLOW_INVALID_VALUE', name);
      assert.equal(r.reason, reason, name);
      if (path) assert.equal(r.path, path, name);
      assert.ok(r.message.startsWith(r.path), `${name}: the message names the path (${r.message})`);
    }
  });

  it('accepts depth 32 and refuses deeper, without a stack overflow at 5,000 levels or on cycles', () => {
    assert.equal(refusal(nested(32)), undefined);
    assert.equal(refusal(nested(5000))?.reason, 'tooDeep');
    const deepArray = JSON.parse('['.repeat(5000) + ']'.repeat(5000)) as unknown;
    assert.equal(refusal(deepArray)?.reason, 'tooDeep');
    const circular: Record<string, unknown> = { a: {} };
    (circular.a as Record<string, unknown>).back = circular;
    assert.equal(refusal(circular)?.reason, 'circular');
    assert.equal(refusal(circular)?.path, 'msg.payload.a.back');
    const shared = { x: 1 };
    assert.deepEqual(toPlainData({ a: shared, b: shared }), { a: { x: 1 }, b: { x: 1 } });
  });

  it('stops a shared-reference blow-up (a DAG that doubles at each level) by size', () => {
    let node: unknown = { leaf: 'x'.repeat(10) };
    for (let i = 0; i < 30; i++) node = { l: node, r: node };
    assert.equal(refusal(node)?.reason, 'tooLarge');
  });

  it('never calls a getter, and refuses accessors', () => {
    let calls = 0;
    const value = {
      get bomb(): number {
        calls++;
        throw new Error('boom');
      },
    };
    assert.equal(refusal({ a: value })?.reason, 'accessor');
    assert.equal(calls, 0);
  });

  it('ends Proxies whose traps throw in a refusal, and refuses any Proxy when told how to see one', () => {
    const throwing = new Proxy(
      {},
      {
        ownKeys() {
          throw new RangeError('Maximum call stack size exceeded');
        },
      },
    );
    assert.equal(refusal({ p: throwing })?.reason, 'unreadable');
    const protoTrap = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no');
        },
      },
    );
    assert.equal(refusal({ p: protoTrap })?.reason, 'badValue');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assert.ok(refusal({ p: proxy }), 'a revoked Proxy is refused');
    const benign = new Proxy({ a: 1 }, {});
    assert.deepEqual(toPlainData({ p: benign }), { p: { a: 1 } }, 'read once, by value');
    assert.equal(refusal({ p: benign }, { isProxy: types.isProxy })?.reason, 'proxy');
    assert.doesNotThrow(() => typeName(protoTrap));
    assert.equal(isPlainObject(protoTrap), false);
  });

  it('view: the value itself when a copy would equal it, else the copy; the same refusals as data', () => {
    const validator = plainDataValidator({ isProxy: types.isProxy, forbiddenKeys: [] });
    const flat = { a: 1, b: 'x', c: true, d: null };
    assert.equal(validator.view(flat), flat, 'a flat record of primitives is not copied');
    assert.equal(validator.view(3), 3);
    const realm = vm.runInNewContext('({ a: 1, b: 2 })') as object;
    assert.equal(validator.view(realm), realm, 'from any realm');
    const copied = [
      { a: 1, at: new Date(5) },
      { a: 1, gone: undefined },
      { a: 1, nested: { value: 2 } },
      { a: 1, list: [1, 2] },
      JSON.parse('{"a": 1, "__proto__": 2}') as object,
    ];
    for (const value of copied) {
      const view = validator.view(value);
      assert.notEqual(view, value);
      assert.deepEqual(view, validator.data(value));
      for (const inner of Object.values(view as object)) {
        if (typeof inner === 'object' && inner !== null)
          assert.ok(!Object.values(value).includes(inner), 'nested values are copies');
      }
    }
    let calls = 0;
    const refused: unknown[] = [
      { a: 1, b: NaN },
      {
        a: 1,
        get b(): number {
          calls++;
          return 1;
        },
      },
      { a: 1, b: new Proxy({}, {}) },
      new Proxy({ a: 1 }, {}),
      { a: 1, b: new Map() },
      { a: 1, b: 'x'.repeat(300_000) },
      { a: 1, b: 1n },
    ];
    for (const value of refused) {
      assert.deepEqual(
        outcome(() => validator.view(value)),
        outcome(() => validator.data(value)),
      );
      assert.notEqual(
        outcome(() => validator.view(value)),
        'accepted',
      );
    }
    assert.equal(calls, 0, 'no getter was called');
    const withoutIsProxy = plainDataValidator();
    assert.notEqual(
      withoutIsProxy.view(flat),
      flat,
      'without a Proxy test, always a copy (a Proxy is read once)',
    );
  });

  it('members: only the named members are read and checked; the rest of the payload is never touched', () => {
    const validator = plainDataValidator({ isProxy: types.isProxy, forbiddenKeys: [] });
    let calls = 0;
    const payload = {
      speed: 3,
      state: 'on',
      sample: { value: 2, quality: 'good' },
      other: 1n,
      get unread(): number {
        calls++;
        return 1;
      },
    };
    const picked = validator.members(payload, ['speed', 'state', 'sample', 'absent']);
    assert.deepEqual(picked, { speed: 3, state: 'on', sample: { value: 2, quality: 'good' } });
    assert.notEqual((picked as Record<string, unknown>).sample, payload.sample, 'an object member is a copy');
    assert.equal(calls, 0, 'a getter on a member not named is never called');
    const realm = vm.runInNewContext('({ a: 1, b: 2n })') as object;
    assert.deepEqual(validator.members(realm, ['a']), { a: 1 }, 'from any realm');
    assert.deepEqual(
      validator.members(JSON.parse('{"__proto__": 4, "b": 1}'), ['__proto__']),
      JSON.parse('{"__proto__": 4}'),
      'a member named __proto__ is data, never a prototype',
    );
    const hidden = Object.defineProperty({ a: 1 }, 'h', { value: 2, enumerable: false });
    assert.deepEqual(
      validator.members(hidden, ['a', 'h']),
      { a: 1 },
      'only own enumerable members, as a copy',
    );

    const reason = reasonOf;
    // A named member is refused as `view` refuses it, for the same reason.
    const refusedMembers: [unknown, string][] = [
      [{ a: NaN }, 'notFinite'],
      [{ a: 1n }, 'badValue'],
      [Object.defineProperty({}, 'a', { enumerable: true, get: () => 1 }), 'accessor'],
      [{ a: new Proxy({}, {}) }, 'proxy'],
      [{ a: 'x'.repeat(300_000) }, 'stringTooLong'],
      [{ a: { value: new Map() } }, 'badValue'],
    ];
    for (const [value, expected] of refusedMembers) {
      assert.equal(
        reason(() => validator.members(value, ['a'])),
        expected,
      );
      assert.equal(
        reason(() => validator.view(value)),
        expected,
        'the same refusal as view',
      );
    }
    assert.equal(
      reason(() =>
        plainDataValidator({ isProxy: types.isProxy, maxSize: 40 }).members({ a: 'y'.repeat(30) }, ['a']),
      ),
      'tooLarge',
    );
    // Anything but a plain object goes through view whole.
    assert.equal(validator.members(7, ['a']), 7);
    assert.equal(
      reason(() => validator.members(new Proxy({ a: 1 }, {}), ['a'])),
      'proxy',
    );
    assert.equal(
      reason(() => validator.members(new Map(), ['a'])),
      'badValue',
    );
    assert.deepEqual(validator.members([1, 2], ['a']), [1, 2]);
    assert.deepEqual(
      plainDataValidator().members({ a: 1, b: 2 }, ['a']),
      { a: 1, b: 2 },
      'without a Proxy test, the whole payload is copied (nothing may be left unread)',
    );
  });

  it('objectView: objects a copy would reproduce come back as they are at any depth; arrays and all in them are copies', () => {
    const validator = plainDataValidator({ isProxy: types.isProxy });
    const sample = { value: 1, quality: 'good', sourceTimestamp: 5 };
    const flat = { speed: sample, state: { value: 'on' } };
    assert.equal(validator.objectView(flat), flat, 'a payload of plain samples is not copied');
    const realm = vm.runInNewContext('({ speed: { value: 1 } })') as object;
    assert.equal(validator.objectView(realm), realm, 'from any realm');
    const inArray = { a: 1 };
    const mixed = { speed: sample, list: [inArray, [2]], at: { value: 1, t: new Date(7) } };
    const view = validator.objectView(mixed) as Record<string, unknown>;
    assert.notEqual(view, mixed);
    assert.equal(view.speed, sample, 'a member kept as it is');
    assert.notEqual(view.list, mixed.list, 'an array is a copy');
    assert.notEqual((view.list as unknown[])[0], inArray, 'and so is an object inside it');
    assert.deepEqual(view.at, { value: 1, t: 7 }, 'a Date is turned into its time, so its object is a copy');
    assert.deepEqual(view, validator.object(mixed));
    const refused = [
      { a: { b: 1n } },
      { a: Object.defineProperty({}, 'x', { enumerable: true, get: () => 1 }) },
      { a: new Proxy({}, {}) },
      1,
      [1],
    ];
    for (const value of refused) {
      assert.deepEqual(
        outcome(() => validator.objectView(value)),
        outcome(() => validator.object(value)),
      );
      assert.notEqual(
        outcome(() => validator.objectView(value)),
        'accepted',
      );
    }
    assert.notEqual(plainDataValidator().objectView(flat), flat, 'without a Proxy test, always a copy');
  });

  it('forbidden keys are found whatever their length', () => {
    const long = 'k'.repeat(40);
    const validator = plainDataValidator({ forbiddenKeys: ['__proto__', 'constructor', long] });
    const reason = (value: unknown): string => reasonOf(() => validator.data(value));
    assert.equal(reason({ constructor: 1 }), 'forbiddenKey');
    assert.equal(reason({ [long]: 1 }), 'forbiddenKey');
    assert.equal(
      reason({ ['k'.repeat(41)]: 1 }),
      'accepted',
      'as long as a forbidden key, or longer, is not enough',
    );
    assert.equal(reason({ prototype: 1, constructo: 2 }), 'accepted');
  });

  it('takes limits as options', () => {
    assert.equal(refusal({ a: { b: 1 } }, { maxDepth: 0 })?.reason, 'tooDeep');
    assert.equal(refusal({ a: 'xxxx' }, { maxStringLength: 3 })?.reason, 'stringTooLong');
    assert.equal(refusal({ a: 'x' }, { maxSize: 20 })?.reason, 'tooLarge');
    assert.equal(
      refusal({ a: { constructor: 1 } }, { forbiddenKeys: ['constructor'] })?.reason,
      'forbiddenKey',
    );
    assert.equal(refusal({ constructor: 1 }), undefined, 'constructor is an ordinary key by default');
    const named = toPlainData(JSON.parse('{"__proto__": {"x": 1}}'), 'msg.payload', { forbiddenKeys: [] });
    assert.deepEqual(
      Object.keys(named as object),
      ['__proto__'],
      'allowed, __proto__ is an own key of the copy',
    );
    assert.equal(Object.getPrototypeOf(named), Object.prototype, 'and never the copy prototype');
  });

  it('toPlainObject refuses anything but an object at the top', () => {
    for (const v of [42, 'x', null, [1], new Date(), undefined, fromVm('[1]')]) {
      assert.throws(
        () => toPlainObject(v),
        (e: { code: string; details: { reason: string } }) =>
          e.code === 'TWINFLOW_INVALID_VALUE' && e.details.reason === 'notObject',
      );
    }
  });
});
