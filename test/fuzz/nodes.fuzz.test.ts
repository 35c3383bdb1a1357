import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Node } from 'node-red';
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

/**
 * The input contract of twin-anomaly and twin-sim under random and hostile messages: every message either completes
 * or reaches Catch with a message, a rejected message leaves the node's saved state exactly as it was, nothing
 * pollutes Object.prototype, and the runtime keeps working. (twin-state has its own, deeper suite.)
 */
const RUNS = Number(process.env.TWINFLOW_FUZZ_RUNS ?? 1000);

const hostileValue = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -50, max: 150, noNaN: true }) },
  fc.constantFrom(NaN, Infinity, -Infinity, null, undefined, '', 'fast', true, -1e308),
  fc.anything({ maxDepth: 2 }),
  fc.record(
    {
      value: fc.oneof(fc.double(), fc.string()),
      quality: fc.constantFrom('good', 'bad', 'uncertain', 7),
      stale: fc.boolean(),
    },
    { requiredKeys: ['value'] },
  ),
);
const hostileMessage = fc
  .record(
    {
      topic: fc.oneof(
        fc.constantFrom('P1', 'P2', 'Plant.Line[1]', ''),
        fc.string({ unit: 'grapheme', maxLength: 10 }),
        fc.anything({ maxDepth: 0 }),
      ),
      payload: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.dictionary(
            fc.constantFrom('speed', 'valve', 'ambient', 'temperature', 'current', 'torque'),
            hostileValue,
            { maxKeys: 3 },
          ),
        },
        fc.anything({ maxDepth: 3 }),
        fc.double(),
        fc.constantFrom('__proto__', 'constructor').map((k) => JSON.parse(`{"${k}": {"polluted": 1}}`)),
      ),
      command: fc.option(
        fc.constantFrom(
          'start',
          'pause',
          'reset',
          'snapshot',
          'fork',
          'run',
          'set',
          'fault',
          'restore',
          'teleport',
        ),
        { nil: undefined },
      ),
      dt: fc.option(fc.oneof(fc.double({ min: -10, max: 100 }), fc.constantFrom(0, NaN, 'soon')), {
        nil: undefined,
      }),
      reset: fc.option(fc.boolean(), { nil: undefined }),
      learn: fc.option(fc.anything({ maxDepth: 0 }), { nil: undefined }),
      timestamp: fc.option(fc.oneof(fc.integer(), fc.constantFrom(8.64e15 + 1, NaN, 'later')), {
        nil: undefined,
      }),
    },
    { requiredKeys: ['payload'] },
  )
  .map((msg) => ({ ...msg }));

const node = (id: string): Node => helper.getNode(id) as Node;

function flow(type: string, config: Record<string, unknown>): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'n1', type, z: 'f1', version: 1, wires: [[], [], []], ...config },
    ...finishNodes('n1'),
  ] as TestFlow;
}

/** The node's whole saved state (its node context, all keys), as JSON. */
function savedState(): string {
  const context = node('n1').context();
  const keys = (context.keys() as string[]).sort();
  return JSON.stringify(keys.map((k) => [k, context.get(k)]));
}

async function fuzz(label: string, type: string, config: Record<string, unknown>): Promise<void> {
  useSettings({ twinflowClock: new ManualClock() });
  await helper.load([loadNode(type)], flow(type, config));
  const caught = collect(node('caught'));
  let accepted = 0;
  let rejected = 0;
  await fc.assert(
    fc.asyncProperty(hostileMessage, async (msg) => {
      const before = savedState();
      caught.length = 0;
      await sendAndWait('n1', msg as AnyMessage, 2000);
      if (caught.length > 0) {
        rejected++;
        assert.ok(
          String((caught[0].error as { message?: string }).message).length > 0,
          'a rejection says why',
        );
        assert.equal(savedState(), before, 'a rejected message changed the saved state');
      } else accepted++;
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    }),
    { numRuns: RUNS, seed: 1125, endOnFailure: true },
  );
  console.log(`      ${label}: ${RUNS} inputs tried, ${accepted} accepted, ${rejected} rejected`);
  assert.ok(accepted > 0 && rejected > 0, 'the generator exercises both paths');
  await helper.unload();
  useSettings({});
}

describe('fuzz: twin-anomaly and twin-sim input contracts', function () {
  this.timeout(120_000);
  afterEach(async () => {
    await helper.unload();
    useSettings({});
  });

  it(`twin-anomaly survives ${RUNS} hostile messages`, () =>
    fuzz('twin-anomaly', 'twin-anomaly', {
      detector: 'zscore',
      params: '{"warmup": 5}',
      signals: '',
      signalName: 'value',
      runningProperty: 'running',
      threshold: '0.99',
      raiseK: '1',
      raiseN: '1',
      clearM: '3',
      store: '',
    }));

  it(`twin-sim survives ${RUNS} hostile messages`, () =>
    fuzz('twin-sim', 'twin-sim', {
      model: 'pump',
      ode: '',
      params: '{}',
      initialInputs: '{}',
      step: '1',
      mode: 'message',
      speed: '1',
      seed: '1',
      twin: 'P',
    }));
});
