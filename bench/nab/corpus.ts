import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One NAB data file: timestamps (ms) and values in file order, and its windows as row ranges. */
export interface CorpusFile {
  category: string;
  file: string;
  timestamps: number[];
  timestampText: string[];
  values: number[];
  windows: [number, number][];
}

const toMs = (text: string): number => Date.parse(`${text.trim().replace(' ', 'T')}Z`);

/** Reads the NAB corpus (data/ and labels/combined_windows.json) from ../shared/data/nab. */
export function loadCorpus(root: string): CorpusFile[] {
  const windows = JSON.parse(readFileSync(join(root, 'labels', 'combined_windows.json'), 'utf8')) as Record<
    string,
    [string, string][]
  >;
  const files: CorpusFile[] = [];
  for (const category of readdirSync(join(root, 'data')).sort()) {
    for (const file of readdirSync(join(root, 'data', category)).sort()) {
      if (!file.endsWith('.csv')) continue;
      const lines = readFileSync(join(root, 'data', category, file), 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      const timestampText = lines.map((l) => l.slice(0, l.indexOf(',')));
      const timestamps = timestampText.map(toMs);
      const values = lines.map((l) => Number(l.slice(l.indexOf(',') + 1)));
      const rows = (windows[`${category}/${file}`] ?? []).map(([start, end]): [number, number] => {
        const first = timestamps.indexOf(toMs(start));
        const last = timestamps.indexOf(toMs(end));
        if (first < 0 || last < 0)
          throw new Error(`window ${start}..${end} not found in ${category}/${file}`);
        return [first, last];
      });
      files.push({ category, file, timestamps, timestampText, values, windows: rows });
    }
  }
  return files;
}
