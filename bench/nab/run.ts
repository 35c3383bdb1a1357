// `npm run bench:nab -- --out DIR [--detector auto]`: runs a TwinFlow detector over every file of the NAB v1.1 corpus
// (../shared/data/nab), strictly causal (the score of row i uses rows <= i only), no labels, no per-file parameters;
// writes NAB-format result CSVs (DIR/<detector>/<category>/<detector>_<file>.csv: timestamp,value,anomaly_score,label),
// scores them with the project's own NAB scorer (bench/nab/score.ts) for the three profiles, prints the scores and
// writes bench/results/nab.tmp/nab.json (untracked), or bench/results/nab.json with --save.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Detector } from '../../src/core/anomaly/detector';
import { DETECTORS, UNIVARIATE_NAMES } from '../../src/core/anomaly/registry';
import { NAB_PROFILES, normalizeScore, optimizeThreshold, type NabFile } from './score';
import { loadCorpus } from './corpus';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    detector: { type: 'string', default: 'auto' },
    data: { type: 'string', default: join(__dirname, '..', '..', '..', 'shared', 'data', 'nab') },
    quiet: { type: 'boolean', default: false },
    save: { type: 'boolean', default: false },
  },
});
const name = UNIVARIATE_NAMES.find((n) => n === args.detector);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any univariate detector
const detector = name === undefined ? undefined : (DETECTORS[name] as Detector<any, any>);
if (!detector) {
  console.error(`unknown or multivariate detector ${args.detector}; one of ${UNIVARIATE_NAMES.join(', ')}`);
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
const resultsDir = join(__dirname, '..', '..', 'bench', 'results', ...(args.save ? [] : ['nab.tmp']));
mkdirSync(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, `nab${detector.name === 'auto' ? '' : `-${detector.name}`}.json`);
console.log(`  results in ${resultsFile}`);
writeFileSync(
  resultsFile,
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
