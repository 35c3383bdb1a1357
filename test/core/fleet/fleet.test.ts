import assert from 'node:assert/strict';
import {
  acceptCommand,
  createPending,
  drainCommands,
  parseCommandBody,
  rememberCommand,
  settleCommands,
} from '../../../src/core/fleet/commands';
import { createLag, lagPercentile, lagSummary, recordLag } from '../../../src/core/fleet/lag';
import { documentFromSummary, withRemoteQuality } from '../../../src/core/fleet/mirror';
import { commandTopic, isPrefix, parseFleetTopic, twinTopic } from '../../../src/core/fleet/topics';
import { MIGRATIONS, parse } from '../../../src/core/nodes/twin-fleet';
import { migrateConfig } from '../../../src/core/nodes/migrate';
import { defineModel } from '../../../src/core/twin';
import { keyParts, rebuild } from '../../../src/core/context/path';

describe('fleet topics', () => {
  it('builds and reads twin, owner, command and answer topics', () => {
    assert.equal(twinTopic('Acme/L1', 'Pump/01'), 'Acme/L1/Pump_01/_twin');
    assert.deepEqual(parseFleetTopic('Acme/L1/Pump01/_twin'), {
      kind: 'twin',
      partition: 'Acme/L1',
      twin: 'Pump01',
    });
    assert.deepEqual(parseFleetTopic('Acme/L1/_owner/a'), {
      kind: 'owner',
      partition: 'Acme/L1',
      member: 'a',
    });
    assert.deepEqual(parseFleetTopic(commandTopic('Acme/L1', 'P', 'speed')), {
      kind: 'command',
      partition: 'Acme/L1',
      twin: 'P',
      property: 'speed',
    });
    assert.deepEqual(parseFleetTopic('Acme/L1/P/speed/set/rejected'), {
      kind: 'answer',
      partition: 'Acme/L1',
      twin: 'P',
      property: 'speed',
      accepted: false,
    });
    assert.equal(parseFleetTopic('Acme/L1/P/speed'), undefined);
    assert.equal(parseFleetTopic('P/_twin'), undefined, 'a twin needs a partition');
  });

  it('accepts prefixes without wildcards or empty levels', () => {
    assert.ok(isPrefix('Acme/Plant1/Line1'));
    assert.ok(!isPrefix('Acme/+/x'));
    assert.ok(!isPrefix('Acme//x'));
    assert.ok(!isPrefix(''));
  });
});

describe('twin-fleet settings', () => {
  it('migration to version 1 fills every default', () => {
    const c = migrateConfig({ id: 'n' }, MIGRATIONS);
    assert.equal(c.version, 1);
    assert.equal(c.role, 'owner');
    assert.equal(c.lease, '10');
  });
  it('parses and refuses bad settings', () => {
    const ok = parse({ role: 'standby', prefix: 'A/B/', lease: '5', qos: '1' });
    assert.ok('config' in ok);
    assert.equal(ok.config.prefix, 'A/B');
    assert.equal(ok.config.leaseMs, 5000);
    const bad = parse({ role: 'x' as never, prefix: 'A/#', lease: 0 });
    assert.ok('errors' in bad && bad.errors.length === 3);
  });
});

describe('fleet mirror documents', () => {
  const summary = {
    id: 'P1',
    model: 'pump',
    version: 7,
    created: 1,
    updated: 50,
    state: { reported: { flow: 3 }, desired: { speed: 10 }, delta: {}, stale: false, lastSeen: 49 },
  };
  it('rebuilds a document with the owner version', () => {
    const doc = documentFromSummary(summary, 100);
    assert.equal(doc?.version, 7);
    assert.deepEqual(doc?.reported.flow, { value: 3, quality: 'good', receivedTimestamp: 50 });
    assert.equal(doc?.desired.speed.value, 10);
    assert.equal(documentFromSummary({ id: '' }, 0), undefined);
    assert.equal(documentFromSummary('x', 0), undefined);
  });
  it('marks a twin stale and uncertain while its owner is offline, and good again', () => {
    const doc = documentFromSummary(summary, 100);
    assert.ok(doc);
    assert.equal(withRemoteQuality(doc, true), undefined);
    const offline = withRemoteQuality(doc, false);
    assert.equal(offline?.stale, true);
    assert.equal(offline?.reported.flow.quality, 'uncertain');
    assert.ok(offline);
    const back = withRemoteQuality(offline, true);
    assert.equal(back?.stale, undefined);
    assert.equal(back?.reported.flow.quality, 'good');
    assert.equal(back?.reported.flow.stale, undefined);
  });
});

describe('fleet commands', () => {
  const model = defineModel({
    name: 'pump',
    properties: [
      { name: 'speed', type: 'number', writable: true, min: 0, max: 100 },
      { name: 'flow', type: 'number' },
    ],
  });
  it('reads a bare value or {value, clientToken}', () => {
    assert.deepEqual(parseCommandBody('5'), { value: 5 });
    assert.deepEqual(parseCommandBody('{"value":5,"clientToken":"c1"}'), { value: 5, clientToken: 'c1' });
    assert.deepEqual(parseCommandBody('on'), { value: 'on' });
  });
  it('accepts writable, valid values and refuses the rest with a reason', () => {
    assert.equal(acceptCommand(model, 'speed', { value: 5 }), 5);
    assert.throws(() => acceptCommand(model, 'flow', { value: 5 }), /not writable/);
    assert.throws(() => acceptCommand(model, 'speed', { value: 500 }), /outside/);
    assert.throws(() => acceptCommand(model, 'nope', { value: 5 }), /unknown property/);
  });
  it('keeps the latest command per twin and property until the owner shows it applied', () => {
    const p = createPending(2);
    rememberCommand(p, 'P1', 'speed', { value: 1 });
    rememberCommand(p, 'P1', 'speed', { value: 2 });
    rememberCommand(p, 'P2', 'speed', { value: 3 });
    settleCommands(p, 'P1', { speed: 1 });
    assert.equal(p.entries.size, 2, 'an older value does not settle the newer command');
    settleCommands(p, 'P1', { speed: 2 });
    assert.equal(p.entries.size, 1);
    rememberCommand(p, 'P3', 'speed', { value: 4 });
    rememberCommand(p, 'P4', 'speed', { value: 5 });
    assert.equal(p.dropped, 1);
    assert.deepEqual(
      drainCommands(p).map((c) => c.twin),
      ['P3', 'P4'],
    );
  });
});

describe('fleet lag histogram', () => {
  it('gives percentiles by 1 ms buckets', () => {
    assert.equal(lagPercentile({ counts: [0, 2, 0, 1], total: 3, max: 3 }, 0.5), 1);
    const h = createLag();
    for (let i = 1; i <= 100; i++) recordLag(h, i);
    recordLag(h, 50_000);
    assert.deepEqual(lagSummary(h), { count: 101, p50: 51, p99: 100, max: 50_000 });
  });
});

describe('context key paths', () => {
  it('reads property expressions', () => {
    assert.deepEqual(keyParts('a["b.c"][0].d'), ['a', 'b.c', '0', 'd']);
    assert.deepEqual(keyParts('twins.t_1'), ['twins', 't_1']);
    assert.throws(() => keyParts('a..b'));
    assert.throws(() => keyParts('a[x]'));
  });
  it('rebuilds a scope from fields, ancestors first', () => {
    assert.deepEqual(rebuild({ '["a","b"]': '2', '["a"]': '{"b":1,"c":3}' }), { a: { b: 2, c: 3 } });
  });
});
