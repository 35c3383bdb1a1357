import { TwinFlowError } from '../errors';
import { parseCsvLine } from '../csv/line';

/**
 * Run-to-failure (or run-so-far) data: one series of cycles per unit, each cycle a vector of named signals.
 * Plain arrays so the CLI, the benchmark and the tests share one shape.
 */
export interface UnitSeries {
  unit: string;
  cycles: number[];
  /** rows[i][j]: signal j at cycles[i]. */
  rows: number[][];
}

export interface Dataset {
  signals: string[];
  units: UnitSeries[];
}

/** C-MAPSS column names: unit, cycle, three operational settings, sensors s_1 .. s_21 (NASA's readme order). */
export const CMAPSS_COLUMNS = [
  'unit',
  'cycle',
  'setting_1',
  'setting_2',
  'setting_3',
  ...Array.from({ length: 21 }, (_, i) => `s_${i + 1}`),
];

/** Accumulates rows into units in order of first appearance; rows of one unit must come in ascending cycle order. */
export class DatasetBuilder {
  private readonly byUnit = new Map<string, UnitSeries>();
  constructor(readonly signals: string[]) {}

  add(unit: string, cycle: number, row: number[], line: number): void {
    if (!Number.isFinite(cycle))
      throw new TwinFlowError('badCycle', `line ${line}: the cycle is not a number`, { line });
    let series = this.byUnit.get(unit);
    if (!series) {
      series = { unit, cycles: [], rows: [] };
      this.byUnit.set(unit, series);
    }
    const previous = series.cycles[series.cycles.length - 1];
    if (previous !== undefined && cycle <= previous) {
      throw new TwinFlowError(
        'cycleOrder',
        `line ${line}: unit ${unit} cycle ${cycle} does not follow cycle ${previous}`,
        {
          line,
        },
      );
    }
    series.cycles.push(cycle);
    series.rows.push(row);
  }

  build(): Dataset {
    return { signals: this.signals, units: [...this.byUnit.values()] };
  }
}

/**
 * Parses one line of the C-MAPSS text format (26 numbers separated by spaces); undefined for a blank line.
 * Returns the unit, the cycle and the 24 settings and sensors.
 */
export function parseCmapssLine(
  text: string,
  line: number,
): { unit: string; cycle: number; row: number[] } | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const fields = trimmed.split(/\s+/);
  if (fields.length !== CMAPSS_COLUMNS.length) {
    throw new TwinFlowError(
      'badLine',
      `line ${line}: expected ${CMAPSS_COLUMNS.length} numbers (C-MAPSS format), found ${fields.length}`,
      { line },
    );
  }
  const values = fields.map(Number);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new TwinFlowError('badLine', `line ${line}: column ${CMAPSS_COLUMNS[bad]} is not a number`, {
      line,
    });
  }
  return { unit: String(values[0]), cycle: values[1], row: values.slice(2) };
}

/** Parses a whole C-MAPSS text (training or test file) into a data set. */
export function parseCmapss(text: string): Dataset {
  const builder = new DatasetBuilder(CMAPSS_COLUMNS.slice(2));
  text.split('\n').forEach((raw, i) => {
    const parsed = parseCmapssLine(raw, i + 1);
    if (parsed) builder.add(parsed.unit, parsed.cycle, parsed.row, i + 1);
  });
  return builder.build();
}

/** Which columns of a CSV with a header row hold the unit, the cycle and the signals. */
export interface CsvLayout {
  unit: string;
  cycle: string;
  /** Signal columns; empty: every other column. */
  signals: string[];
  delimiter: string;
}

/** Resolves the layout against a header row: the column index of the unit, the cycle and each signal. */
export function csvColumns(
  header: string[],
  layout: CsvLayout,
): { unit: number; cycle: number; signals: number[]; names: string[] } {
  const index = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new TwinFlowError('missingColumn', `the CSV header has no column ${name}`, { column: name });
    return i;
  };
  const unit = index(layout.unit);
  const cycle = index(layout.cycle);
  const names =
    layout.signals.length > 0 ? layout.signals : header.filter((_, i) => i !== unit && i !== cycle);
  return { unit, cycle, signals: names.map(index), names };
}

/**
 * Parses a CSV with a header row into a data set: rows grouped by the unit column, in cycle order per unit. An empty
 * or non-numeric signal cell is refused with its line number (a model needs every signal of every cycle).
 */
export function parseCsvDataset(text: string, layout: CsvLayout): Dataset {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new TwinFlowError('emptyInput', 'the input is empty', {});
  const header = parseCsvLine(lines[headerAt], layout.delimiter).map((c) => c.trim());
  const columns = csvColumns(header, layout);
  const builder = new DatasetBuilder(columns.names);
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = parseCsvLine(lines[i], layout.delimiter);
    const row = columns.signals.map((c, k) => {
      const value = Number((cells[c] ?? '').trim() || NaN);
      if (!Number.isFinite(value)) {
        throw new TwinFlowError('badLine', `line ${i + 1}: ${columns.names[k]} is not a number`, {
          line: i + 1,
        });
      }
      return value;
    });
    builder.add((cells[columns.unit] ?? '').trim(), Number(cells[columns.cycle]), row, i + 1);
  }
  return builder.build();
}
