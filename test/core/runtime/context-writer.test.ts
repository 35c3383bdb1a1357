import assert from 'node:assert/strict';
import type { NodeContextData } from 'node-red';
import { ContextWriter, REWRITE_MS } from '../../../src/runtime/model/context-writer';
import { ManualClock } from '../../helpers/clock';

/** A context store stand-in: answers at once (memory, file cache) or later (Redis), and can be made to fail. */
function fakeContext(mode: 'sync' | 'async') {
  const values = new Map<string, unknown>();
  const log: [string, unknown][] = [];
  let failing = false;
  const context = {
    set(key: string, value: unknown, _store: string, cb: (err?: Error) => void) {
      const finish = (): void => {
        if (failing) return cb(new Error('store down'));
        log.push([key, value]);
        values.set(key, value);
        cb();
      };
      if (mode === 'sync') finish();
      else setImmediate(finish);
    },
  } as unknown as NodeContextData;
  return { context, values, log, fail: (on: boolean) => (failing = on) };
}

/** For writers that must never log: a failure there fails the test. */
const unexpected = (err: unknown): never => {
  throw err;
};

describe('ContextWriter (the twin store writing to context)', () => {
  it('writes a key the synchronous store just took once when REWRITE_MS is up, with its newest value', () => {
    const clock = new ManualClock();
    const store = fakeContext('sync');
    const writer = new ContextWriter(store.context, undefined, clock, unexpected);
    assert.equal(writer.writeSoon('a', 1), undefined);
    writer.writeSoon('a', 2);
    writer.writeSoon('a', 3);
    writer.writeSoon('b', 1);
    assert.deepEqual(store.log, [
      ['a', 1],
      ['b', 1],
    ]);
    clock.advance(REWRITE_MS);
    assert.deepEqual(store.log.slice(2), [['a', 3]]);
    assert.equal(store.values.get('a'), 3);
  });

  it('writes what is due on close, and a direct write or a removal supersedes a due one', async () => {
    const clock = new ManualClock();
    const store = fakeContext('sync');
    const writer = new ContextWriter(store.context, undefined, clock, unexpected);
    writer.writeSoon('a', 1);
    writer.writeSoon('a', 2);
    writer.writeSoon('b', 1);
    writer.writeSoon('b', 2);
    writer.writeSoon('b', undefined); // removed: written at once, nothing due any more
    await writer.close();
    assert.equal(store.values.get('a'), 2);
    assert.equal(store.values.get('b'), undefined);
    assert.deepEqual(
      store.log.filter(([k]) => k === 'b'),
      [
        ['b', 1],
        ['b', undefined],
      ],
    );
  });

  it('gives an asynchronous store every write, in order, and its failures to the caller', async () => {
    const clock = new ManualClock();
    const store = fakeContext('async');
    const writer = new ContextWriter(store.context, undefined, clock, unexpected);
    const writes = [1, 2, 3].map((v) => writer.writeSoon('a', v));
    assert.ok(writes.every((w) => w instanceof Promise));
    await Promise.all(writes);
    assert.deepEqual(store.log, [
      ['a', 1],
      ['a', 2],
      ['a', 3],
    ]);
    store.fail(true);
    await assert.rejects(writer.writeSoon('a', 4) as Promise<void>, /store down/);
    await writer.close();
  });

  it('reports a failing synchronous store to the caller on a first write, and logs a failed flush', () => {
    const clock = new ManualClock();
    const store = fakeContext('sync');
    const logged: unknown[] = [];
    const writer = new ContextWriter(store.context, undefined, clock, (err) => logged.push(err));
    store.fail(true);
    assert.throws(() => writer.writeSoon('a', 1), /store down/);
    store.fail(false);
    writer.writeSoon('a', 2);
    writer.writeSoon('a', 3);
    store.fail(true);
    clock.advance(REWRITE_MS);
    assert.equal(logged.length, 1);
    assert.equal(store.values.get('a'), 2, 'the store kept what it had');
  });
});
