import assert from 'node:assert/strict';
import { parseCsvLine, parseTimestamp } from '../../../src/core/csv/line';

describe('CSV lines and historian timestamps', () => {
  it('splits lines with RFC 4180 quoting and any delimiter', () => {
    assert.deepEqual(parseCsvLine('2026-01-01,"1,5",x', ','), ['2026-01-01', '1,5', 'x']); // TSDoc @example
    assert.deepEqual(parseCsvLine('a;"say ""hi""";;', ';'), ['a', 'say "hi"', '', '']);
    assert.deepEqual(parseCsvLine('t\t1\t2\r', '\t'), ['t', '1', '2']);
  });

  it('reads ISO, space-separated UTC and epoch timestamps', () => {
    assert.equal(parseTimestamp('2026-01-01 00:00:01'), 1767225601000); // TSDoc @example
    assert.equal(parseTimestamp('2026-01-01T00:00:01Z'), 1767225601000);
    assert.equal(parseTimestamp('2026-01-01T01:00:01+01:00'), 1767225601000);
    assert.equal(parseTimestamp('1767225601'), 1767225601000);
    assert.equal(parseTimestamp('1767225601000'), 1767225601000);
    assert.equal(parseTimestamp('yesterday'), undefined);
    assert.equal(parseTimestamp(''), undefined);
  });
});
