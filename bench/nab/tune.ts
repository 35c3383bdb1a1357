// Grid search for the auto detector's single parameter set on NAB (how its defaults were chosen; not a test).
// Usage: esbuild-bundle and run, see `npm run bench:nab:tune`. Prints the best few settings for the standard profile.
import { join } from 'node:path';
import { auto, type AutoParams } from '../../src/core/anomaly/auto';
import { NAB_PROFILES, normalizeScore, optimizeThreshold, type NabFile } from './score';
import { loadCorpus } from './corpus';

const corpus = loadCorpus(join(__dirname, '..', '..', '..', 'shared', 'data', 'nab'));
const windowCount = corpus.reduce((a, f) => a + f.windows.length, 0);

function evaluate(p: AutoParams): number {
  const files: NabFile[] = corpus.map((file) => {
    let state = auto.init(p);
    const scores = new Float64Array(file.values.length);
    for (let i = 0; i < file.values.length; i++) {
      const step = auto.update(state, file.values[i], file.timestamps[i], p, true);
      state = step.state;
      scores[i] = step.result.score;
    }
    return { name: file.file, scores, windows: file.windows };
  });
  const { raw } = optimizeThreshold(files, NAB_PROFILES.standard);
  return normalizeScore(raw, NAB_PROFILES.standard, windowCount);
}

const grid = JSON.parse(process.argv[2] ?? '{}') as Partial<{ [K in keyof AutoParams]: AutoParams[K][] }>;
let candidates: AutoParams[] = [{ ...auto.defaults }];
for (const [key, values] of Object.entries(grid) as [keyof AutoParams, unknown[]][]) {
  candidates = candidates.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
}
const results = candidates.map((p, i) => {
  const score = evaluate(p);
  process.stderr.write(`\r  ${i + 1}/${candidates.length}`);
  return { score, p };
});
process.stderr.write('\n');
results.sort((a, b) => b.score - a.score);
for (const r of results.slice(0, 8)) console.log(r.score.toFixed(2), JSON.stringify(r.p));
