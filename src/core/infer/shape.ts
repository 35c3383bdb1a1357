import { TwinFlowError } from '../errors';

/**
 * Matches what twin-infer feeds (a batch of `window` time steps of `features` values) against the shape an ONNX
 * model declares for its input, at deploy, so a mismatch is a clear error before the first message rather than an
 * opaque runtime failure on it. Accepted layouts: [batch, window * features] (flat) and [batch, window, features]
 * (sequence); the batch dimension may be symbolic ("batch", "N") or a number (then every batch has that size).
 */
export type InputLayout = 'flat' | 'sequence';

export interface InputPlan {
  layout: InputLayout;
  /** A fixed batch size the model demands, or undefined when it is symbolic. */
  batch: number | undefined;
  type: 'float32' | 'float64';
}

const describe = (shape: readonly (number | string)[]): string => `[${shape.map(String).join(', ')}]`;

export function planInput(
  name: string,
  type: string,
  shape: readonly (number | string)[],
  window: number,
  features: number,
): InputPlan {
  if (type !== 'float32' && type !== 'float64') {
    throw new TwinFlowError(
      'inputType',
      `model input ${name} takes ${type}; twin-infer feeds float32 or float64`,
      {
        input: name,
        type,
      },
    );
  }
  const fixed = (d: number | string): number | undefined => (typeof d === 'number' && d >= 0 ? d : undefined);
  const given =
    window === 1
      ? `[batch, ${features}]`
      : `[batch, ${window * features}] or [batch, ${window}, ${features}]`;
  const mismatch = (): never => {
    throw new TwinFlowError(
      'shapeMismatch',
      `model input ${name} has shape ${describe(shape)}, but the node feeds ${given} (${features} features × window ${window})`,
      { input: name, shape: describe(shape), given, features, window },
    );
  };
  const matches = (d: number | string, size: number): boolean => fixed(d) === undefined || fixed(d) === size;
  if (shape.length === 2 && matches(shape[1], window * features)) {
    return { layout: 'flat', batch: fixed(shape[0]), type };
  }
  if (shape.length === 3 && matches(shape[1], window) && matches(shape[2], features)) {
    return { layout: 'sequence', batch: fixed(shape[0]), type };
  }
  return mismatch();
}
