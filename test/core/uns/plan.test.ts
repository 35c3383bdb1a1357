import assert from 'node:assert/strict';
import { decideCommand, readCommand } from '../../../src/core/uns/commands';
import {
  checkPublishItem,
  parseOutboxLine,
  planPublish,
  type PlanSettings,
} from '../../../src/core/uns/plan';
import { defineModel } from '../../../src/core/twin';

const model = defineModel({
  name: 'Pump',
  properties: [
    { name: 'flow', type: 'number', unit: 'm3/h' },
    { name: 'speed', type: 'number', unit: 'rpm', min: 0, max: 3000, writable: true },
  ],
  hierarchy: { enterprise: 'Acme', line: 'L1' },
});
const settings = (layout: PlanSettings['layout']): PlanSettings => ({
  layout,
  topic: '{enterprise}/{site}/{area}/{line}/{cell}/{twin}/{property}',
  qos: 1,
  retain: true,
  publishTwin: true,
});
const report = {
  topic: 'Pump01',
  payload: { flow: { value: 61.5, quality: 'good', sourceTimestamp: 1000 }, speed: 1000 },
  changes: [{ path: 'reported.flow', old: 0, new: 61.5, cause: 'report' }],
  twin: { id: 'Pump01', version: 3 },
};

describe('core/uns/plan: what one message publishes', () => {
  it('uns: changed properties by exception with unit, quality, timestamp; the twin on _twin', () => {
    const plan = planPublish(settings('uns'), model, report, 5);
    if (plan.layout !== 'uns') throw new Error(`layout ${plan.layout}`);
    assert.deepEqual(plan.items, [
      {
        topic: 'Acme/L1/Pump01/flow',
        payload: '{"value":61.5,"unit":"m3/h","quality":"good","timestamp":1000}',
        qos: 1,
        retain: true,
      },
      { topic: 'Acme/L1/Pump01/_twin', payload: '{"id":"Pump01","version":3}', qos: 1, retain: true },
    ]);
  });

  it('without changes every property is published, with now as the timestamp when the sample has none', () => {
    const plan = planPublish(settings('uns'), model, { topic: 'P', payload: { speed: 5 } }, 77);
    if (plan.layout === 'sparkplug') throw new Error('layout');
    assert.deepEqual(JSON.parse(plan.items[0].payload), {
      value: 5,
      unit: 'rpm',
      quality: 'good',
      timestamp: 77,
    });
  });

  it('aws: one reported document; sparkplug: changed and all samples', () => {
    const aws = planPublish(settings('aws'), model, report, 5);
    if (aws.layout === 'sparkplug') throw new Error('layout');
    assert.deepEqual(aws.items, [
      {
        topic: '$aws/things/Pump01/shadow/update',
        payload: '{"state":{"reported":{"flow":61.5}}}',
        qos: 1,
        retain: false,
      },
    ]);
    const spb = planPublish(settings('sparkplug'), model, report, 5);
    if (spb.layout !== 'sparkplug') throw new Error('layout');
    assert.deepEqual(
      spb.changed.map((s) => s.name),
      ['flow'],
    );
    assert.deepEqual(
      spb.all.map((s) => [s.name, s.value, s.timestamp]),
      [
        ['flow', 61.5, 1000],
        ['speed', 1000, 5],
      ],
    );
  });

  it('refuses a message without a twin id or a payload object', () => {
    assert.throws(() => planPublish(settings('uns'), model, { payload: {} }, 0), /twin id/);
    assert.throws(() => planPublish(settings('uns'), model, { topic: 'P', payload: 5 }, 0), /object/);
  });

  it('checkPublishItem: topic name and packet size against the limit', () => {
    const item = { topic: 'a/b', payload: 'x'.repeat(100), qos: 1 as const, retain: false };
    checkPublishItem(item, 200);
    assert.throws(() => checkPublishItem(item, 100), /119 bytes, over the limit of 100/);
    assert.throws(() => checkPublishItem({ ...item, topic: 'a/+' }, 1000), /wildcard/);
  });

  it('parseOutboxLine keeps only well-formed items', () => {
    const good = { topic: 'a/b', payload: '{}', qos: 1, retain: true };
    assert.deepEqual(parseOutboxLine(JSON.stringify(good)), good);
    for (const bad of [
      'not json',
      '5',
      '[]',
      '{"topic":"a/+","payload":"{}","qos":1,"retain":true}',
      '{"topic":"a","payload":{},"qos":1,"retain":true}',
      '{"topic":"a","payload":"{}","qos":3,"retain":true}',
      '{"topic":"a","payload":"{}","qos":1}',
      JSON.stringify({ ...good, topic: 'x'.repeat(70_000) }),
    ])
      assert.equal(parseOutboxLine(bad), undefined, bad.slice(0, 60));
  });
});

describe('core/uns/commands: what a command becomes', () => {
  const ctx = { model, exists: true, createUnknown: false };
  it('accepts a writable property in range, refuses the rest with reason codes', () => {
    const d = decideCommand(ctx, 'P', { speed: 1500, flow: 1, nope: 1 });
    assert.deepEqual(d.accepted, { speed: 1500 });
    assert.deepEqual(
      d.refused.map((r) => [r.property, r.code]),
      [
        ['flow', 'notWritable'],
        ['nope', 'unknownProperty'],
      ],
    );
    assert.equal(decideCommand(ctx, 'P', { speed: 9999 }).refused[0].code, 'invalidValue');
  });

  it('an unknown twin is refused unless creating is allowed; no model refuses everything', () => {
    assert.deepEqual(decideCommand({ ...ctx, exists: false }, 'Ghost', { speed: 1 }).refused, [
      { code: 'unknownTwin', reason: 'unknown twin Ghost' },
    ]);
    assert.deepEqual(
      decideCommand({ ...ctx, exists: false, createUnknown: true }, 'Ghost', { speed: 1 }).accepted,
      {
        speed: 1,
      },
    );
    assert.equal(decideCommand({ ...ctx, model: undefined }, 'P', { speed: 1 }).refused[0].code, 'noModel');
  });

  it('readCommand: /set topics and AWS deltas, each with its own rejection shape', () => {
    const s = { layout: 'uns' as const, topic: '{enterprise}/{twin}/{property}', setSuffix: 'set' };
    const c = readCommand(s, { enterprise: 'Acme' }, 'Acme/a%2Fb/speed/set', '{"value": 5}');
    assert.deepEqual([c?.twin, c?.values], ['a/b', { speed: { value: 5 } }]);
    assert.deepEqual(c?.rejection({ code: 'busy', reason: 'later' }, 9), {
      topic: 'Acme/a%2Fb/speed/set/rejected',
      payload: '{"code":"busy","reason":"later","timestamp":9}',
    });
    assert.equal(readCommand(s, { enterprise: 'Acme' }, 'Other/x/y/set', '1'), undefined);
    const aws = readCommand(
      { ...s, layout: 'aws' },
      {},
      '$aws/things/Pump01/shadow/update/delta',
      '{"state":{"speed":1},"clientToken":"t"}',
    );
    const rejected = JSON.parse(
      aws?.rejection({ code: 'unknownTwin', reason: 'unknown twin Pump01' }, 5000).payload ?? '',
    );
    assert.deepEqual(rejected, {
      code: 404,
      message: 'unknownTwin: unknown twin Pump01',
      timestamp: 5,
      clientToken: 't',
    });
  });
});
