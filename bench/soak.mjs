// `npm run bench:soak -- --minutes 10`: the demo (virtual plant, OPC UA, twins, detectors, shadow model, UNS bridge,
// dashboard flows) in an embedded Node-RED runtime with the file context store, the plant at 10x real time, for a
// bounded time. Samples RSS, heap and event-loop lag every 10 s (printed as it goes) and reports the RSS growth after a
// warm-up (target: under 5 %). Writes bench/results/soak.json and an SVG chart, bench/results/soak.svg.
// A benchmark, not a test: nothing asserts a figure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startLoopbackBroker } from '../scripts/broker.mjs';
import { demoFlows } from '../scripts/demo.mjs';
import { repoRoot, startNodeRed } from '../scripts/runtime.mjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    speed: { type: 'string', default: '10' },
    'warmup-minutes': { type: 'string', default: '2' },
  },
});
const MINUTES = Number(args.minutes);
const SPEED = Number(args.speed);
const WARMUP = Math.min(Number(args['warmup-minutes']), MINUTES / 2);
const SAMPLE_MS = 10_000;

// The demo publishes to 127.0.0.1:1883: a broker of our own there, or whatever already listens.
const broker = await startLoopbackBroker(1883);

const userDir = mkdtempSync(join(os.tmpdir(), 'twinflow-soak-'));
const runtime = await startNodeRed({
  userDir,
  editor: true,
  settings: {
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    contextStorage: { default: { module: 'localfilesystem', config: { flushInterval: 5 } } },
  },
});
await runtime.RED.runtime.flows.setFlows({
  flows: { flows: demoFlows({ speed: SPEED }) },
  deploymentType: 'full',
});
console.log(
  `soak: the demo at ${SPEED}x real time for ${MINUTES} min (warm-up ${WARMUP} min), a sample every 10 s`,
);

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const samples = [];
const started = Date.now();
while (Date.now() - started < MINUTES * 60_000) {
  await new Promise((r) => setTimeout(r, SAMPLE_MS));
  const m = process.memoryUsage();
  const sample = {
    minute: (Date.now() - started) / 60_000,
    rssMb: m.rss / 2 ** 20,
    heapMb: m.heapUsed / 2 ** 20,
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
  };
  lag.reset();
  samples.push(sample);
  console.log(
    `  ${sample.minute.toFixed(1).padStart(5)} min  RSS ${sample.rssMb.toFixed(0)} MB  heap ${sample.heapMb.toFixed(0)} MB  ` +
      `event-loop lag p99 ${sample.lagP99Ms.toFixed(1)} ms, max ${sample.lagMaxMs.toFixed(1)} ms`,
  );
}
lag.disable();

// Growth after warm-up: the mean of the first and of the last minute of the measured part, so one GC does not decide.
const measured = samples.filter((s) => s.minute > WARMUP);
const window = Math.max(1, Math.min(Math.round(60_000 / SAMPLE_MS), Math.floor(measured.length / 2)));
const mean = (xs) => xs.reduce((a, s) => a + s.rssMb, 0) / xs.length;
const first = mean(measured.slice(0, window));
const last = mean(measured.slice(-window));
const growth = (last - first) / first;
const lagP99 = Math.max(...measured.map((s) => s.lagP99Ms));
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cores: os.cpus().length,
  minutes: MINUTES,
  speed: SPEED,
  warmupMinutes: WARMUP,
  rssAfterWarmupMb: first,
  rssAtEndMb: last,
  rssGrowth: growth,
  worstLagP99Ms: lagP99,
  samples,
};
console.log(
  `\nRSS after warm-up ${first.toFixed(1)} MB, at the end ${last.toFixed(1)} MB: growth ${(growth * 100).toFixed(1)} % ` +
    `(target under 5 %); worst event-loop lag p99 ${lagP99.toFixed(1)} ms`,
);
writeFileSync(join(repoRoot, 'bench', 'results', 'soak.json'), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(repoRoot, 'bench', 'results', 'soak.svg'), chart(samples, WARMUP));

await runtime.stop();
await broker?.stop();
rmSync(userDir, { recursive: true, force: true });
process.exit(0);

/** RSS and heap over time, with the warm-up shaded: a chart to look at rather than a column of numbers. */
function chart(points, warmup) {
  const W = 640;
  const H = 280;
  const pad = 44;
  const maxX = Math.max(...points.map((p) => p.minute), 1);
  const maxY = Math.max(...points.map((p) => p.rssMb)) * 1.1;
  const x = (m) => pad + (m / maxX) * (W - 2 * pad);
  const y = (v) => H - pad + -(v / maxY) * (H - 2 * pad);
  const line = (key) => points.map((p) => `${x(p.minute).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * maxY);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
  <rect width="${W}" height="${H}" fill="#fff"/>
  <rect x="${pad}" y="${pad}" width="${x(warmup) - pad}" height="${H - 2 * pad}" fill="#f0f0f0"/>
  <text x="${pad + 4}" y="${pad + 14}" fill="#888">warm-up</text>
  ${ticks.map((t) => `<line x1="${pad}" x2="${W - pad}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="4" y="${y(t) + 4}" fill="#666">${t.toFixed(0)} MB</text>`).join('\n  ')}
  <polyline points="${line('rssMb')}" fill="none" stroke="#0d74ce" stroke-width="2"/>
  <polyline points="${line('heapMb')}" fill="none" stroke="#2e7d32" stroke-width="1.5" stroke-dasharray="4 3"/>
  <text x="${W - pad}" y="${H - 12}" text-anchor="end" fill="#666">minutes (plant at ${SPEED}x)</text>
  <text x="${pad}" y="20" fill="#0d74ce">RSS</text><text x="${pad + 40}" y="20" fill="#2e7d32">heap used</text>
</svg>
`;
}
