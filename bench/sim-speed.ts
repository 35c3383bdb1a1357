// Simulation speed in the core, not a test. `npm run bench:sim`.
//  - RK4 steps per second for a 4-state linear model (target: at least 1 million).
//  - Real-time factor of the pump model at a 10 ms step (target: at least 10,000x).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rk4Step } from '../src/core/sim/integrators';
import { createSimulation, doStep } from '../src/core/sim/kernel';
import { pump } from '../src/core/sim/models';

// A 4-state chain of first-order lags driven by a sine: cheap derivatives, so the integrator dominates.
const f = (t: number, y: readonly number[]) => [
  Math.sin(t) - y[0],
  y[0] - 2 * y[1],
  y[1] - 3 * y[2],
  y[2] - 4 * y[3],
];
const STEPS = 2_000_000;
let y = [0, 0, 0, 0];
let start = process.hrtime.bigint();
for (let i = 0; i < STEPS; i++) y = rk4Step(f, i * 1e-3, y, 1e-3);
const rk4PerSecond = STEPS / (Number(process.hrtime.bigint() - start) / 1e9);
console.log(`  RK4, 4 states: ${(rk4PerSecond / 1e6).toFixed(2)} M steps/s (checksum ${y[3].toFixed(6)})`);

// The pump through the kernel: one communication step of 10 ms per call, as twin-sim runs it. A warm-up round lets
// the JIT settle first; the median of five rounds is reported (single rounds on a shared machine vary by 2x).
const simulatedSeconds = 2000;
const rounds: number[] = [];
let sim = createSimulation(pump, { step: 0.01, seed: 1 });
for (let round = 0; round < 6; round++) {
  start = process.hrtime.bigint();
  for (let i = 0; i < simulatedSeconds / 0.01; i++) sim = doStep(pump, sim).simulation;
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (round > 0) rounds.push(simulatedSeconds / wall);
}
rounds.sort((a, b) => a - b);
const realTimeFactor = rounds[Math.floor(rounds.length / 2)];
console.log(
  `  pump model at a 10 ms step: ${Math.round(realTimeFactor).toLocaleString()}x real time (median of ${rounds.length} rounds of ${simulatedSeconds} s simulated; range ${Math.round(rounds[0]).toLocaleString()}x to ${Math.round(rounds[rounds.length - 1]).toLocaleString()}x)`,
);

writeFileSync(
  join(__dirname, '..', '..', 'bench', 'results', 'sim-speed.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      rk4StepsPerSecond: Math.round(rk4PerSecond),
      pumpRealTimeFactor: Math.round(realTimeFactor),
    },
    null,
    2,
  ) + '\n',
);
