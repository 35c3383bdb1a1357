import type { Dataset } from '../../src/core/rul/dataset';
import { normal, rng, uniform } from '../../src/core/sim/rng';

/**
 * Synthetic run-to-failure fleet for tests: each unit lives 120-220 cycles; a hidden wear w = (cycle / life)^2 drives
 * two sensors up and one down with noise, one sensor is pure noise and one is constant.
 */
export function syntheticFleet(units: number, seed: number): Dataset {
  const random = rng(seed);
  const data: Dataset = { signals: ['temp', 'vib', 'press', 'noise', 'const'], units: [] };
  for (let u = 1; u <= units; u++) {
    const life = 120 + Math.floor(uniform(random) * 100);
    const cycles: number[] = [];
    const rows: number[][] = [];
    for (let c = 1; c <= life; c++) {
      const w = (c / life) ** 2;
      cycles.push(c);
      rows.push([
        600 + 20 * w + normal(random),
        1 + 3 * w + 0.2 * normal(random),
        50 - 8 * w + 0.5 * normal(random),
        normal(random),
        7,
      ]);
    }
    data.units.push({ unit: String(u), cycles, rows });
  }
  return data;
}

/** The same fleet as CSV text (unit, cycle, signals), with a header row. */
export function fleetCsv(data: Dataset, delimiter = ','): string {
  const lines = [['unit', 'cycle', ...data.signals].join(delimiter)];
  for (const u of data.units) {
    u.rows.forEach((row, i) =>
      lines.push([u.unit, u.cycles[i], ...row.map((v) => v.toFixed(4))].join(delimiter)),
    );
  }
  return lines.join('\n') + '\n';
}

/** The same fleet in the C-MAPSS text layout (21 sensors; ours in s_2 .. s_6, the rest constant). */
export function fleetCmapss(data: Dataset): string {
  const lines: string[] = [];
  for (const u of data.units) {
    u.rows.forEach((row, i) => {
      const sensors = Array.from({ length: 21 }, (_, j) => (j >= 1 && j <= 5 ? row[j - 1] : 100).toFixed(4));
      lines.push([u.unit, u.cycles[i], '0.0001', '0.0002', '100.0', ...sensors].join(' ') + '  ');
    });
  }
  return lines.join('\n') + '\n';
}
