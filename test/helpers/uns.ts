import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { AnyMessage, TestFlow } from './node-red';

/** A pump model with one read-only and one writable property: what the UNS bridge tests publish and command. */
export const PUMP_PROPERTIES = [
  { name: 'flow', type: 'number', unit: 'm3/h' },
  { name: 'speed', type: 'number', unit: 'rpm', min: 0, max: 3000, writable: true },
];

/** Broker config b1, model m1 (Acme/Plant1/L1) and bridge u1 wired to helper `out`; `uns` adds to u1's config. */
export function unsFlow(url: string, protocolVersion: number, uns: Record<string, unknown> = {}): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'b1', type: 'twin-mqtt-broker', url, protocolVersion, version: 1 },
    {
      id: 'm1',
      type: 'twin-model',
      name: 'Pump',
      properties: JSON.stringify(PUMP_PROPERTIES),
      enterprise: 'Acme',
      site: 'Plant1',
      area: '',
      line: 'L1',
      cell: '',
    },
    { id: 'u1', type: 'twin-uns', z: 'f1', broker: 'b1', model: 'm1', version: 1, wires: [['out']], ...uns },
    { id: 'out', type: 'helper', z: 'f1' },
  ] as TestFlow;
}

/** What twin-state sends when Pump01's flow changed. */
export const pumpReport = (flowValue: number, extra: AnyMessage = {}): AnyMessage => ({
  topic: 'Pump01',
  payload: {
    flow: { value: flowValue, quality: 'good', sourceTimestamp: 1_000 + flowValue },
    speed: { value: 1000, quality: 'good' },
  },
  changes: [{ path: 'reported.flow', old: 0, new: flowValue, cause: 'report' }],
  ...extra,
});

/**
 * Sparkplug B's Payload through protobufjs from the specification's .proto (test/fixtures): the decoder and encoder
 * independent of TwinFlow's own codec.
 */
export const SparkplugPayload = protobuf
  .parse(readFileSync(join(__dirname, '..', 'fixtures', 'sparkplug_b.proto'), 'utf8'))
  .root.lookupType('org.eclipse.tahu.protobuf.Payload');

/** Decodes with longs as numbers and absent fields left out. */
export function decodeSparkplug<T>(buf: Uint8Array): T {
  return SparkplugPayload.toObject(SparkplugPayload.decode(buf), { longs: Number, defaults: false }) as T;
}

/** Encodes a payload given in protobufjs's field names (what a Sparkplug host would send). */
export function encodeSparkplug(fields: object): Buffer {
  return Buffer.from(SparkplugPayload.encode(SparkplugPayload.fromObject(fields)).finish());
}
