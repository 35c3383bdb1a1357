import assert from 'node:assert/strict';
import {
  deviceBirth,
  deviceData,
  edgeState,
  nodeBirth,
  parseCommand,
  sparkplugTopic,
} from '../../../src/core/uns/sparkplug/edge';
import { DataType, decodePayload, encodePayload } from '../../../src/core/uns/sparkplug/payload';
import { decodeSparkplug, encodeSparkplug } from '../../helpers/uns';

type Decoded = {
  timestamp?: number;
  seq?: number;
  metrics: {
    name?: string;
    alias?: number;
    datatype?: number;
    isNull?: boolean;
    doubleValue?: number;
    booleanValue?: boolean;
    stringValue?: string;
    longValue?: number;
    properties?: { keys: string[]; values: { type: number; intValue: number }[] };
  }[];
};
const independent = (buf: Uint8Array): Decoded => decodeSparkplug<Decoded>(buf);

describe('Sparkplug B codec and edge node (core)', () => {
  it("writes payloads the specification's .proto decodes: timestamp, seq, names, aliases, types, values, Quality", () => {
    const buf = encodePayload({
      timestamp: 1_764_000_000_123,
      seq: 7,
      metrics: [
        {
          name: 'flow',
          alias: 1,
          datatype: DataType.Double,
          value: 61.5,
          properties: { Quality: { type: DataType.Int32, value: 192 } },
        },
        { name: 'running', alias: 2, datatype: DataType.Boolean, value: true },
        { name: 'state', alias: 3, datatype: DataType.String, value: 'Running ✓' },
        { name: 'count', alias: 4, datatype: DataType.Int64, value: 2 ** 40 + 3 },
        { name: 'missing', alias: 5, datatype: DataType.Double, value: null },
      ],
    });
    const d = independent(buf);
    assert.equal(d.timestamp, 1_764_000_000_123);
    assert.equal(d.seq, 7);
    assert.deepEqual(
      d.metrics.map((m) => [m.name, m.alias, m.datatype]),
      [
        ['flow', 1, 10],
        ['running', 2, 11],
        ['state', 3, 12],
        ['count', 4, 4],
        ['missing', 5, 10],
      ],
    );
    assert.equal(d.metrics[0].doubleValue, 61.5);
    assert.deepEqual(d.metrics[0].properties, { keys: ['Quality'], values: [{ type: 3, intValue: 192 }] });
    assert.equal(d.metrics[1].booleanValue, true);
    assert.equal(d.metrics[2].stringValue, 'Running ✓');
    assert.equal(d.metrics[3].longValue, 2 ** 40 + 3);
    assert.equal(d.metrics[4].isNull, true);
  });

  it("reads payloads the specification's .proto writes (commands from any Sparkplug host)", () => {
    const buf = encodeSparkplug({
      timestamp: 5,
      seq: 3,
      metrics: [
        { name: 'speed', datatype: 10, doubleValue: 1500.5 },
        { alias: 9, datatype: 3, intValue: 0xfffffffe }, // Int32 -2 as Sparkplug carries it
        { name: 'on', datatype: 11, booleanValue: false },
        { name: 'mode', datatype: 12, stringValue: 'auto' },
        { name: 'big', datatype: 8, longValue: 123456789012 },
        { name: 'f', datatype: 9, floatValue: 0.5 },
      ],
    });
    const p = decodePayload(buf);
    assert.equal(p.timestamp, 5);
    assert.equal(p.seq, 3);
    assert.deepEqual(
      p.metrics.map((m) => m.value),
      [1500.5, -2, false, 'auto', 123456789012, 0.5],
    );
    assert.equal(p.metrics[1].alias, 9);
  });

  it('rejects a truncated payload with a clear error', () => {
    const buf = encodePayload({
      timestamp: 1,
      metrics: [{ name: 'flow', datatype: DataType.Double, value: 1 }],
    });
    assert.throws(() => decodePayload(buf.subarray(0, buf.length - 3)), /truncated/);
  });

  it('numbers messages 0..255 from the NBIRTH, gives unique aliases across twins, and maps DCMD aliases back', () => {
    const s = edgeState('Plant1', 'Edge/1', 4);
    // Ids are escaped injectively as every TwinFlow topic level (issue 18: `_` let "a/b" and "a_b" collide).
    assert.equal(sparkplugTopic(s, 'DBIRTH', 'Pump#1'), 'spBv1.0/Plant1/DBIRTH/Edge%2F1/Pump%231');
    const birth = nodeBirth(s, 100);
    assert.equal(birth.seq, 0);
    assert.deepEqual(
      birth.metrics.map((m) => [m.name, m.value]),
      [
        ['bdSeq', 4],
        ['Node Control/Rebirth', false],
      ],
    );
    const a = deviceBirth(
      s,
      'Pump01',
      [
        { name: 'flow', value: 1, type: 'number' },
        { name: 'speed', value: 2 },
      ],
      101,
    );
    const b = deviceBirth(s, 'Pump02', [{ name: 'flow', value: 3, type: 'number' }], 102);
    assert.deepEqual([a.seq, b.seq], [1, 2]);
    assert.deepEqual(
      [...a.metrics, ...b.metrics].map((m) => m.alias),
      [1, 2, 3],
      'aliases unique across the edge node',
    );
    const data = deviceData(s, 'Pump01', [{ name: 'speed', value: 5, quality: 'stale' }], 103);
    assert.equal(data.metrics[0].name, undefined, 'DDATA by alias only');
    assert.equal(data.metrics[0].alias, 2);
    assert.equal(data.metrics[0].properties?.Quality.value, 500);
    for (let i = 0; i < 300; i++) deviceData(s, 'Pump01', [], 104);
    assert.equal(s.seq, (4 + 300) % 256, 'seq wraps at 256');
    assert.deepEqual(
      parseCommand(s, 'spBv1.0/Plant1/DCMD/Edge%2F1/Pump01', { metrics: [{ alias: 2, value: 1500 }] }),
      { kind: 'write', twin: 'Pump01', values: { speed: 1500 } },
    );
    assert.deepEqual(
      parseCommand(s, 'spBv1.0/Plant1/NCMD/Edge%2F1', {
        metrics: [{ name: 'Node Control/Rebirth', value: true }],
      }),
      { kind: 'rebirth' },
    );
    assert.equal(parseCommand(s, 'spBv1.0/Other/NCMD/Edge%2F1', { metrics: [] }).kind, 'ignored');
  });
});
