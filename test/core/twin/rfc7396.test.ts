import assert from 'node:assert/strict';
import {
  applyDesire,
  applyReport,
  checkClientToken,
  computeDelta,
  defineModel,
  mergePatch,
  type TwinDocument,
} from '../../../src/core/twin';

const T0 = Date.UTC(2026, 0, 1);
const model = defineModel({
  name: 'Press',
  properties: [
    { name: 'settings', type: 'object', writable: true },
    { name: 'temperature', type: 'number' },
  ],
});

/** RFC 7396 Appendix A: [target, patch, result]. */
const APPENDIX_A: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

/** JSON without null object members: what a store that never holds nulls makes of a document. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

const report = (doc: TwinDocument | undefined, payload: unknown, extra = {}) =>
  applyReport(doc, model, 'P1', payload, { now: T0, ...extra });

describe('RFC 7396 for object-valued properties (Appendix A)', () => {
  it('mergePatch gives every Appendix A result', () => {
    for (const [target, patch, result] of APPENDIX_A) assert.deepEqual(mergePatch(target, patch), result);
  });

  APPENDIX_A.forEach(([target, patch, result], i) => {
    it(`case ${i + 1} through report and desire: ${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      // An object property holds objects only: an array or a string document is refused with a wrong type, and a
      // null patch at the property level deletes the property (documented in the README). Targets are written
      // first, so a null member in a target (case 13) is never stored: the store holds the target without it.
      const first = isObject(target) ? report(undefined, { settings: target }).doc : undefined;
      if (first) assert.deepEqual(first.reported.settings.value, withoutNulls(target));
      if (patch === null) {
        const deleted = report(first, { settings: null }).doc;
        assert.equal(deleted.reported.settings, undefined);
        return;
      }
      if (!isObject(patch)) {
        assert.throws(() => report(first, { settings: patch }), { code: 'TWINFLOW_WRONG_TYPE' });
        assert.throws(() => applyDesire(first, model, 'P1', { settings: patch }, { now: T0 }), {
          code: 'TWINFLOW_WRONG_TYPE',
        });
        return;
      }
      const stored = report(first, { settings: patch }).doc.reported.settings.value;
      assert.deepEqual(stored, withoutNulls(isObject(target) ? result : mergePatch({}, patch)));
      assert.equal(JSON.stringify(stored).includes('null'), false, 'no null member is ever stored');

      const desiredFirst = isObject(target)
        ? applyDesire(undefined, model, 'P1', { settings: target }, { now: T0 }).doc
        : undefined;
      const desired = applyDesire(desiredFirst, model, 'P1', { settings: patch }, { now: T0 }).doc;
      assert.deepEqual(desired.desired.settings.value, stored, 'desired merges exactly like reported');
    });
  });

  it('a first write with null members (cases 14 and 15) stores none, and the delta settles', () => {
    const desired = applyDesire(
      undefined,
      model,
      'P1',
      { settings: { a: { bb: { ccc: null } }, c: null } },
      {
        now: T0,
      },
    );
    assert.deepEqual(desired.doc.desired.settings.value, { a: { bb: {} } });
    const reported = report(desired.doc, { settings: { a: { bb: { ccc: null } } } });
    assert.deepEqual(reported.doc.reported.settings.value, { a: { bb: {} } });
    assert.deepEqual(computeDelta(reported.doc, model), {}, 'desired and reported agree: nothing left to do');
  });
});

describe('timestamps and client tokens', () => {
  it('refuses source and server timestamps beyond now + the model clock skew (default 5 min)', () => {
    assert.equal(model.maxClockSkew, 300_000);
    const at = (t: unknown, field = 'sourceTimestamp') => ({ temperature: { value: 1, [field]: t } });
    assert.doesNotThrow(() => report(undefined, at(T0 + 300_000)));
    assert.throws(() => report(undefined, at(T0 + 300_001)), { code: 'TWINFLOW_TIMESTAMP_IN_FUTURE' });
    assert.throws(() => report(undefined, at(1e20)), { code: 'TWINFLOW_BAD_TIMESTAMP' });
    assert.throws(() => report(undefined, at(T0 + 3.2e11, 'serverTimestamp')), {
      code: 'TWINFLOW_TIMESTAMP_IN_FUTURE',
    });
    assert.doesNotThrow(() => report(undefined, at(T0 - 3.2e11)), 'old timestamps are history, not an error');
    const strict = defineModel({ properties: [{ name: 'temperature' }], maxClockSkew: 0 });
    assert.throws(() => applyReport(undefined, strict, 'P1', at(T0 + 1), { now: T0 }), {
      code: 'TWINFLOW_TIMESTAMP_IN_FUTURE',
    });
  });

  it('takes a clientToken that is a string of at most 64 UTF-8 bytes', () => {
    assert.equal(checkClientToken('op-42'), 'op-42');
    assert.equal(checkClientToken('x'.repeat(64)), 'x'.repeat(64));
    for (const bad of [42, '', 'x'.repeat(65), 'é'.repeat(33), null, {}]) {
      assert.throws(() => checkClientToken(bad), { code: 'TWINFLOW_BAD_CLIENT_TOKEN' }, JSON.stringify(bad));
    }
  });
});
