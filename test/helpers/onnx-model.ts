import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

/**
 * Builds small ONNX models for tests and examples from the committed schema subset (test/fixtures/onnx.proto), so
 * no binary model is needed in the repository and the expected outputs can be computed independently.
 *
 * The model: Y = sigmoid?(X W + B), X of shape [batch, inputs] (batch symbolic), W [inputs, outputs], B [outputs].
 * Run as a script it writes the example model of examples/twin-infer.
 */
export interface LinearModelSpec {
  weights: number[][];
  bias: number[];
  sigmoid: boolean;
  inputName?: string;
  outputName?: string;
  /** Fixed first dimension instead of the symbolic "batch". */
  batch?: number;
}

const FLOAT = 1;

export function linearOnnxModel(spec: LinearModelSpec): Uint8Array {
  const root = protobuf.loadSync(join(__dirname, '..', 'fixtures', 'onnx.proto'));
  const Model = root.lookupType('onnx.ModelProto');
  const inputs = spec.weights.length;
  const outputs = spec.bias.length;
  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const tensorType = (dims: (number | string)[]) => ({
    tensorType: { elemType: FLOAT, shape: { dim: dims.map(dim) } },
  });
  const first = spec.batch ?? 'batch';
  const x = spec.inputName ?? 'features';
  const y = spec.outputName ?? 'score';
  const nodes = [
    { input: [x, 'W'], output: ['xw'], opType: 'MatMul', name: 'matmul' },
    { input: ['xw', 'B'], output: [spec.sigmoid ? 'logit' : y], opType: 'Add', name: 'add' },
    ...(spec.sigmoid ? [{ input: ['logit'], output: [y], opType: 'Sigmoid', name: 'sigmoid' }] : []),
  ];
  const message = Model.fromObject({
    irVersion: 8,
    producerName: 'twinflow-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'linear',
      node: nodes,
      initializer: [
        { name: 'W', dims: [inputs, outputs], dataType: FLOAT, floatData: spec.weights.flat() },
        { name: 'B', dims: [outputs], dataType: FLOAT, floatData: spec.bias },
      ],
      input: [{ name: x, type: tensorType([first, inputs]) }],
      output: [{ name: y, type: tensorType([first, outputs]) }],
    },
  });
  return Model.encode(message).finish();
}

/** The same model computed in plain JavaScript (float64; the model runs in float32). */
export function linearReference(spec: LinearModelSpec, x: number[]): number[] {
  return spec.bias.map((b, j) => {
    const z = x.reduce((sum, v, i) => sum + v * spec.weights[i][j], b);
    return spec.sigmoid ? 1 / (1 + Math.exp(-z)) : z;
  });
}

/**
 * The example's pump health model: features [flow, pressure, current, vibration] after z-scoring; a higher score
 * means less healthy (high vibration and current for the flow delivered). Hand-set weights, not trained.
 */
export const PUMP_HEALTH_MODEL: LinearModelSpec = {
  weights: [[-0.8], [-0.4], [0.9], [1.6]],
  bias: [-2],
  sigmoid: true,
  inputName: 'features',
  outputName: 'risk',
};

if (require.main === module) {
  const target = join(__dirname, '..', '..', 'examples', 'twin-infer', 'pump-health.onnx');
  writeFileSync(target, linearOnnxModel(PUMP_HEALTH_MODEL));
  process.stdout.write(`wrote ${target}\n`);
}
