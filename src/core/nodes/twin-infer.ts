import {
  parseNormalisation,
  type FeatureConfig,
  type FeatureSource,
  type Normalisation,
} from '../infer/features';
import type { Migration } from './migrate';

/** The twin-infer node's settings, defaults, migrations and parsing (editor, runtime and tests share them). */
export interface TwinInferSettings {
  name: string;
  /** ONNX file; relative paths from the Node-RED user directory, then from the TwinFlow package (its examples). */
  modelFile: string;
  /** Comma-separated feature names: twin properties, or dot paths into the message. */
  features: string;
  source: FeatureSource;
  window: string;
  normalise: Normalisation;
  /** JSON: {"mean": [...], "std": [...]} or {"min": [...], "max": [...]} in feature order. */
  normParams: string;
  /** Blank: the model's first input. */
  inputName: string;
  /** Blank: the model's first output is the value. */
  outputName: string;
  /** Twin property to write the value to (output 2); blank: none. */
  twinProperty: string;
  maxKeys: string;
  version: number;
}

export const TWIN_INFER_VERSION = 1;

export const TWIN_INFER_DEFAULTS: TwinInferSettings = {
  name: '',
  modelFile: '',
  features: '',
  source: 'payload',
  window: '1',
  normalise: 'none',
  normParams: '',
  inputName: '',
  outputName: '',
  twinProperty: '',
  maxKeys: '1000',
  version: TWIN_INFER_VERSION,
};

export const TWIN_INFER_MIGRATIONS: readonly Migration<TwinInferSettings>[] = [
  { to: 1, up: (c) => ({ ...TWIN_INFER_DEFAULTS, ...c }) },
];

export interface TwinInferConfig extends FeatureConfig {
  modelFile: string;
  inputName: string;
  outputName: string;
  twinProperty: string;
  maxKeys: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function parseTwinInfer(
  settings: TwinInferSettings,
): { config: TwinInferConfig } | { errors: string[] } {
  const errors: string[] = [];
  const features = String(settings.features ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (features.length === 0) errors.push('list at least one feature');
  if (String(settings.modelFile ?? '').trim() === '') errors.push('choose an ONNX model file');
  if (settings.source !== 'payload' && settings.source !== 'msg')
    errors.push('source must be payload or msg');
  if (!['none', 'zscore', 'minmax'].includes(settings.normalise)) errors.push('unknown normalisation');
  const window = Number(settings.window);
  if (!Number.isInteger(window) || window < 1 || window > 1000)
    errors.push('window must be an integer from 1 to 1000');
  const maxKeys = Number(settings.maxKeys);
  if (!Number.isInteger(maxKeys) || maxKeys < 1) errors.push('max keys must be a positive integer');
  const twinProperty = String(settings.twinProperty ?? '').trim();
  if (twinProperty !== '' && !NAME.test(twinProperty))
    errors.push('the twin property must be a property name');
  const norm = parseNormalisation(settings.normalise, settings.normParams, features.length);
  if (typeof norm === 'string') errors.push(norm);
  if (errors.length > 0 || typeof norm === 'string') return { errors };
  return {
    config: {
      modelFile: settings.modelFile.trim(),
      features,
      source: settings.source,
      window,
      normalise: settings.normalise,
      a: norm.a,
      b: norm.b,
      inputName: String(settings.inputName ?? '').trim(),
      outputName: String(settings.outputName ?? '').trim(),
      twinProperty,
      maxKeys,
    },
  };
}

/** The spec's conventional names (every node spec in src/core/nodes exports these). */
export const VERSION = TWIN_INFER_VERSION;
export const DEFAULTS = TWIN_INFER_DEFAULTS;
export const MIGRATIONS = TWIN_INFER_MIGRATIONS;
export const parse = parseTwinInfer;
