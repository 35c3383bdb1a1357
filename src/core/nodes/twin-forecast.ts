import { FORECAST_METHODS, type ForecastMethod, type ForecastSettings } from '../forecast/engine';
import type { Direction } from '../forecast/crossing';
import type { Migration } from './migrate';

/**
 * The twin-forecast node's settings: what the editor saves, their defaults, their migrations and their parsing
 * into the configuration the runtime runs. Numbers are saved as the editor's strings and parsed here.
 */
export const TWIN_FORECAST_MODES = ['trend', 'rul'] as const;
export type TwinForecastMode = (typeof TWIN_FORECAST_MODES)[number];
export const TIME_UNITS = { s: 1, min: 60, h: 3600, d: 86400 } as const;
export type TimeUnit = keyof typeof TIME_UNITS;

export interface TwinForecastSettings {
  name: string;
  mode: TwinForecastMode;
  /** Comma-separated properties to forecast; blank: every numeric property of msg.payload. */
  signals: string;
  /** Property name given to a plain number in msg.payload. */
  signalName: string;
  method: ForecastMethod;
  alpha: string;
  beta: string;
  phi: string;
  window: string;
  /** Interval level in percent. */
  level: string;
  horizon: string;
  lookAhead: string;
  timeUnit: TimeUnit;
  /** Blank: the twin model's max (above) or min (below) of the property, if a model is chosen. */
  limit: string;
  direction: Direction;
  /** Optional twin-model config node whose property limits are used when `limit` is blank. */
  model: string;
  /** RUL mode: path of the model file written by twinflow-rul train. */
  rulModel: string;
  /** RUL mode: "modelSignal=property" pairs, comma-separated; unnamed signals are read under their own name. */
  rulSignals: string;
  report: 'change' | 'every';
  /** Percent change of the estimate that is worth a new message. */
  change: string;
  /** Points of the forecast path in the output (for charts); 0: none. */
  pathPoints: string;
  writeTwin: boolean;
  maxKeys: string;
  store: string;
  version: number;
}

export const TWIN_FORECAST_VERSION = 1;

export const TWIN_FORECAST_DEFAULTS: TwinForecastSettings = {
  name: '',
  mode: 'trend',
  signals: '',
  signalName: 'value',
  method: 'holt',
  alpha: '0.3',
  beta: '0.05',
  phi: '0.98',
  window: '60',
  level: '90',
  horizon: '1',
  lookAhead: '24',
  timeUnit: 'h',
  limit: '',
  direction: 'above',
  model: '',
  rulModel: '',
  rulSignals: '',
  report: 'change',
  change: '5',
  pathPoints: '0',
  writeTwin: false,
  maxKeys: '1000',
  store: '',
  version: TWIN_FORECAST_VERSION,
};

export const TWIN_FORECAST_MIGRATIONS: readonly Migration<TwinForecastSettings>[] = [
  { to: 1, up: (c) => ({ ...TWIN_FORECAST_DEFAULTS, ...c }) },
];

export interface TwinForecastConfig {
  mode: TwinForecastMode;
  signals: string[];
  signalName: string;
  forecast: ForecastSettings;
  /** Milliseconds per configured time unit. */
  unitMs: number;
  limit: number | undefined;
  direction: Direction;
  rulModel: string;
  /** Model signal -> payload property. */
  rulSignals: Record<string, string>;
  report: 'change' | 'every';
  change: number;
  pathPoints: number;
  writeTwin: boolean;
  maxKeys: number;
}

/** Turns saved settings into the runtime configuration, or lists every setting that is wrong. */
export function parseTwinForecast(
  settings: TwinForecastSettings,
): { config: TwinForecastConfig } | { errors: string[] } {
  const errors: string[] = [];
  const num = (name: keyof TwinForecastSettings, lo: number, hi: number, integer = false): number => {
    const text = String(settings[name] ?? '').trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) {
      errors.push(`${name} must be ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}`);
      return lo;
    }
    return n;
  };
  if (!(TWIN_FORECAST_MODES as readonly string[]).includes(settings.mode))
    errors.push(`unknown mode ${settings.mode}`);
  if (!(FORECAST_METHODS as readonly string[]).includes(settings.method))
    errors.push(`unknown method ${settings.method}`);
  if (!(settings.timeUnit in TIME_UNITS)) errors.push(`unknown time unit ${settings.timeUnit}`);
  if (settings.direction !== 'above' && settings.direction !== 'below')
    errors.push('direction must be above or below');
  if (settings.report !== 'change' && settings.report !== 'every')
    errors.push('report must be change or every');
  const horizon = num('horizon', 1e-9, 1e9);
  const forecast: ForecastSettings = {
    method: settings.method,
    alpha: num('alpha', 0.001, 1),
    beta: num('beta', 0, 1),
    phi: num('phi', 0.5, 1),
    window: num('window', 3, 10000, true),
    level: num('level', 50, 99.9) / 100,
    horizon,
    lookAhead: Math.max(horizon, num('lookAhead', 1e-9, 1e12)),
    minSamples: 10,
  };
  const limitText = String(settings.limit ?? '').trim();
  const limit = limitText === '' ? undefined : Number(limitText);
  if (limit !== undefined && !Number.isFinite(limit)) errors.push('limit must be a number or blank');
  const rulSignals: Record<string, string> = {};
  for (const pair of String(settings.rulSignals ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const [model, property] = pair.split('=').map((s) => s.trim());
    if (!model || !property) errors.push(`rulSignals: "${pair.trim()}" is not modelSignal=property`);
    else rulSignals[model] = property;
  }
  if (settings.mode === 'rul' && String(settings.rulModel ?? '').trim() === '')
    errors.push('rul mode needs a model file');
  const config: TwinForecastConfig = {
    mode: settings.mode,
    signals: String(settings.signals ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    signalName: String(settings.signalName ?? '').trim() || 'value',
    forecast,
    unitMs: 1000 * (TIME_UNITS[settings.timeUnit] ?? 1),
    limit,
    direction: settings.direction,
    rulModel: String(settings.rulModel ?? '').trim(),
    rulSignals,
    report: settings.report,
    change: num('change', 0, 1000) / 100,
    pathPoints: num('pathPoints', 0, 500, true),
    writeTwin: settings.writeTwin === true,
    maxKeys: num('maxKeys', 1, 1e6, true),
  };
  return errors.length > 0 ? { errors } : { config };
}

/** The spec's conventional names (every node spec in src/core/nodes exports these). */
export const VERSION = TWIN_FORECAST_VERSION;
export const DEFAULTS = TWIN_FORECAST_DEFAULTS;
export const MIGRATIONS = TWIN_FORECAST_MIGRATIONS;
export const parse = parseTwinForecast;
