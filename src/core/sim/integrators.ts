import { TwinFlowError } from '../errors';
import type { Budget } from './budget';

/** dy/dt = f(t, y). */
export type Derivatives = (t: number, y: readonly number[]) => number[];

function axpy(y: readonly number[], h: number, k: readonly number[]): number[] {
  return y.map((v, i) => v + h * k[i]);
}

function checkFinite(y: readonly number[], t: number): void {
  if (!y.every(Number.isFinite)) {
    throw new TwinFlowError('unstable', `the simulation became unstable (non-finite state) at t = ${t}`, {
      time: t,
    });
  }
}

/** One classic fourth-order Runge-Kutta step. */
export function rk4Step(f: Derivatives, t: number, y: readonly number[], h: number): number[] {
  const k1 = f(t, y);
  const k2 = f(t + h / 2, axpy(y, h / 2, k1));
  const k3 = f(t + h / 2, axpy(y, h / 2, k2));
  const k4 = f(t + h, axpy(y, h, k3));
  return y.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
}

/** RK4 from t0 to t1 in equal micro-steps no longer than maxStep, landing exactly on t1. */
export function integrateRk4(
  f: Derivatives,
  t0: number,
  y0: readonly number[],
  t1: number,
  maxStep: number,
): number[] {
  const steps = Math.max(1, Math.ceil((t1 - t0) / maxStep - 1e-12));
  const h = (t1 - t0) / steps;
  let y = y0.slice();
  for (let i = 0; i < steps; i++) y = rk4Step(f, t0 + i * h, y, h);
  checkFinite(y, t1);
  return y;
}

// Dormand-Prince 5(4) coefficients (Hairer, Nørsett & Wanner, Solving ODEs I, table 5.2).
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const B5 = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
const B4 = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40];

export interface AdaptiveOptions {
  rtol: number;
  atol: number;
  /** Largest micro-step. */
  maxStep?: number;
  /**
   * The most micro-steps one call may take: a micro-step shorter than (t1 - t0) / maxSteps is the floor, and a
   * problem that needs shorter ones is too stiff for this explicit solver at this communication step.
   */
  maxSteps?: number;
  /** Wall-time budget of the call (checked every few micro-steps). */
  budget?: Budget;
}

function tooStiff(span: number, floor: number, t: number): TwinFlowError {
  return new TwinFlowError(
    'tooStiff',
    `model too stiff for step h = ${span} s: the solver needs micro-steps below ${floor.toPrecision(3)} s at t = ${t}`,
    { step: span, floor: floor.toPrecision(3), time: t },
  );
}

/**
 * Adaptive Dormand-Prince RK45 from t0 to exactly t1, error-controlled per component with rtol and atol. Returns
 * the state at t1 and the number of accepted micro-steps.
 */
export function integrateDopri(
  f: Derivatives,
  t0: number,
  y0: readonly number[],
  t1: number,
  options: AdaptiveOptions,
): { y: number[]; steps: number } {
  const maxSteps = options.maxSteps ?? 100_000;
  // Below the floor the step count would exceed maxSteps, or t + h would no longer differ from t.
  const floor = Math.max((t1 - t0) / maxSteps, 8 * Number.EPSILON * Math.max(Math.abs(t0), Math.abs(t1)));
  let t = t0;
  let y = y0.slice();
  let h = Math.min(options.maxStep ?? Infinity, (t1 - t0) / 10 || 1e-6);
  let steps = 0;
  for (let attempts = 0; t < t1; attempts++) {
    options.budget?.check();
    if (attempts > 2 * maxSteps) throw tooStiff(t1 - t0, floor, t);
    if (t + h > t1) h = t1 - t;
    // The last piece before t1 may be short by construction; only a step the error control chose counts.
    else if (h < floor) throw tooStiff(t1 - t0, floor, t);
    const k: number[][] = [];
    for (let s = 0; s < 7; s++) {
      const ys = y.map((v, i) => v + h * A[s].reduce((acc, a, j) => acc + a * k[j][i], 0));
      k.push(f(t + C[s] * h, ys));
    }
    const y5 = y.map((v, i) => v + h * B5.reduce((acc, b, s) => acc + b * k[s][i], 0));
    const y4 = y.map((v, i) => v + h * B4.reduce((acc, b, s) => acc + b * k[s][i], 0));
    let err = 0;
    for (let i = 0; i < y.length; i++) {
      const scale = options.atol + options.rtol * Math.max(Math.abs(y[i]), Math.abs(y5[i]));
      err = Math.max(err, Math.abs(y5[i] - y4[i]) / scale);
    }
    if (!Number.isFinite(err))
      throw new TwinFlowError('unstable', `the simulation became unstable at t = ${t}`, { time: t });
    if (err <= 1) {
      t = t + h >= t1 - 1e-15 * Math.max(1, Math.abs(t1)) ? t1 : t + h;
      y = y5;
      steps++;
    }
    const factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * Math.pow(err, -1 / 5)));
    h = Math.min(h * factor, options.maxStep ?? Infinity);
  }
  checkFinite(y, t1);
  return { y, steps };
}

/**
 * Exact update of a first-order linear block dy/dt = (target - y) / tau over h, with the target held: the
 * exponential integrator for thermal and filter stages. Exact for any h, so a large step is never unstable.
 */
export function exponentialStep(y: number, target: number, tau: number, h: number): number {
  return target + (y - target) * Math.exp(-h / tau);
}

/**
 * Backward (implicit) Euler for a linear system dy/dt = M y + b over h: solves (I - h M) y1 = y0 + h b. A-stable,
 * so stiff linear parts (fast and slow time constants together) can take steps the explicit methods cannot.
 */
export function backwardEulerLinear(
  m: number[][],
  b: readonly number[],
  y0: readonly number[],
  h: number,
): number[] {
  const n = y0.length;
  const a = m.map((row, i) => row.map((v, j) => (i === j ? 1 : 0) - h * v));
  const rhs = y0.map((v, i) => v + h * b[i]);
  // Gaussian elimination with partial pivoting.
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (Math.abs(a[pivot][col]) < 1e-300)
      throw new TwinFlowError('unstable', 'the implicit step is singular', { time: 0 });
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [rhs[col], rhs[pivot]] = [rhs[pivot], rhs[col]];
    for (let r = col + 1; r < n; r++) {
      const factor = a[r][col] / a[col][col];
      for (let c = col; c < n; c++) a[r][c] -= factor * a[col][c];
      rhs[r] -= factor * rhs[col];
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = rhs[r];
    for (let c = r + 1; c < n; c++) s -= a[r][c] * y[c];
    y[r] = s / a[r][r];
  }
  return y;
}
