import assert from 'node:assert/strict';
import { types } from 'node:util';
import { TwinFlowError } from '../../../src/core/errors';
import {
  applyAck,
  applyDesire,
  applyReport,
  checkPayload,
  checkStaleness,
  computeDelta,
  convertUnit,
  defineModel,
  emptyHistory,
  historyEntries,
  matches,
  mergePatch,
  parseQuery,
  pushHistory,
  resizeHistory,
  staleCheckInterval,
  type TwinDocument,
} from '../../../src/core/twin';

const T0 = Date.UTC(2026, 0, 1);
const model = defineModel({
  name: 'Pump',
  staleAfter: 10_000,
  properties: [
    {
      name: 'temperature',
      type: 'number',
      unit: 'degC',
      min: -50,
      max: 200,
      deadband: 0.5,
      staleAfter: 1000,
      history: 3,
    },
    { name: 'pressure', type: 'number', unit: 'bar', min: 0, max: 16 },
    { name: 'speed', type: 'number', unit: 'rpm', min: 0, max: 3000, writable: true, tolerance: 5 },
    { name: 'count', type: 'integer', min: 0 },
    { name: 'state', type: 'enum', values: 'idle, running, fault', writable: true },
    { name: 'running', type: 'boolean' },
    { name: 'label', type: 'string' },
    { name: 'settings', type: 'object', writable: true },
  ],
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TwinFlowError, `not a TwinFlowError: ${String(err)}`);
    return err.code;
  }
  assert.fail('did not throw');
}

const report = (doc: TwinDocument | undefined, payload: unknown, now = T0, extra = {}) =>
  applyReport(doc, model, 'P1', payload, { now, ...extra });

describe('twin core', () => {
  describe('units', () => {
    it('converts the documented examples and the common plant units', () => {
      assert.equal(convertUnit(100, 'degC', 'degF'), 212); // TSDoc @example
      assert.equal(convertUnit(1, 'bar', 'kPa'), 100); // TSDoc @example
      assert.ok(Math.abs(convertUnit(32, 'degF', 'degC')) < 1e-12);
      assert.ok(Math.abs(convertUnit(0, 'degC', 'K') - 273.15) < 1e-12);
      assert.ok(Math.abs(convertUnit(14.503773773, 'psi', 'bar') - 1) < 1e-9);
      assert.equal(convertUnit(60, 'rpm', 'Hz'), 1);
      assert.ok(Math.abs(convertUnit(1, 'm3/h', 'L/min') - 1000 / 60) < 1e-12);
      assert.equal(convertUnit(2.5, 'kW', 'W'), 2500);
      assert.equal(convertUnit(21, '°C', 'Cel'), 21, 'aliases of one unit');
    });

    it('refuses units of different dimensions and unknown units', () => {
      assert.equal(
        code(() => convertUnit(1, 'bar', 'degC')),
        'TWINFLOW_UNIT_MISMATCH',
      );
      assert.equal(
        code(() => convertUnit(1, 'furlong', 'm')),
        'TWINFLOW_UNIT_MISMATCH',
      );
    });
  });

  describe('model', () => {
    it('normalises editor input (strings for numbers, comma-separated enum values, aliases of units)', () => {
      const m = defineModel({
        properties: [
          { name: 'x', type: 'enum', values: 'a, b' },
          { name: 't', unit: '°C', min: '1', max: '' },
        ],
      });
      assert.deepEqual(m.properties.x.values, ['a', 'b']);
      assert.equal(m.properties.t.type, 'number');
      assert.equal(m.properties.t.unit, 'degC');
      assert.equal(m.properties.t.min, 1);
      assert.equal(m.properties.t.max, undefined);
    });

    it('rejects invalid models with a reason', () => {
      for (const properties of [
        'nope',
        [{ name: 'bad name' }],
        [{ name: '__proto__' }],
        [{ name: 'a' }, { name: 'a' }],
        [{ name: 'a', type: 'float' }],
        [{ name: 'a', min: 5, max: 1 }],
        [{ name: 'a', type: 'enum' }],
        [{ name: 'a', staleAfter: -1 }],
        [{ name: 'a', min: 'x' }],
      ]) {
        assert.equal(
          code(() => defineModel({ properties })),
          'TWINFLOW_INVALID_MODEL',
          JSON.stringify(properties),
        );
      }
    });
  });

  describe('merge (RFC 7396)', () => {
    it('follows the RFC examples', () => {
      assert.deepEqual(mergePatch({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } }), { a: 1, b: { d: 3 } }); // TSDoc @example
      assert.deepEqual(mergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
      assert.deepEqual(mergePatch({ a: 'b' }, { b: 'c' }), { a: 'b', b: 'c' });
      assert.deepEqual(mergePatch({ a: 'b' }, { a: null }), {});
      assert.deepEqual(mergePatch({ a: ['b'] }, { a: 'c' }), { a: 'c' });
      assert.deepEqual(mergePatch({ a: 'c' }, { a: ['b'] }), { a: ['b'] });
      assert.deepEqual(mergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } }), { a: { b: 'd' } });
      assert.deepEqual(mergePatch(['a', 'b'], ['c', 'd']), ['c', 'd']);
      assert.deepEqual(mergePatch({ a: 'foo' }, null), null);
      assert.deepEqual(mergePatch({ e: null }, { a: 1 }), { e: null, a: 1 });
      assert.deepEqual(mergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
    });
  });

  describe('payloads are read where they are, never kept', () => {
    it('what a sender changes in its payload after a report or desire never reaches the twin', () => {
      // With the runtime's Proxy test the payload is checked in place (objectView): the reducers must copy what
      // they store.
      const options = { now: T0, isProxy: types.isProxy };
      const sample = { value: 20, quality: 'good', sourceTimestamp: T0 - 1 };
      const inner = { mode: 'auto' };
      const settings = { value: { nested: inner, limits: [1, 2] } };
      const reported = applyReport(undefined, model, 'P1', { temperature: sample, settings }, options).doc;
      const desiredValue = { nested: { mode: 'eco' } };
      const desired = applyDesire(reported, model, 'P1', { settings: desiredValue }, options).doc;
      const before = JSON.stringify(desired);
      sample.value = 99;
      sample.quality = 'bad';
      inner.mode = 'manual';
      settings.value.limits.push(3);
      desiredValue.nested.mode = 'off';
      assert.equal(JSON.stringify(desired), before);
      assert.equal(desired.reported.temperature.value, 20);
      assert.deepEqual(desired.reported.settings.value, { nested: { mode: 'auto' }, limits: [1, 2] });
      assert.deepEqual(desired.desired.settings.value, { nested: { mode: 'eco' } });
    });
  });

  describe('payload checks', () => {
    it('names each kind of hostile payload', () => {
      const deep: Record<string, unknown> = {};
      let c = deep;
      for (let i = 0; i < 1000; i++) c = c.n = {} as Record<string, unknown>;
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const cases: [unknown, string][] = [
        [42, 'TWINFLOW_PAYLOAD_NOT_OBJECT'],
        [[1], 'TWINFLOW_PAYLOAD_NOT_OBJECT'],
        [null, 'TWINFLOW_PAYLOAD_NOT_OBJECT'],
        [new Date(), 'TWINFLOW_PAYLOAD_NOT_OBJECT'],
        [{ settings: 'x'.repeat(2_000_000) }, 'TWINFLOW_PAYLOAD_TOO_LARGE'],
        [JSON.parse('{"a": {"__proto__": {"x": 1}}}'), 'TWINFLOW_PAYLOAD_FORBIDDEN_KEY'],
        [{ a: { constructor: 1 } }, 'TWINFLOW_PAYLOAD_FORBIDDEN_KEY'],
        [{ a: deep }, 'TWINFLOW_PAYLOAD_TOO_DEEP'],
        [{ a: circular }, 'TWINFLOW_PAYLOAD_CIRCULAR'],
        [{ a: new Map() }, 'TWINFLOW_PAYLOAD_BAD_VALUE'],
      ];
      for (const [payload, expected] of cases)
        assert.equal(
          code(() => checkPayload(payload, 1_000_000)),
          expected,
        );
      const shared = { x: 1 };
      assert.doesNotThrow(
        () => checkPayload({ a: shared, b: shared }, 1000),
        'a shared (non-circular) object is fine',
      );
    });
  });

  describe('report', () => {
    it('creates a twin at version 1 with a create change, then changes only on real change', () => {
      const first = report(undefined, { temperature: 20, running: true });
      assert.equal(first.doc.version, 1);
      assert.deepEqual(
        first.changes.map((c) => c.path),
        ['', 'reported.temperature', 'reported.running'],
      );
      assert.deepEqual(
        first.events.map((e) => e.event),
        ['created'],
      );
      const same = report(first.doc, { running: true }, T0 + 10);
      assert.equal(same.changes.length, 0);
      assert.equal(same.doc.version, 1);
      assert.equal(
        same.doc.reported.running.receivedTimestamp,
        T0 + 10,
        'timestamps refresh without a change',
      );
    });

    it('applies the deadband against the stored value, so slow drift still shows', () => {
      let doc = report(undefined, { temperature: 20 }).doc;
      for (const [value, changed] of [
        [20.3, false],
        [20.5, false],
        [20.6, true],
        [20.9, false],
        [21.2, true],
      ] as const) {
        const next = report(doc, { temperature: value });
        assert.equal(next.changes.length > 0, changed, `${value}`);
        doc = next.doc;
      }
      assert.equal(doc.reported.temperature.value, 21.2);
      assert.equal(doc.version, 3);
    });

    it('converts units, checks ranges after conversion, and rejects everything invalid', () => {
      const doc = report(undefined, {
        temperature: { value: 212, unit: 'degF' },
        pressure: { value: 100, unit: 'kPa' },
      }).doc;
      assert.equal(doc.reported.temperature.value, 100);
      assert.ok(Math.abs((doc.reported.pressure.value as number) - 1) < 1e-12);
      assert.doesNotThrow(
        () => report(undefined, { temperature: { value: 350, unit: 'degF' } }),
        '350 °F = 176.7 °C is in range',
      );
      const cases: [unknown, string][] = [
        [{ temperature: { value: 450, unit: 'degF' } }, 'TWINFLOW_OUT_OF_RANGE'],
        [{ temperature: 201 }, 'TWINFLOW_OUT_OF_RANGE'],
        [{ temperature: NaN }, 'TWINFLOW_NOT_FINITE'],
        [{ temperature: -Infinity }, 'TWINFLOW_NOT_FINITE'],
        [{ temperature: '20' }, 'TWINFLOW_WRONG_TYPE'],
        [{ count: 1.5 }, 'TWINFLOW_WRONG_TYPE'],
        [{ count: -1 }, 'TWINFLOW_OUT_OF_RANGE'],
        [{ state: 'dancing' }, 'TWINFLOW_NOT_IN_ENUM'],
        [{ running: 'yes' }, 'TWINFLOW_WRONG_TYPE'],
        [{ settings: [1] }, 'TWINFLOW_WRONG_TYPE'],
        [{ humidity: 3 }, 'TWINFLOW_UNKNOWN_PROPERTY'],
        [{ temperature: { value: 1, quality: 'great' } }, 'TWINFLOW_BAD_QUALITY'],
        [{ temperature: { value: 1, unit: 'bar' } }, 'TWINFLOW_UNIT_MISMATCH'],
        [{ count: { value: 1, unit: 'rpm' } }, 'TWINFLOW_UNIT_MISMATCH'],
        [{ temperature: { value: 1, sourceTimestamp: 'soon' } }, 'TWINFLOW_BAD_TIMESTAMP'],
      ];
      for (const [payload, expected] of cases)
        assert.equal(
          code(() => report(doc, payload)),
          expected,
          JSON.stringify(payload),
        );
    });

    it('is atomic: one bad entry rejects the message and leaves the document as it was', () => {
      const doc = report(undefined, { temperature: 20, running: true, settings: { mode: 'auto' } }).doc;
      const before = JSON.stringify(doc);
      assert.throws(() => report(doc, { running: false, settings: { mode: 'manual' }, temperature: 999 }));
      assert.equal(JSON.stringify(doc), before);
    });

    it('merges object properties per RFC 7396, deletes with null, keeps the value of a bad-quality null', () => {
      let doc = report(undefined, { settings: { mode: 'auto', limits: { hi: 5 } }, temperature: 20 }).doc;
      doc = report(doc, { settings: { limits: { hi: null, lo: 1 } } }).doc;
      assert.deepEqual(doc.reported.settings.value, { mode: 'auto', limits: { lo: 1 } });
      const lost = report(doc, {
        temperature: { value: null, quality: 'bad', statusCode: 'BadCommunicationError' },
      });
      assert.equal(lost.doc.reported.temperature.value, 20);
      assert.equal(lost.doc.reported.temperature.quality, 'bad');
      assert.deepEqual(
        lost.changes.map((c) => c.path),
        ['reported.temperature.quality'],
      );
      const removed = report(lost.doc, { settings: null });
      assert.equal(removed.doc.reported.settings, undefined);
      assert.deepEqual(removed.changes, [
        {
          path: 'reported.settings',
          old: { mode: 'auto', limits: { lo: 1 } },
          new: undefined,
          cause: 'report',
        },
      ]);
    });

    it('keeps the documented sample metadata', () => {
      const doc = report(undefined, {
        temperature: {
          value: 20,
          quality: 'uncertain',
          sourceTimestamp: '2026-01-01T00:00:00Z',
          serverTimestamp: T0 + 5,
          statusCode: 'UncertainLastUsableValue',
        },
      }).doc;
      assert.deepEqual(doc.reported.temperature, {
        value: 20,
        quality: 'uncertain',
        receivedTimestamp: T0,
        statusCode: 'UncertainLastUsableValue',
        sourceTimestamp: T0,
        serverTimestamp: T0 + 5,
      });
    });

    it('refuses a conditional update on the wrong version and places twins under a parent', () => {
      const doc = report(undefined, { temperature: 20 }).doc;
      assert.equal(
        code(() => report(doc, { temperature: 30 }, T0, { expectedVersion: 0 })),
        'TWINFLOW_VERSION_CONFLICT',
      );
      assert.equal(
        code(() => report(undefined, { temperature: 30 }, T0, { expectedVersion: 1 })),
        'TWINFLOW_VERSION_CONFLICT',
      );
      assert.equal(
        report(undefined, {}, T0, { expectedVersion: 0 }).doc.version,
        1,
        'version 0 means create only',
      );
      const placed = report(doc, {}, T0, { expectedVersion: 1, parent: 'Station' });
      assert.equal(placed.doc.parent, 'Station');
      assert.equal(placed.doc.version, 2);
    });
  });

  describe('desire, delta and ack', () => {
    it('runs the desired/reported loop', () => {
      let doc = report(undefined, { speed: 1000 }).doc;
      assert.equal(
        code(() => applyDesire(doc, model, 'P1', { temperature: 1 }, { now: T0 })),
        'TWINFLOW_NOT_WRITABLE',
      );
      const desired = applyDesire(
        doc,
        model,
        'P1',
        { speed: { value: 25, unit: 'Hz' } },
        { now: T0, clientToken: 'op' },
      );
      assert.deepEqual(desired.delta, { speed: 1500 });
      assert.equal(desired.doc.desired.speed.clientToken, 'op');
      assert.equal(desired.doc.desired.speed.ack, 'pending');
      doc = desired.doc;
      const rejected = applyAck(
        doc,
        model,
        'P1',
        { speed: { status: 'rejected', reason: 'interlock' } },
        { now: T0 },
      );
      assert.deepEqual(
        rejected.events.map((e) => [e.event, e.status, e.reason]),
        [['ack', 'rejected', 'interlock']],
      );
      const retry = applyDesire(rejected.doc, model, 'P1', { speed: 1500 }, { now: T0 });
      assert.deepEqual(retry.delta, { speed: 1500 }, 'desiring the same value again resends it');
      assert.deepEqual(
        retry.changes.map((c) => c.path),
        ['desired.speed.ack'],
      );
      const caughtUp = report(retry.doc, { speed: 1497 });
      assert.deepEqual(computeDelta(caughtUp.doc, model), {}, 'within tolerance 5');
      assert.deepEqual(
        caughtUp.events.map((e) => e.event),
        ['synced'],
      );
      const withdrawn = applyDesire(caughtUp.doc, model, 'P1', { speed: null }, { now: T0 });
      assert.equal(withdrawn.doc.desired.speed, undefined);
    });

    it('refuses acknowledgements for unknown twins, missing desired values and bad shapes', () => {
      const doc = report(undefined, { speed: 1000 }).doc;
      assert.equal(
        code(() => applyAck(undefined, model, 'P9', { speed: true }, { now: T0 })),
        'TWINFLOW_UNKNOWN_TWIN',
      );
      assert.equal(
        code(() => applyAck(doc, model, 'P1', { speed: true }, { now: T0 })),
        'TWINFLOW_NO_DESIRED',
      );
      const desired = applyDesire(doc, model, 'P1', { speed: 1200 }, { now: T0 }).doc;
      assert.equal(
        code(() => applyAck(desired, model, 'P1', { speed: 'maybe' }, { now: T0 })),
        'TWINFLOW_BAD_ACK',
      );
      assert.equal(
        applyAck(desired, model, 'P1', { speed: true }, { now: T0 }).doc.desired.speed.ack,
        'accepted',
      );
    });
  });

  describe('staleness (injected time)', () => {
    it('marks a property stale once, the twin stale after its own period, and both fresh on the next report', () => {
      const doc = report(undefined, { temperature: 20, running: true }).doc;
      assert.equal(
        checkStaleness(doc, model, T0 + 1000).events.length,
        0,
        'not yet: strictly older than staleAfter',
      );
      const stale = checkStaleness(doc, model, T0 + 1001);
      assert.deepEqual(
        stale.events.map((e) => [e.event, e.property]),
        [['stale', 'temperature']],
      );
      const again = checkStaleness(stale.doc, model, T0 + 5000);
      assert.equal(again.events.length, 0, 'said once per transition');
      assert.equal(again.doc, stale.doc, 'no new document when nothing flipped');
      const twinStale = checkStaleness(again.doc, model, T0 + 10_001);
      assert.deepEqual(
        twinStale.events.map((e) => e.event),
        ['twin-stale'],
      );
      assert.equal(twinStale.doc.version, doc.version, 'staleness does not move the version');
      const fresh = report(twinStale.doc, { temperature: 20 }, T0 + 11_000);
      assert.deepEqual(
        fresh.events.map((e) => e.event),
        ['fresh', 'twin-fresh'],
      );
      assert.equal(fresh.doc.reported.temperature.stale, undefined);
      assert.equal(fresh.doc.stale, undefined);
    });

    it('checks four times per shortest period, within 100 ms .. 60 s', () => {
      assert.equal(staleCheckInterval(model), 250);
      assert.equal(staleCheckInterval(defineModel({ properties: [{ name: 'a' }] })), 0);
      assert.equal(staleCheckInterval(defineModel({ properties: [{ name: 'a', staleAfter: 100 }] })), 100);
      assert.equal(staleCheckInterval(defineModel({ properties: [{ name: 'a', staleAfter: 1e9 }] })), 60_000);
    });
  });

  describe('history', () => {
    it('keeps the newest entries of each property, oldest first, and reads ranges', () => {
      // TSDoc @example
      assert.deepEqual(
        historyEntries(pushHistory(pushHistory(emptyHistory(1), 1, 10, 'good'), 2, 20, 'good')),
        [{ timestamp: 2, value: 20, quality: 'good' }],
      );
      let doc = report(undefined, { temperature: 10 }).doc;
      for (let i = 1; i <= 5; i++) doc = report(doc, { temperature: 10 + i }, T0 + i * 100).doc;
      const ring = doc.history.temperature;
      assert.deepEqual(
        historyEntries(ring).map((e) => e.value),
        [13, 14, 15],
      );
      assert.deepEqual(
        historyEntries(ring, T0 + 350, T0 + 450).map((e) => e.value),
        [14],
      );
      assert.deepEqual(
        historyEntries(resizeHistory(ring, 2)).map((e) => e.value),
        [14, 15],
      );
      assert.deepEqual(
        historyEntries(resizeHistory(ring, 10)).map((e) => e.value),
        [13, 14, 15],
      );
      assert.deepEqual(JSON.parse(JSON.stringify(ring)), ring, 'plain JSON');
    });
  });

  describe('query', () => {
    const docs = (() => {
      const a = report(undefined, { temperature: 90, state: 'running', label: 'north' }).doc;
      const b = applyReport(
        undefined,
        model,
        'P2',
        { temperature: { value: 40, quality: 'bad' }, state: 'idle' },
        { now: T0 },
      ).doc;
      const c = checkStaleness(
        applyReport(undefined, model, 'P3', { temperature: 20 }, { now: T0 }).doc,
        model,
        T0 + 2000,
      ).doc;
      return [a, b, c];
    })();
    const ids = (q: string) => docs.filter((d) => matches(d, parseQuery(q), T0 + 2000)).map((d) => d.id);

    it('selects twins with comparisons, fields, boolean logic and parentheses', () => {
      assert.deepEqual(ids('temperature > 80'), ['P1']);
      assert.deepEqual(ids('temperature >= 40 and temperature <= 90'), ['P1', 'P2']);
      assert.deepEqual(ids('temperature.quality == bad'), ['P2']);
      assert.deepEqual(ids('stale'), ['P3']);
      assert.deepEqual(ids('not temperature.stale and (state == running or state == "idle")'), ['P1', 'P2']);
      assert.deepEqual(ids("twin.id != 'P1'"), ['P2', 'P3']);
      assert.deepEqual(ids('twin.version == 1'), ['P1', 'P2', 'P3']);
      assert.deepEqual(ids('label'), ['P1']);
      assert.deepEqual(ids('temperature.age > 1000'), ['P1', 'P2', 'P3']);
      assert.deepEqual(ids('pressure != 3'), ['P1', 'P2', 'P3'], 'a missing property differs from any value');
    });

    it('reports where a query cannot be read', () => {
      for (const q of [
        '',
        'temperature >',
        'temperature ~ 3',
        '(a == 1',
        'a == 1)',
        'twin.colour == 1',
        'a.colour > 1',
        'x'.repeat(3000),
      ]) {
        assert.equal(
          code(() => parseQuery(q)),
          'TWINFLOW_BAD_QUERY',
          q.slice(0, 20),
        );
      }
      const err = (() => {
        try {
          parseQuery('temperature > > 3');
        } catch (e) {
          return e as TwinFlowError;
        }
      })();
      assert.equal(err?.details.position, 14);
    });
  });
});
