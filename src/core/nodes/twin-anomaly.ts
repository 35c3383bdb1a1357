import { alarmDefaultsFor, DETECTOR_NAMES } from '../anomaly/registry';
import { createEngine, type EngineConfig, type Horizon, type LearningMode } from '../anomaly/engine';
import { DEFAULT_MAGNITUDE } from '../anomaly/sample';
import { TwinFlowError } from '../errors';
import { latestVersion, migrateConfig, type Migration } from './migrate';

/**
 * The twin-anomaly node's spec: its settings as the editor saves them, their defaults, the migrations from older
 * versions and the one parser the runtime and the replay CLI use. The editor takes its defaults and field rules from
 * here too, so nothing is typed twice.
 */
export type TimeUnit = 'samples' | 'seconds' | 'minutes' | 'hours';

export interface TwinAnomalySettings {
  version: number;
  name: string;
  detector: string;
  /** JSON object of parameter overrides. */
  params: string;
  /** Comma-separated signal names; blank: every numeric property. */
  signals: string;
  /** Signal name for a plain number in msg.payload. */
  signalName: string;
  /** A boolean property of msg.payload; while it is false (machine stopped) learning pauses. Blank: always learn. */
  runningProperty: string;
  threshold: string;
  raiseK: string;
  raiseN: string;
  clearM: string;
  learnInAlarm: boolean;
  mode: LearningMode;
  /** train-then-monitor: how long training lasts, in `trainUnit`. */
  train: string;
  trainUnit: TimeUnit | 'command';
  /** online: how long an alarm lasts before its signal relearns, in `adaptUnit`. */
  adaptAfter: string;
  adaptUnit: TimeUnit | 'never';
  /** Multivariate detectors: an alarm per signal as well. */
  signalAlarms: boolean;
  maxKeys: string;
  maxSignals: string;
  maxNameLength: string;
  maxMagnitude: string;
  /** Context store for the learned state; blank: default. */
  store: string;
}

export interface TwinAnomalyConfig {
  engine: EngineConfig;
  signalName: string;
  runningProperty: string;
  store: string;
  maxKeys: number;
}

const DEFAULT_DETECTOR = 'auto';
const alarm = alarmDefaultsFor(DEFAULT_DETECTOR);

export const DEFAULTS: TwinAnomalySettings = {
  version: 2,
  name: '',
  detector: DEFAULT_DETECTOR,
  params: '{}',
  signals: '',
  signalName: 'value',
  runningProperty: '',
  threshold: String(alarm.threshold),
  raiseK: String(alarm.raiseK),
  raiseN: String(alarm.raiseN),
  clearM: String(alarm.clearM),
  learnInAlarm: false,
  mode: 'online',
  train: '400',
  trainUnit: 'samples',
  adaptAfter: '1000',
  adaptUnit: 'samples',
  signalAlarms: false,
  maxKeys: '10000',
  maxSignals: '256',
  maxNameLength: '256',
  maxMagnitude: String(DEFAULT_MAGNITUDE),
  store: '',
};

/** Numeric fields: [lowest, highest, integer]. */
export const NUMBER_RULES = {
  threshold: [0, 1, false],
  raiseK: [1, 1000, true],
  raiseN: [1, 1000, true],
  clearM: [1, 1_000_000, true],
  train: [1, 1e9, false],
  adaptAfter: [1, 1e9, false],
  maxKeys: [1, 1_000_000, true],
  maxSignals: [1, 100_000, true],
  maxNameLength: [1, 100_000, true],
  maxMagnitude: [1, 1e300, false],
} as const satisfies Record<string, readonly [number, number, boolean]>;

export const MODES: readonly LearningMode[] = ['online', 'train-then-monitor'];
export const TRAIN_UNITS = ['samples', 'seconds', 'minutes', 'hours', 'command'] as const;
export const ADAPT_UNITS = ['samples', 'seconds', 'minutes', 'hours', 'never'] as const;

/** A field's error, or undefined when its value is acceptable. */
export function checkNumber(field: keyof typeof NUMBER_RULES, value: unknown): string | undefined {
  const [lo, hi, integer] = NUMBER_RULES[field];
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) {
    return `${field} must be ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}`;
  }
  return undefined;
}

export const MIGRATIONS: readonly Migration<TwinAnomalySettings>[] = [
  {
    // Version 1 (the first release). A config that leaves the alarm fields out (a flow written by a script) gets
    // the alarm settings of its detector, the same the editor proposes: one detection for auto, 3 of 5 for the
    // statistical detectors. (Before, a script-written auto node got 3 of 5 and raised almost never.)
    to: 1,
    up: (c) => {
      const detector = typeof c.detector === 'string' ? c.detector : DEFAULT_DETECTOR;
      const own = alarmDefaultsFor(detector);
      return {
        detector,
        params: '{}',
        signals: '',
        signalName: 'value',
        threshold: own.threshold,
        raiseK: own.raiseK,
        raiseN: own.raiseN,
        clearM: own.clearM,
        learnInAlarm: false,
        runningProperty: '',
        store: '',
        ...c,
      };
    },
  },
  {
    // Version 2: learning modes, per-signal alarms of multivariate detectors, limits. Existing flows keep learning
    // online as before; a signal in alarm relearns after 1000 samples (before: never, so an alarm could last forever).
    to: 2,
    up: (c) => ({
      mode: DEFAULTS.mode,
      train: DEFAULTS.train,
      trainUnit: DEFAULTS.trainUnit,
      adaptAfter: DEFAULTS.adaptAfter,
      adaptUnit: DEFAULTS.adaptUnit,
      signalAlarms: DEFAULTS.signalAlarms,
      maxKeys: DEFAULTS.maxKeys,
      maxSignals: DEFAULTS.maxSignals,
      maxNameLength: DEFAULTS.maxNameLength,
      maxMagnitude: DEFAULTS.maxMagnitude,
      ...c,
    }),
  },
];

export const VERSION = latestVersion(MIGRATIONS);

const UNIT_MS: Record<TimeUnit, number> = { samples: 0, seconds: 1000, minutes: 60_000, hours: 3_600_000 };

function horizon(amount: number, unit: string): Horizon {
  if (unit === 'samples') return { samples: amount, ms: 0 };
  if (unit in UNIT_MS) return { samples: 0, ms: amount * UNIT_MS[unit as TimeUnit] };
  return { samples: 0, ms: 0 };
}

function parseParams(text: string, errors: string[]): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text || '{}') as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  errors.push('params must be a JSON object');
  return {};
}

const refused = (errors: string[]) => ({
  errors,
  error: new TwinFlowError('badSetting', errors.join('; '), { problems: errors.join('; ') }),
});

/** Brings saved settings (of any version) forward and checks them: the config, or every error found. */
export function parse(
  saved: object,
): { config: TwinAnomalyConfig } | { errors: string[]; error: TwinFlowError } {
  const s = migrateConfig<TwinAnomalySettings>(saved, MIGRATIONS);
  const errors: string[] = [];
  const numbers = {} as Record<keyof typeof NUMBER_RULES, number>;
  for (const field of Object.keys(NUMBER_RULES) as (keyof typeof NUMBER_RULES)[]) {
    const error = checkNumber(field, s[field]);
    if (error) errors.push(error);
    numbers[field] = Number(s[field]);
  }
  if (numbers.raiseK > numbers.raiseN) errors.push('raiseK must not be more than raiseN');
  if (!(DETECTOR_NAMES as string[]).includes(s.detector))
    errors.push(`unknown detector ${String(s.detector)}`);
  if (!MODES.includes(s.mode)) errors.push(`mode must be one of ${MODES.join(', ')}`);
  if (!(TRAIN_UNITS as readonly string[]).includes(s.trainUnit)) errors.push('unknown trainUnit');
  if (!(ADAPT_UNITS as readonly string[]).includes(s.adaptUnit)) errors.push('unknown adaptUnit');
  const params = parseParams(s.params, errors);
  if (errors.length > 0) return refused(errors);
  const engine: EngineConfig = {
    detector: s.detector,
    params,
    signals: String(s.signals ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    alarm: {
      threshold: numbers.threshold,
      raiseK: numbers.raiseK,
      raiseN: numbers.raiseN,
      clearM: numbers.clearM,
    },
    learnInAlarm: s.learnInAlarm === true,
    mode: s.mode,
    train: horizon(numbers.train, s.trainUnit),
    adaptAfter: horizon(numbers.adaptAfter, s.adaptUnit),
    signalAlarms: s.signalAlarms === true,
    limits: {
      signals: numbers.maxSignals,
      nameLength: numbers.maxNameLength,
      magnitude: numbers.maxMagnitude,
    },
  };
  try {
    createEngine(engine);
  } catch (err) {
    return { errors: [(err as Error).message], error: err as TwinFlowError };
  }
  return {
    config: {
      engine,
      signalName: String(s.signalName || 'value'),
      runningProperty: String(s.runningProperty ?? ''),
      store: String(s.store ?? ''),
      maxKeys: numbers.maxKeys,
    },
  };
}
