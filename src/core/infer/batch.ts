import { isPlainObject } from '../envelope';
import { TwinFlowError } from '../errors';
import { pushRow, readFeatureRow, type FeatureConfig } from './features';

/**
 * One message's inference batch: a single twin (msg.topic, msg.payload) or an array of twin envelopes
 * ({topic, payload} each) in msg.payload. Every item is read and checked before any window changes, so a refused
 * message leaves the node's state as it was.
 */
export const MAX_BATCH = 4096;

export interface InferResult {
  twin: string;
  outputs?: Record<string, number[]>;
  value?: number;
  ignored?: true;
  warmingUp?: true;
}

export interface PreparedBatch {
  results: InferResult[];
  /** Items whose window is full, in batch order, with their flattened window. */
  ready: { index: number; values: number[] }[];
}

export function prepareBatch(
  items: unknown[],
  windows: Map<string, number[][]>,
  config: FeatureConfig,
  maxKeys: number,
): PreparedBatch {
  if (items.length > MAX_BATCH) {
    throw new TwinFlowError('batchTooLarge', `more than ${MAX_BATCH} items in one batch`, {
      limit: MAX_BATCH,
    });
  }
  const rows = items.map((item, i) => {
    if (!isPlainObject(item))
      throw new TwinFlowError('badItem', `batch item ${i} is not an object`, { index: i });
    const twin = item.topic === undefined || item.topic === '' ? 'default' : String(item.topic);
    return { twin, row: readFeatureRow(item, config) };
  });
  const fresh = new Set(rows.filter((r) => !windows.has(r.twin)).map((r) => r.twin));
  if (windows.size + fresh.size > maxKeys) {
    throw new TwinFlowError(
      'tooManyKeys',
      'the node keeps windows for as many twins as its key limit allows',
      {},
    );
  }
  const ready: PreparedBatch['ready'] = [];
  const results: InferResult[] = rows.map(({ twin, row }, index) => {
    if (row === 'ignored') return { twin, ignored: true };
    const window = windows.get(twin) ?? [];
    windows.set(twin, window);
    if (pushRow(window, row, config.window)) ready.push({ index, values: window.flat() });
    return { twin, warmingUp: true };
  });
  return { results, ready };
}

/** The ready windows in chunks of the model's fixed batch size (the last padded with zeros), or in one chunk. */
export function chunkBatch(
  ready: PreparedBatch['ready'],
  size: number,
  fixed: number | undefined,
): { indices: number[]; values: number[]; n: number }[] {
  const n = fixed ?? ready.length;
  const chunks: { indices: number[]; values: number[]; n: number }[] = [];
  for (let start = 0; start < ready.length; start += n) {
    const part = ready.slice(start, start + n);
    const values = part.flatMap((r) => r.values);
    while (values.length < n * size) values.push(0);
    chunks.push({ indices: part.map((r) => r.index), values, n });
  }
  return chunks;
}

/** Row k of every output tensor of a batch of n (outputs whose first dimension is not n are given whole). */
export function outputRow(
  outputs: Record<string, { data: ArrayLike<number | bigint>; dims: readonly number[] }>,
  n: number,
  k: number,
): Record<string, number[]> {
  const row: Record<string, number[]> = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    const all = Array.from(tensor.data as ArrayLike<number>, Number);
    row[name] = tensor.dims[0] === n ? all.slice((k * all.length) / n, ((k + 1) * all.length) / n) : all;
  }
  return row;
}
