import { ALARM_DEFAULTS, type AlarmParams } from './alarm';
import { auto } from './auto';
import { cusum } from './cusum';
import type { Detector, MultivariateDetector } from './detector';
import { ewma } from './ewma';
import { flatline } from './flatline';
import { hotelling } from './hotelling';
import { mad } from './mad';
import { rateOfChange } from './rate-of-change';
import { seasonal } from './seasonal';
import { zscore } from './zscore';

/** Every detector by its configuration name, univariate and multivariate alike. */
export const DETECTORS = {
  auto,
  zscore,
  ewma,
  cusum,
  mad,
  seasonal,
  flatline,
  rate: rateOfChange,
  hotelling,
} as const;
export type DetectorName = keyof typeof DETECTORS;
export const DETECTOR_NAMES = Object.keys(DETECTORS) as DetectorName[];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous registry: params and state differ per detector
export type AnyDetector = Detector<any, any> | MultivariateDetector<any, any>;

export function isDetectorName(name: unknown): name is DetectorName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(DETECTORS, name);
}

/** The alarm settings a detector works best with: ALARM_DEFAULTS with the detector's own preferences. */
export function alarmDefaultsFor(name: string): AlarmParams {
  const detector = isDetectorName(name) ? (DETECTORS[name] as AnyDetector) : undefined;
  return { ...ALARM_DEFAULTS, ...detector?.alarm };
}

/** The univariate detectors (one number per signal): what the NAB benchmark can run. */
export const UNIVARIATE_NAMES = DETECTOR_NAMES.filter((n) => !DETECTORS[n].multivariate);
