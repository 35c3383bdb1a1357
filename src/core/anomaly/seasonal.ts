import { normalTwoSidedTail } from '../stats/normal';
import { welford, welfordAdd, welfordVariance, type Welford } from '../stats/welford';
import { WARMING_UP, type Detector } from './detector';

/**
 * Seasonal baseline: one mean and variance per slot of the day (or of the week), so a load that is normal at 10:00
 * on a Monday is not normal at 03:00 on a Sunday. Slots come from the sample's timestamp shifted to local time by
 * `utcOffsetMinutes`. Each slot must have seen `warmup` values before it scores.
 */
export interface SeasonalParams {
  period: 'day' | 'week';
  /** Slot length in minutes (60: hourly slots). */
  slotMinutes: number;
  utcOffsetMinutes: number;
  warmup: number;
  minStd: number;
}

export interface SeasonalState {
  slots: Welford[];
  /** Deviations from their slot's mean across all slots: the pooled spread each slot's own is shrunk towards. */
  pooled: Welford;
}

/** Prior weight, in samples, of the pooled spread in each slot's spread (Bayesian shrinkage). */
const SHRINKAGE = 5;

const MINUTE = 60_000;

export function seasonalSlot(t: number, p: SeasonalParams): number {
  const minutes = Math.floor(t / MINUTE) + p.utcOffsetMinutes;
  const periodMinutes = p.period === 'week' ? 7 * 1440 : 1440;
  // 1970-01-01 was a Thursday: shift so that slot 0 of a week starts on Monday 00:00.
  const inPeriod =
    (((minutes + (p.period === 'week' ? 3 * 1440 : 0)) % periodMinutes) + periodMinutes) % periodMinutes;
  return Math.floor(inPeriod / p.slotMinutes);
}

export const seasonal: Detector<SeasonalParams, SeasonalState> = {
  name: 'seasonal',
  defaults: { period: 'day', slotMinutes: 60, utcOffsetMinutes: 0, warmup: 5, minStd: 1e-9 },
  init: (p) => {
    const count = Math.ceil(((p.period === 'week' ? 7 : 1) * 1440) / p.slotMinutes);
    return { slots: Array.from({ length: count }, welford), pooled: welford() };
  },
  update(state, x, t, p, learn) {
    const slot = state.slots[seasonalSlot(t, p)];
    // A slot sees few samples (one per day for hourly slots); its own variance alone would be too noisy to trust.
    const pooledVariance = welfordVariance(state.pooled);
    const variance =
      slot.n > 1 ? (slot.m2 + SHRINKAGE * pooledVariance) / (slot.n - 1 + SHRINKAGE) : pooledVariance;
    const std = Math.max(Math.sqrt(variance), p.minStd);
    const result =
      slot.n >= p.warmup
        ? {
            score: 1 - normalTwoSidedTail((x - slot.mean) / std),
            expected: slot.mean,
            lower: slot.mean - 3 * std,
            upper: slot.mean + 3 * std,
            warmingUp: false,
          }
        : WARMING_UP(slot.n > 0 ? slot.mean : x);
    if (learn) {
      if (slot.n > 0) welfordAdd(state.pooled, x - slot.mean);
      welfordAdd(slot, x);
    }
    return { state, result };
  },
};
