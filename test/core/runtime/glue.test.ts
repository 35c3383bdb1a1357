import assert from 'node:assert/strict';
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { TwinFlowError, isTwinFlowError } from '../../../src/core/errors';
import { contextKey, idFromContextKey } from '../../../src/runtime/shared/context';
import { toNodeError, translate } from '../../../src/runtime/shared/i18n';
import { handleInput } from '../../../src/runtime/shared/input';
import { statusFor } from '../../../src/runtime/shared/status';
import { systemClock } from '../../../src/runtime/shared/clock';
import { ManualClock } from '../../helpers/clock';
import { outputMessage } from '../../../src/runtime/sim/messages';
import { latestVersion, migrateConfig, type Migration } from '../../../src/core/nodes/migrate';
import { TWIN_MODEL_MIGRATIONS } from '../../../src/runtime/model/model-config';
import { TWIN_STATE_MIGRATIONS } from '../../../src/runtime/model/state-config';

/** The runtime glue every node shares, exercised with a minimal stand-in for the parts of RED it touches. */
const catalogue: Record<string, string> = {
  'demo.errors.outOfRange': 'hors plage: __property__',
  'demo.status.training': 'training __done__',
};
const RED = {
  _: (key: string, details?: Record<string, string>) =>
    catalogue[key]?.replace(/__(\w+)__/g, (_m, k: string) => details?.[k] ?? '') ?? key,
} as unknown as NodeAPI;

describe('runtime glue', () => {
  describe('errors and i18n', () => {
    it('gives TwinFlowError a stable code derived from its key', () => {
      const err = new TwinFlowError('versionConflict', 'version conflict');
      assert.equal(err.code, 'TWINFLOW_VERSION_CONFLICT');
      assert.ok(isTwinFlowError(err));
      assert.ok(!isTwinFlowError(new Error('plain')));
    });

    it('recognises a TwinFlowError from another bundle by shape', () => {
      const foreign = Object.assign(new Error('x'), { name: 'TwinFlowError', key: 'k', code: 'TWINFLOW_K' });
      assert.ok(isTwinFlowError(foreign));
    });

    it('translates through the catalogue and falls back to the English message', () => {
      const translated = toNodeError(
        RED,
        'demo',
        new TwinFlowError('outOfRange', 'x out of range', { property: 'x' }),
      );
      assert.equal(translated.message, 'hors plage: x');
      assert.equal((translated as Error & { code: string }).code, 'TWINFLOW_OUT_OF_RANGE');
      const untranslated = toNodeError(RED, 'demo', new TwinFlowError('other', 'English text'));
      assert.equal(untranslated.message, 'English text');
      assert.equal(translate(RED, 'missing.key', 'fallback'), 'fallback');
    });
  });

  describe('context keys', () => {
    it('encode ids with dots, brackets and unicode into flat keys and back', () => {
      for (const id of ['Pump01', 'Plant1.Line2.Pump[3]', 'Ünïcødé 泵', "a'b(c)*~!", '%41']) {
        const key = contextKey('twin:', id);
        assert.match(key.slice(5), /^[A-Za-z0-9_]*$/);
        assert.equal(idFromContextKey('twin:', key), id);
      }
      assert.equal(idFromContextKey('twin:', 'other'), undefined);
      assert.equal(idFromContextKey('twin:', 'twin:bad.key'), undefined);
    });
  });

  describe('config migrations', () => {
    const steps: Migration<{ a: number; b: number }>[] = [
      { to: 2, up: (c) => ({ ...c, b: Number(c.a) * 2 }) },
      { to: 1, up: (c) => ({ a: 1, ...c }) },
    ];

    it('runs every step above the saved version, in order, and stamps the version', () => {
      assert.deepEqual(migrateConfig({}, steps), { a: 1, b: 2, version: 2 });
      assert.deepEqual(migrateConfig({ a: 5, version: 1 }, steps), { a: 5, b: 10, version: 2 });
      assert.deepEqual(migrateConfig({ a: 5, b: 0, version: 2 }, steps), { a: 5, b: 0, version: 2 });
      assert.equal(latestVersion(steps), 2);
      assert.deepEqual(
        migrateConfig({ b: 0, version: 2 }, steps),
        { a: 1, b: 0, version: 2 },
        'version-1 defaults fill gaps',
      );
    });

    it('brings a pre-release twin-model and twin-state config to version 1 with defaults', () => {
      const model = migrateConfig({ id: 'm', name: 'Pump' }, TWIN_MODEL_MIGRATIONS);
      assert.equal(model.version, 1);
      assert.equal(model.properties, '[]');
      assert.equal(model.store, '');
      const state = migrateConfig({ id: 's', model: 'm' }, TWIN_STATE_MIGRATIONS);
      assert.deepEqual(
        [state.version, state.action, state.twinId, state.twinIdType],
        [1, 'msg', 'topic', 'msg'],
      );
    });
  });

  describe('handleInput', () => {
    function fakeNode(): Node & { statuses: unknown[] } {
      const statuses: unknown[] = [];
      return { statuses, status: (s: unknown) => statuses.push(s) } as unknown as Node & {
        statuses: unknown[];
      };
    }
    const msg = (n: number) => ({ _msgid: String(n), payload: n }) as NodeMessageInFlow;

    it('completes synchronous handlers at once and reports thrown errors through done(err) and a red status', () => {
      const node = fakeNode();
      const done: (Error | undefined)[] = [];
      const input = handleInput(
        RED,
        node,
        'demo',
        (m) => {
          if (m.payload === 2) throw new TwinFlowError('outOfRange', 'bad', { property: 'p' });
        },
        statusFor(RED, node, 'demo', systemClock).error,
      );
      input(
        msg(1),
        () => undefined,
        (err) => done.push(err),
      );
      assert.equal(done.length, 1);
      assert.equal(done[0], undefined);
      input(
        msg(2),
        () => undefined,
        (err) => done.push(err),
      );
      assert.equal(done[1]?.message, 'hors plage: p');
      assert.deepEqual(node.statuses[0], { fill: 'red', shape: 'ring', text: 'hors plage: p' });
    });

    it('keeps arrival order when some messages are asynchronous', async () => {
      const order: number[] = [];
      const input = handleInput(
        RED,
        fakeNode(),
        'demo',
        (m) => {
          const n = m.payload as number;
          if (n % 2 === 1) return new Promise<void>((r) => setTimeout(() => (order.push(n), r()), 10 - n));
          order.push(n);
        },
        () => undefined,
      );
      const finished = new Promise<void>((resolve) => {
        let count = 0;
        for (let n = 1; n <= 5; n++)
          input(
            msg(n),
            () => undefined,
            () => ++count === 5 && resolve(),
          );
      });
      await finished;
      assert.deepEqual(order, [1, 2, 3, 4, 5]);
    });

    it('sends only what reaches a wire, reading the wires at each send', () => {
      const node = fakeNode() as unknown as Node & { wires: string[][] };
      node.wires = [[], ['b'], []];
      const sent: unknown[] = [];
      const out = { _msgid: 'o', payload: 1 } as NodeMessageInFlow;
      let reply: (send: (m: never) => void) => void = () => undefined;
      const input = handleInput(
        RED,
        node,
        'demo',
        (_m, send) => reply(send),
        () => undefined,
      );
      const attempt = (msgs: unknown): number => {
        sent.length = 0;
        reply = (send) => send(msgs as never);
        input(
          msg(1),
          (m) => sent.push(m),
          () => undefined,
        );
        return sent.length;
      };
      assert.equal(attempt([out, null, [out]]), 0, 'outputs 1 and 3 have no wire');
      assert.equal(attempt([null, [], null]), 0, 'nothing on the wired output');
      assert.equal(attempt(out), 0, 'a single message goes to output 1');
      assert.equal(attempt([null, out, null]), 1);
      assert.equal(attempt([null, [out, out]]), 1, 'sent as one call, as given');
      node.wires = [['a'], [], []]; // a deploy that rewires a running node
      assert.equal(attempt(out), 1);
      assert.deepEqual(sent[0], out);
    });

    it('turns a rejected promise into done(err)', async () => {
      const input = handleInput(
        RED,
        fakeNode(),
        'demo',
        () => Promise.reject(new Error('store down')),
        () => undefined,
      );
      const err = await new Promise<Error | undefined>((resolve) => input(msg(1), () => undefined, resolve));
      assert.equal(err?.message, 'store down');
    });
  });

  describe('statusFor', () => {
    it('describes a lazy status only when the throttle shows it, as the state is then, and never for a dropped one', () => {
      const clock = new ManualClock();
      const statuses: unknown[] = [];
      const node = { status: (s: unknown) => statuses.push(s) } as unknown as Node;
      const status = statusFor(RED, node, 'demo', clock);
      let described = 0;
      let progress = 0;
      const offer = () =>
        status.showLazily(() => {
          described++;
          return { fill: 'yellow', shape: 'ring', key: 'training', details: { done: progress } };
        });
      offer(); // the first one is shown at once
      assert.equal(described, 1);
      for (progress = 1; progress <= 100; progress++) offer(); // held by the throttle: the latest one wins
      assert.equal(described, 1, 'no held status was described');
      clock.advance(500);
      assert.equal(described, 2);
      assert.deepEqual(statuses, [
        { fill: 'yellow', shape: 'ring', text: 'training 0' },
        { fill: 'yellow', shape: 'ring', text: 'training 101' }, // described when shown: progress is then 101
      ]);
      status.error('broken'); // red cancels what is held and shows at once
      offer();
      assert.equal(described, 3, 'the first status after a red one is shown at once');
    });

    it('does not send the same red status again while it is shown (nothing would change)', () => {
      const clock = new ManualClock();
      const statuses: { text: string }[] = [];
      const node = { status: (s: { text: string }) => statuses.push(s) } as unknown as Node;
      const status = statusFor(RED, node, 'demo', clock);
      for (let i = 0; i < 5; i++) status.show('red', 'dot', 'alarm', { names: 'a' });
      assert.equal(statuses.length, 1);
      status.show('red', 'dot', 'alarm', { names: 'a, b' }); // another text: shown at once
      status.show('red', 'dot', 'alarm', { names: 'a, b' });
      assert.equal(statuses.length, 2);
      status.error('broken');
      status.show('red', 'dot', 'alarm', { names: 'a, b' }); // after another red: shown again
      assert.equal(statuses.length, 4);
      status.show('green', 'dot', 'score', { score: '0.1' });
      status.show('red', 'dot', 'alarm', { names: 'a, b' }); // after a recovery: shown again
      assert.equal(statuses.length, 6);
    });
  });

  describe('twin-sim output messages', () => {
    const red = { util: { generateId: () => 'new-id' } } as unknown as NodeAPI;
    const output = {
      topic: 'Pump',
      payload: { flow: { value: 1, sourceTimestamp: 5 } },
      sim: { time: 1, step: 1, model: 'pump', events: [], timestamp: 5 },
    };

    it("keep the input message's fields and order, with the output's over them", () => {
      const out = outputMessage(red, output, { _msgid: 'in', topic: 'x', payload: 2, extra: true } as never);
      assert.deepEqual(Object.keys(out), ['_msgid', 'topic', 'payload', 'extra', 'sim']);
      assert.deepEqual(out, {
        _msgid: 'in',
        topic: 'Pump',
        payload: output.payload,
        extra: true,
        sim: output.sim,
      });
      assert.equal(outputMessage(red, output)._msgid, 'new-id');
    });

    it('keep an own __proto__ key of the input message as a plain field, never as the prototype', () => {
      const input = JSON.parse('{"_msgid": "in", "__proto__": {"polluted": true}}') as Record<
        string,
        unknown
      >;
      const out = outputMessage(red, output, input as never) as Record<string, unknown>;
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      assert.equal(out.polluted, undefined);
      assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { polluted: true });
    });
  });
});
