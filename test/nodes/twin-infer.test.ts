import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'node-red';
import { linearOnnxModel, linearReference, type LinearModelSpec } from '../helpers/onnx-model';
import {
  type AnyMessage,
  collect,
  finishNodes,
  helper,
  lastStatus,
  loadNode,
  sendAndWait,
  type TestFlow,
  waitFor,
} from '../helpers/node-red';

const twinInfer = loadNode('twin-infer');

/** Three features to two outputs, logistic. */
const SPEC: LinearModelSpec = {
  weights: [
    [0.5, -1.25],
    [2, 0.75],
    [-0.3, 0.1],
  ],
  bias: [0.2, -0.4],
  sigmoid: true,
  inputName: 'x',
  outputName: 'y',
};

/** The same model over a window of two rows of two features (four inputs), linear. */
const WINDOW_SPEC: LinearModelSpec = {
  weights: [[1], [10], [100], [1000]],
  bias: [0.5],
  sigmoid: false,
};

function flow(extra: Record<string, unknown>): TestFlow {
  return [
    { id: 'f1', type: 'tab' },
    {
      id: 'inf',
      type: 'twin-infer',
      z: 'f1',
      features: 'flow, pressure, vibration',
      source: 'payload',
      window: '1',
      normalise: 'none',
      normParams: '',
      twinProperty: 'risk',
      maxKeys: '100',
      version: 1,
      wires: [['out'], ['twin']],
      ...extra,
    },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'twin', type: 'helper', z: 'f1' },
    ...finishNodes('inf'),
  ] as TestFlow;
}

const node = (id: string): Node => helper.getNode(id) as Node;
const send = (msg: AnyMessage): Promise<void> => sendAndWait('inf', msg);
type Inference = {
  twin: string;
  outputs?: Record<string, number[]>;
  value?: number;
  warmingUp?: true;
  ignored?: true;
};

const close = (a: number[], b: number[]): boolean =>
  a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-5 * (1 + Math.abs(b[i])));

describe('twin-infer node (built bundle, real runtime, onnxruntime-node)', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'twinflow-infer-'));
    writeFileSync(join(dir, 'model.onnx'), linearOnnxModel(SPEC));
    writeFileSync(join(dir, 'window.onnx'), linearOnnxModel(WINDOW_SPEC));
    writeFileSync(join(dir, 'fixed.onnx'), linearOnnxModel({ ...SPEC, batch: 2 }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => helper.unload());

  it('runs the model on twin properties and matches values computed independently; writes the twin property', async () => {
    await helper.load(twinInfer, flow({ modelFile: join(dir, 'model.onnx') }));
    await waitFor(() => lastStatus(node('inf'))?.fill === 'grey', 5000, 'the model loaded');
    const out = collect(node('out'));
    const twin = collect(node('twin'));
    const x = [1.5, -0.25, 3];
    await send({
      topic: 'Pump01',
      payload: { flow: x[0], pressure: { value: x[1], quality: 'good' }, vibration: x[2] },
    });
    const inference = out[0].inference as Inference;
    const expected = linearReference(SPEC, x);
    assert.ok(
      close(inference.outputs!.y, expected),
      `${String(inference.outputs!.y)} vs ${String(expected)}`,
    );
    assert.ok(Math.abs(inference.value! - expected[0]) < 1e-5);
    assert.deepEqual(
      twin.map((m) => m.topic),
      ['Pump01'],
    );
    assert.ok(Math.abs((twin[0].payload as { risk: number }).risk - expected[0]) < 1e-5);
  });

  it('runs an array of twins as one batch, normalises, and ignores a bad-quality item', async () => {
    const mean = [10, 5, 1];
    const std = [2, 0.5, 4];
    await helper.load(
      twinInfer,
      flow({
        modelFile: join(dir, 'model.onnx'),
        normalise: 'zscore',
        normParams: JSON.stringify({ mean, std }),
      }),
    );
    await waitFor(() => lastStatus(node('inf'))?.fill === 'grey', 5000, 'the model loaded');
    const out = collect(node('out'));
    const rows = [
      [12, 5.5, 0],
      [8, 4, 9],
      [10, 5, 1],
    ];
    const payload = rows.map((r, i) => ({
      topic: `P${i}`,
      payload: { flow: r[0], pressure: r[1], vibration: r[2] },
    }));
    payload.push({
      topic: 'P3',
      payload: { flow: { value: 1, quality: 'bad' } as unknown as number, pressure: 1, vibration: 1 },
    });
    await send({ payload });
    const { results } = out[0].inference as { results: Inference[] };
    assert.equal(results.length, 4);
    rows.forEach((r, i) => {
      const z = r.map((v, j) => (v - mean[j]) / std[j]);
      assert.ok(close(results[i].outputs!.y, linearReference(SPEC, z)), `item ${i}`);
      assert.equal(results[i].twin, `P${i}`);
    });
    assert.equal(results[3].ignored, true);
  });

  it('with a window, waits for it to fill per twin and feeds the rows in time order', async () => {
    await helper.load(
      twinInfer,
      flow({ modelFile: join(dir, 'window.onnx'), features: 'a, b', window: '2' }),
    );
    await waitFor(() => lastStatus(node('inf'))?.fill === 'grey', 5000, 'the model loaded');
    const out = collect(node('out'));
    await send({ topic: 'T', payload: { a: 1, b: 2 } });
    assert.equal((out[0].inference as Inference).warmingUp, true);
    await send({ topic: 'T', payload: { a: 3, b: 4 } });
    await send({ topic: 'T', payload: { a: 5, b: 6 } });
    assert.ok(
      close((out[1].inference as Inference).outputs!.score, linearReference(WINDOW_SPEC, [1, 2, 3, 4])),
    );
    assert.ok(
      close((out[2].inference as Inference).outputs!.score, linearReference(WINDOW_SPEC, [3, 4, 5, 6])),
    );
  });

  it('a model with a fixed batch size gets chunks of that size', async () => {
    await helper.load(twinInfer, flow({ modelFile: join(dir, 'fixed.onnx') }));
    await waitFor(() => lastStatus(node('inf'))?.fill === 'grey', 5000, 'the model loaded');
    const out = collect(node('out'));
    const rows = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    await send({
      payload: rows.map((r, i) => ({
        topic: `F${i}`,
        payload: { flow: r[0], pressure: r[1], vibration: r[2] },
      })),
    });
    const { results } = out[0].inference as { results: Inference[] };
    rows.forEach((r, i) => assert.ok(close(results[i].outputs!.y, linearReference(SPEC, r)), `item ${i}`));
  });

  it('a shape mismatch is a clear error at deploy, and messages are then refused', async () => {
    await helper.load(twinInfer, flow({ modelFile: join(dir, 'model.onnx'), features: 'flow, pressure' }));
    await waitFor(() => lastStatus(node('inf'))?.fill === 'red', 5000, 'the deploy error');
    const logged = (node('inf').error as unknown as { args: unknown[][] }).args.map((a) =>
      String((a[0] as Error).message ?? a[0]),
    );
    assert.ok(
      logged.some((m) => /model input x has shape \[batch, 3\], but the node feeds \[batch, 2\]/.test(m)),
      logged.join('; '),
    );
    const caught = collect(node('caught'));
    await send({ topic: 'P', payload: { flow: 1, pressure: 2 } });
    assert.equal((caught[0].error as { code?: string }).code, 'TWINFLOW_SHAPE_MISMATCH');
  });

  it('a missing or non-finite feature is refused and no window changes', async () => {
    await helper.load(
      twinInfer,
      flow({ modelFile: join(dir, 'window.onnx'), features: 'a, b', window: '2' }),
    );
    await waitFor(() => lastStatus(node('inf'))?.fill === 'grey', 5000, 'the model loaded');
    const out = collect(node('out'));
    const caught = collect(node('caught'));
    await send({ topic: 'T', payload: { a: 1, b: 2 } });
    await send({
      payload: [
        { topic: 'T', payload: { a: 9, b: 9 } },
        { topic: 'U', payload: { a: Infinity, b: 1 } },
      ],
    });
    await send({ topic: 'T', payload: { a: 1 } });
    assert.deepEqual(
      caught.map((m) => (m.error as { code?: string }).code),
      ['TWINFLOW_BAD_FEATURE', 'TWINFLOW_BAD_FEATURE'],
    );
    await send({ topic: 'T', payload: { a: 3, b: 4 } });
    assert.ok(
      close((out.at(-1)!.inference as Inference).outputs!.score, linearReference(WINDOW_SPEC, [1, 2, 3, 4])),
    );
  });
});
