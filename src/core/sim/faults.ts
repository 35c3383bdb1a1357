import { TwinFlowError } from '../errors';
import { normal, type Rng } from './rng';

/**
 * Sensor faults layered on a model's outputs, for commissioning and training data (the fault_injector
 * vocabulary plus spikes): each active from `start` for `duration` seconds of simulation time. Physical faults
 * (bearing wear, a fouled filter) are parameter changes inside the model: see `degradation`, which moves a
 * parameter at `magnitude` per second while active.
 */
export const FAULT_KINDS = ['bias', 'drift', 'noise', 'stuck', 'spike', 'degradation'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** Output (sensor faults) or parameter (degradation) it acts on. */
  target: string;
  start: number;
  /** Seconds; Infinity (or absent in JSON: null) for a permanent fault. */
  duration: number | null;
  magnitude: number;
  /** For stuck: the value it stuck at (captured when it starts). */
  held?: number;
}

export function checkFault(raw: unknown, outputs: string[], params: string[], now: number): Fault {
  const f = (raw ?? {}) as Record<string, unknown>;
  const kind = f.kind as FaultKind;
  if (!FAULT_KINDS.includes(kind)) {
    throw new TwinFlowError('badFault', `fault kind must be one of ${FAULT_KINDS.join(', ')}`, {
      kind: String(f.kind),
    });
  }
  const target = String(f.target ?? '');
  const targets = kind === 'degradation' ? params : outputs;
  if (!targets.includes(target)) {
    throw new TwinFlowError('badFault', `${kind} cannot act on "${target}"; one of ${targets.join(', ')}`, {
      kind,
    });
  }
  const start = f.start === undefined ? now : Number(f.start);
  const duration = f.duration === undefined || f.duration === null ? null : Number(f.duration);
  const magnitude = f.magnitude === undefined ? 0 : Number(f.magnitude);
  if (!Number.isFinite(start) || (duration !== null && !(duration > 0)) || !Number.isFinite(magnitude)) {
    throw new TwinFlowError('badFault', 'fault start, duration (> 0) and magnitude must be numbers', {
      kind,
    });
  }
  return { kind, target, start, duration, magnitude };
}

export function faultActive(f: Fault, t: number): boolean {
  return t >= f.start && (f.duration === null || t < f.start + f.duration);
}

/** Applies the active sensor faults to outputs at time t (mutates `values` and stuck faults' held value). */
export function applySensorFaults(
  faults: Fault[],
  values: Record<string, number>,
  t: number,
  random: Rng,
): void {
  for (const f of faults) {
    if (f.kind === 'degradation' || !faultActive(f, t) || !(f.target in values)) continue;
    const x = values[f.target];
    switch (f.kind) {
      case 'bias':
        values[f.target] = x + f.magnitude;
        break;
      case 'drift':
        values[f.target] = x + f.magnitude * (t - f.start);
        break;
      case 'noise':
        values[f.target] = x + f.magnitude * normal(random);
        break;
      case 'stuck':
        f.held ??= x;
        values[f.target] = f.held;
        break;
      case 'spike':
        values[f.target] = x + f.magnitude;
        f.duration = f.duration ?? 1e-9;
        break;
    }
  }
}

/** The parameters with active degradations applied over [t, t + h]: the change accumulates with time. */
export function degradedParams(
  faults: Fault[],
  params: Record<string, number>,
  t: number,
): Record<string, number> {
  let out = params;
  for (const f of faults) {
    if (f.kind !== 'degradation' || t < f.start) continue;
    const end = f.duration === null ? t : Math.min(t, f.start + f.duration);
    if (out === params) out = { ...params };
    out[f.target] = (out[f.target] ?? 0) + f.magnitude * (end - f.start);
  }
  return out;
}
