import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkTopicName,
  commandSubscription,
  escapeLevel,
  MAX_TOPIC_BYTES,
  parseCommandTopic,
  renderTopic,
  unescapeLevel,
  utf8Bytes,
} from '../../../src/core/uns/topic';

const TEMPLATE = '{enterprise}/{site}/{area}/{line}/{cell}/{twin}/{property}';

describe('core/uns/topic', () => {
  it('@example: renderTopic, escapeLevel, unescapeLevel', () => {
    assert.equal(
      renderTopic('{enterprise}/{site}/{cell}/{twin}/{property}', {
        enterprise: 'Acme',
        site: 'P1',
        twin: 'Pump01',
        property: 'flow',
      }),
      'Acme/P1/Pump01/flow',
    );
    assert.equal(escapeLevel('a/b'), 'a%2Fb');
    assert.equal(unescapeLevel('a%2Fb'), 'a/b');
  });

  it('escapes injectively: a/b and a_b no longer collide, and ordinary ids are unchanged', () => {
    assert.notEqual(escapeLevel('a/b'), escapeLevel('a_b'));
    assert.equal(escapeLevel('Pump01'), 'Pump01');
    assert.equal(escapeLevel('Line-2.Cell_3 ü'), 'Line-2.Cell_3 ü');
    assert.equal(escapeLevel('a+b#c%d\u0000'), 'a%2Bb%23c%25d%00');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const level = escapeLevel(a);
        assert.ok(
          !/[/+#]/.test(level) && !level.includes(String.fromCharCode(0)),
          'one level, no wildcard, no NUL',
        );
        assert.equal(unescapeLevel(level), a, 'the inverse');
        if (a !== b) assert.notEqual(level, escapeLevel(b), 'injective');
      }),
      { numRuns: 2000 },
    );
  });

  it('unescapeLevel refuses what escapeLevel cannot produce', () => {
    for (const bad of ['a+', '#', 'a/b', '%', '%2', '%41', '%zz', 'a\u0000'])
      assert.equal(unescapeLevel(bad), undefined, bad);
  });

  it('drops empty levels and never renders an empty topic', () => {
    assert.equal(
      renderTopic(TEMPLATE, { enterprise: 'Acme', line: 'L1', twin: 'P', property: 'x' }),
      'Acme/L1/P/x',
    );
    assert.throws(() => renderTopic('{cell}', { twin: 'P' }), /empty topic/);
  });

  it('a command topic parses back to the twin and property it was rendered from', () => {
    const values = { enterprise: 'Acme', site: 'Plant1' };
    assert.equal(commandSubscription(TEMPLATE, values, 'set'), 'Acme/Plant1/+/+/set');
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (twin, property) => {
        const topic = `${renderTopic(TEMPLATE, { ...values, twin, property })}/set`;
        assert.deepEqual(parseCommandTopic(TEMPLATE, values, 'set', topic), { twin, property });
      }),
      { numRuns: 500 },
    );
    assert.equal(parseCommandTopic(TEMPLATE, values, 'set', 'Acme/Plant1/P/x/get'), undefined);
    assert.equal(parseCommandTopic(TEMPLATE, values, 'set', 'Acme/Plant1/P/x'), undefined);
    assert.equal(parseCommandTopic(TEMPLATE, values, 'set', 'Acme/Plant1/P%zz/x/set'), undefined);
  });

  it('checkTopicName: empty, wildcards, NUL, lone surrogates and more than 65,535 bytes are refused', () => {
    checkTopicName('Acme/Plant1/Pump01/flow');
    checkTopicName('ü/😀');
    assert.throws(() => checkTopicName(''), /empty/);
    assert.throws(() => checkTopicName('a/+/b'), /wildcard/);
    assert.throws(() => checkTopicName('a/#'), /wildcard/);
    assert.throws(() => checkTopicName('a\u0000b'), /NUL/);
    assert.throws(() => checkTopicName('a\ud800b'), /well-formed UTF-8/);
    assert.throws(() => checkTopicName('\udc00'), /well-formed UTF-8/);
    checkTopicName('x'.repeat(MAX_TOPIC_BYTES));
    assert.throws(() => checkTopicName('x'.repeat(MAX_TOPIC_BYTES + 1)), /65536 bytes/);
    // 21,846 three-byte characters are 65,538 bytes though only 21,846 UTF-16 units.
    assert.throws(() => checkTopicName('€'.repeat(21_846)), /over MQTT's 65535/);
    assert.throws(
      () => checkTopicName('a/+'),
      (err: Error & { code?: string }) => err.code === 'TWINFLOW_TOPIC_REFUSED',
    );
  });

  it('utf8Bytes agrees with Buffer.byteLength for well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) =>
        assert.equal(utf8Bytes(s), Buffer.byteLength(s, 'utf8')),
      ),
      { numRuns: 1000 },
    );
  });
});
