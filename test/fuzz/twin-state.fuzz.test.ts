import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Node } from 'node-red';
import type { TwinModelNode } from '../../src/runtime/model/model-node';
import { ManualClock } from '../helpers/clock';
import {
  type AnyMessage,
  collect,
  finishNodes,
  helper,
  loadNode,
  sendAndWait,
  type TestFlow,
  useSettings,
} from '../helpers/node-red';
import { TWIN_STATE_SETTINGS } from '../helpers/node-settings';

/**
 * Property-based test of twin-state's input contract in a real runtime: random and hostile messages (wrong types,
 * NaN, Infinity, huge strings, deep nesting, prototype keys, circular references, odd unicode ids, timestamps far
 * away) never throw out of the node, never stop the runtime, and a rejected message leaves every twin exactly as it was.
 */
const twinModel = loadNode('twin-model');
const twinState = loadNode('twin-state');
const RUNS = Number(process.env.TWINFLOW_FUZZ_RUNS ?? 1000);

const PROPERTIES = [
  {
    name: 'temperature',
    type: 'number',
    unit: 'degC',
    min: -50,
    max: 200,
    deadband: 0.5,
    history: 3,
    staleAfter: 1000,
  },
  { name: 'speed', type: 'number', unit: 'rpm', min: 0, max: 3000, writable: true },
  { name: 'count', type: 'integer', min: 0 },
  { name: 'state', type: 'enum', values: ['idle', 'running', 'fault'], writable: true },
  { name: 'running', type: 'boolean' },
  { name: 'label', type: 'string' },
  { name: 'settings', type: 'object', writable: true },
];
const NAMES = PROPERTIES.map((p) => p.name);

const flow = [
  { id: 'f1', type: 'tab' },
  { id: 'm1', type: 'twin-model', name: 'Fuzz', properties: JSON.stringify(PROPERTIES), staleAfter: '5000' },
  {
    ...TWIN_STATE_SETTINGS,
    id: 's1',
    z: 'f1',
    wires: [['out'], [], []],
  },
  { id: 'out', type: 'helper', z: 'f1' },
  ...finishNodes('s1'),
] as TestFlow;

const hostileValue = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: -10, max: 150, noNaN: true }) },
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, 1e308 * 10, null, undefined),
  fc.double(),
  fc.integer({ min: -5000, max: 5000 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('idle', 'running', 'fault', true, false),
  fc.record(
    {
      value: fc.oneof(fc.double({ min: -100, max: 300 }), fc.anything({ maxDepth: 1 })),
      quality: fc.constantFrom('good', 'uncertain', 'bad', 'excellent', 42),
      unit: fc.constantFrom('degC', 'degF', 'K', 'bar', 'rpm', 'Hz', '', 7),
      sourceTimestamp: fc.oneof(
        fc.integer(),
        fc.constantFrom(8.64e15 + 1, -8.64e15, 'yesterday', '2026-01-01T00:00:00Z'),
      ),
    },
    { requiredKeys: ['value'] },
  ),
);

const hostilePayload = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...NAMES), hostileValue, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('__proto__', 'constructor', 'prototype')
      .map((k) => JSON.parse(`{"${k}": {"polluted": 1}}`)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 40, max: 1200 }).map(deepObject) },
  { weight: 1, arbitrary: fc.constant(null).map(circularPayload) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 10_000, max: 3_000_000 }).map((n) => ({ label: 'x'.repeat(n) })),
  },
);

function deepObject(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let cursor = root;
  for (let i = 0; i < depth; i++) cursor = cursor.next = {} as Record<string, unknown>;
  return { settings: root };
}

function circularPayload(): Record<string, unknown> {
  const settings: Record<string, unknown> = { mode: 'auto' };
  settings.self = settings;
  return { settings };
}

// Node-RED messages are ordinary objects (core code calls msg.hasOwnProperty), so the message itself is spread into
// one; what it carries may still be anything, null-prototype objects included.
const hostileMessage = fc
  .record(
    {
      topic: fc.oneof(
        fc.constantFrom('P1', 'P2', 'Plant.Line[1]'),
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        fc.anything({ maxDepth: 1 }),
        fc.constant('x'.repeat(300)),
      ),
      action: fc.oneof(
        fc.constantFrom('report', 'report', 'desire', 'ack', 'get', 'list', 'query', 'delete'),
        fc.anything({ maxDepth: 0 }),
      ),
      payload: hostilePayload,
      version: fc.option(fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.string()), {
        nil: undefined,
      }),
      parent: fc.option(fc.oneof(fc.constantFrom('Station'), fc.anything({ maxDepth: 0 })), {
        nil: undefined,
      }),
    },
    { requiredKeys: ['payload'] },
  )
  .map((msg) => ({ ...msg }));

const node = (id: string): Node => helper.getNode(id) as Node;

function snapshot(): string {
  const store = (helper.getNode('m1') as TwinModelNode).store!;
  return JSON.stringify([...store.documents()]);
}

/** Every stored value still satisfies the model, whatever was thrown at it. */
function checkInvariants(): void {
  const store = (helper.getNode('m1') as TwinModelNode).store!;
  for (const doc of store.documents()) {
    for (const [name, prop] of Object.entries(doc.reported)) {
      const def = PROPERTIES.find((p) => p.name === name);
      assert.ok(def, `stored property ${name} is in the model`);
      if (prop.value === null) continue;
      if (def.type === 'number' || def.type === 'integer') {
        assert.ok(
          typeof prop.value === 'number' && Number.isFinite(prop.value),
          `${name} is a finite number`,
        );
        if (def.min !== undefined) assert.ok((prop.value as number) >= def.min, `${name} >= min`);
        if (def.max !== undefined) assert.ok((prop.value as number) <= def.max, `${name} <= max`);
      }
    }
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
}

describe('fuzz: twin-state input contract', function () {
  this.timeout(120_000);

  before(async () => {
    useSettings({ twinflowClock: new ManualClock() });
    await helper.load([twinModel, twinState], flow);
  });

  after(async () => {
    await helper.unload();
    useSettings({});
  });

  it(`survives ${RUNS} random and hostile messages with atomic rejections`, async () => {
    const caught = collect(node('caught'));
    let accepted = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(hostileMessage, async (msg) => {
        const before = snapshot();
        caught.length = 0;
        await sendAndWait('s1', msg as AnyMessage, 2000);
        if (caught.length > 0) {
          rejected++;
          const error = caught[0].error as { message: string; code?: string };
          assert.ok(error.message.length > 0, 'a rejection says why');
          assert.equal(snapshot(), before, `rejected (${error.message}) but the store changed`);
        } else accepted++;
        checkInvariants();
      }),
      { numRuns: RUNS, seed: 20261125, endOnFailure: true },
    );
    console.log(`      twin-state: ${RUNS} inputs tried, ${accepted} accepted, ${rejected} rejected`);
    assert.ok(accepted > 0 && rejected > 0, 'the generator exercises both paths');
    const out = collect(node('out'));
    await new Promise<void>((resolve) => {
      node('out').once('input', () => resolve());
      node('s1').receive({ topic: 'after-fuzz', payload: { temperature: 21 } } as never);
    });
    assert.equal(out.length, 1, 'the runtime still handles a valid report');
  });
});
