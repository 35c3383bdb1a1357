// `npm run bench:nab -- --out DIR [--detector auto]`: runs a TwinFlow detector over every file of the NAB v1.1 corpus
// (../shared/data/nab), strictly causal (the score of row i uses rows <= i only), no labels, no per-file parameters;
// writes NAB-format result CSVs (DIR/<detector>/<category>/<detector>_<file>.csv: timestamp,value,anomaly_score,label),
// scores them with the project's own NAB scorer (src/core/nab/score.ts) for the three profiles, prints the scores and
// writes bench/results/nab.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DETECTORS, type AnyDetector } from '../../src/core/anomaly/registry';
import { NAB_PROFILES, normalizeScore, optimizeThreshold, type NabFile } from '../../src/core/nab/score';
import { loadCorpus } from './corpus';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    detector: { type: 'string', default: 'auto' },
    data: { type: 'string', default: join(__dirname, '..', '..', '..', 'shared', 'data', 'nab') },
    quiet: { type: 'boolean', default: false },
  },
});
const detector = DETECTORS[args.detector as keyof typeof DETECTORS] as AnyDetector | undefined;
if (!detector) {
  console.error(`unknown detector ${args.detector}; one of ${Object.keys(DETECTORS).join(', ')}`);
  process.exit(2);
}
const corpus = loadCorpus(args.data!);
const started = process.hrtime.bigint();
let points = 0;
const files: NabFile[] = corpus.map((file, index) => {
  let state = detector.init(detector.defaults);
  const scores = new Float64Array(file.values.length);
  for (let i = 0; i < file.values.length; i++) {
    const step = detector.update(state, file.values[i], file.timestamps[i], detector.defaults, true);
    state = step.state;
    scores[i] = step.result.score;
  }
  points += file.values.length;
  if (!args.quiet)
    process.stderr.write(
      `\r  ${index + 1}/${corpus.length} files  ${file.category}/${file.file}`.padEnd(100),
    );
  if (args.out) {
    const dir = join(args.out, detector.name, file.category);
    mkdirSync(dir, { recursive: true });
    const inWindow = (i: number) => file.windows.some(([a, b]) => i >= a && i <= b);
    const rows = file.values.map(
      (v, i) => `${file.timestampText[i]},${v},${scores[i]},${inWindow(i) ? 1 : 0}`,
    );
    writeFileSync(
      join(dir, `${detector.name}_${file.file}`),
      `timestamp,value,anomaly_score,label\n${rows.join('\n')}\n`,
    );
  }
  return { name: `${file.category}/${file.file}`, scores, windows: file.windows };
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (!args.quiet) process.stderr.write('\n');
const windowCount = files.reduce((a, f) => a + f.windows.length, 0);
const results: Record<string, { threshold: number; raw: number; score: number }> = {};
for (const [name, profile] of Object.entries(NAB_PROFILES)) {
  const { threshold, raw } = optimizeThreshold(files, profile);
  results[name] = { threshold, raw, score: normalizeScore(raw, profile, windowCount) };
}
console.log(
  `NAB v1.1, detector "${detector.name}": ${files.length} files, ${points.toLocaleString()} points, ${windowCount} windows, ${seconds.toFixed(1)} s`,
);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(20)} ${r.score.toFixed(2).padStart(6)}   (threshold ${r.threshold.toPrecision(6)}, raw ${r.raw.toFixed(3)})`,
  );
}
if (args.out) console.log(`  result CSVs in ${join(args.out, detector.name)}`);
writeFileSync(
  join(
    __dirname,
    '..',
    '..',
    'bench',
    'results',
    `nab${detector.name === 'auto' ? '' : `-${detector.name}`}.json`,
  ),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      detector: detector.name,
      params: detector.defaults,
      files: files.length,
      points,
      windows: windowCount,
      seconds,
      results,
    },
    null,
    2,
  ) + '\n',
);
