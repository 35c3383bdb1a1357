import { isPlainObject, isSample, isUsable } from '../envelope';
import { TwinFlowError } from '../errors';

/**
 * The feature rows of twin-infer: values taken from twin properties (msg.payload, plain numbers or samples) or from
 * message fields (dot paths), normalised, and kept per twin as a window of the last time steps (plain JSON).
 */
export type FeatureSource = 'payload' | 'msg';
export type Normalisation = 'none' | 'zscore' | 'minmax';

export interface FeatureConfig {
  features: string[];
  source: FeatureSource;
  window: number;
  normalise: Normalisation;
  /** zscore: centre and scale per feature; minmax: min and max per feature. */
  a: number[];
  b: number[];
}

/** A dot path into a plain object ("payload.temperature"); own properties only. */
function pathValue(root: unknown, path: string): unknown {
  let current = root;
  for (const key of path.split('.')) {
    if (!isPlainObject(current) || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * One time step's features from a message (or one item of a batch): 'bad' or stale samples make the row unusable
 * ('ignored'); a missing or non-finite value is refused with an error naming the feature.
 */
export function readFeatureRow(item: Record<string, unknown>, config: FeatureConfig): number[] | 'ignored' {
  const row: number[] = [];
  let ignored = false;
  config.features.forEach((name, i) => {
    const raw = config.source === 'payload' ? pathValue(item.payload, name) : pathValue(item, name);
    const sample = isSample(raw) ? raw : undefined;
    if (sample && !isUsable(sample)) {
      ignored = true;
      return;
    }
    const value = sample ? sample.value : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TwinFlowError('badFeature', `feature ${name} is missing or not a finite number`, {
        feature: name,
      });
    }
    row.push(normalise(value, i, config));
  });
  return ignored ? 'ignored' : row;
}

function normalise(x: number, i: number, config: FeatureConfig): number {
  if (config.normalise === 'zscore') return (x - config.a[i]) / config.b[i];
  if (config.normalise === 'minmax') return (x - config.a[i]) / (config.b[i] - config.a[i]);
  return x;
}

/** Appends a row to a twin's window (mutates); true when the window is full and inference can run. */
export function pushRow(window: number[][], row: number[], length: number): boolean {
  window.push(row);
  if (window.length > length) window.splice(0, window.length - length);
  return window.length === length;
}

/** Parses the normalisation parameters: {"mean": [...], "std": [...]} or {"min": [...], "max": [...]}. */
export function parseNormalisation(
  kind: Normalisation,
  json: string,
  features: number,
): { a: number[]; b: number[] } | string {
  if (kind === 'none') return { a: [], b: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json || '{}');
  } catch {
    return 'normalisation parameters are not valid JSON';
  }
  const [ka, kb] = kind === 'zscore' ? ['mean', 'std'] : ['min', 'max'];
  const p = (isPlainObject(parsed) ? parsed : {}) as Record<string, unknown>;
  const a = p[ka];
  const b = p[kb];
  const ok = (v: unknown): v is number[] =>
    Array.isArray(v) && v.length === features && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!ok(a) || !ok(b)) return `normalisation needs ${ka} and ${kb} arrays of ${features} numbers`;
  if (kind === 'zscore' && b.some((s) => s <= 0)) return 'std must be above 0';
  if (kind === 'minmax' && b.some((max, i) => max <= a[i])) return 'max must be above min';
  return { a, b };
}
