/**
 * Alarm with hysteresis: raise when at least `raiseK` of the last `raiseN` scores reached the threshold, clear after
 * `clearM` consecutive normal scores. Only the transitions are events, so an alarm list is not flooded by every
 * anomalous sample (ISA-18.2's on-delay and off-delay, in samples).
 */
export interface AlarmParams {
  threshold: number;
  raiseK: number;
  raiseN: number;
  clearM: number;
}

export interface AlarmState {
  active: boolean;
  /** The last raiseN results as 1 (anomalous) or 0, newest last. */
  recent: number[];
  normalRun: number;
  since?: number;
}

export type AlarmEvent = 'raise' | 'clear' | null;

/**
 * For the statistical detectors, whose score is 1 minus a tail probability: raise when 3 of the last 5 samples are
 * beyond the 99.9 % limit. On independent normal data a sample is beyond it with probability 0.001, so a false alarm
 * needs three such samples within five: about 10 * 0.001^3 = 1e-8 per sample (one in 100 million samples; twice as
 * often for hotelling, which judges two statistics). A real shift of 4 sigma or more raises within a few samples.
 */
export const ALARM_DEFAULTS: AlarmParams = { threshold: 0.999, raiseK: 3, raiseN: 5, clearM: 10 };

export function alarmInit(): AlarmState {
  return { active: false, recent: [], normalRun: 0 };
}

/** Mutates and returns the state with the event this score caused, if any. */
export function alarmUpdate(
  state: AlarmState,
  score: number,
  t: number,
  p: AlarmParams,
): { state: AlarmState; event: AlarmEvent } {
  return { state, event: alarmStep(state, score, t, p) };
}

/** alarmUpdate without the wrapper object: mutates the state and returns the event (the engine's per-sample path). */
export function alarmStep(state: AlarmState, score: number, t: number, p: AlarmParams): AlarmEvent {
  const anomalous = score >= p.threshold;
  const recent = state.recent;
  recent.push(anomalous ? 1 : 0);
  if (recent.length > p.raiseN) recent.shift();
  state.normalRun = anomalous ? 0 : state.normalRun + 1;
  if (!state.active) {
    let count = 0;
    for (let i = 0; i < recent.length; i++) count += recent[i];
    if (count < p.raiseK) return null;
    state.active = true;
    state.since = t;
    return 'raise';
  }
  if (state.normalRun >= p.clearM) {
    state.active = false;
    state.recent = [];
    delete state.since;
    return 'clear';
  }
  return null;
}
