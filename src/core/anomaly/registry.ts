import { ALARM_DEFAULTS, type AlarmParams } from './alarm';
import { auto } from './auto';
import { cusum } from './cusum';
import type { Detector } from './detector';
import { ewma } from './ewma';
import { flatline } from './flatline';
import { mad } from './mad';
import { rateOfChange } from './rate-of-change';
import { seasonal } from './seasonal';
import { zscore } from './zscore';

/** Every univariate detector by its configuration name. The multivariate one (hotelling) has its own shape. */
export const DETECTORS = { auto, zscore, ewma, cusum, mad, seasonal, flatline, rate: rateOfChange } as const;
export type DetectorName = keyof typeof DETECTORS;
export const DETECTOR_NAMES = Object.keys(DETECTORS) as DetectorName[];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous registry: params and state differ per detector
export type AnyDetector = Detector<any, any>;

/** The alarm settings a detector works best with: ALARM_DEFAULTS with the detector's own preferences. */
export function alarmDefaultsFor(name: string): AlarmParams {
  const detector = (DETECTORS as Record<string, AnyDetector | undefined>)[name];
  return { ...ALARM_DEFAULTS, ...detector?.alarm };
}
