import assert from 'node:assert/strict';
import { copyRecord } from '../../src/core/shallow-copy';

describe('copyRecord: a shallow copy that keeps shared hidden classes', () => {
  it('copies own enumerable members in order, and nothing else', () => {
    const source = Object.create({ inherited: 1 }) as Record<string, unknown>;
    source.b = 2;
    source.a = { deep: true };
    Object.defineProperty(source, 'hidden', { value: 3, enumerable: false });
    const copy = copyRecord(source);
    assert.deepEqual(Object.keys(copy), ['b', 'a']);
    assert.equal(copy.a, source.a, 'shallow: members are the same objects');
    assert.notEqual(copy, source);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    copy.b = 5;
    assert.equal(source.b, 2, 'the source is untouched');
  });

  it('copies a member named __proto__ as data, never as the prototype', () => {
    const source = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
    const copy = copyRecord(source);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal((copy as { polluted?: boolean }).polluted, undefined);
    assert.deepEqual(Object.keys(copy), ['__proto__', 'x']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, { polluted: true });
  });
});
