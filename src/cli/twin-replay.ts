import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ALARM_DEFAULTS } from '../core/anomaly/alarm';
import {
  detectorParams,
  engineInit,
  engineUpdate,
  type EngineConfig,
  type SignalInput,
} from '../core/anomaly/engine';
import { alarmDefaultsFor, DETECTOR_NAMES } from '../core/anomaly/registry';
import { parseCsvLine, parseTimestamp } from '../core/csv/line';

/**
 * twinflow-replay: runs a TwinFlow anomaly detector over a historian CSV export, row by row in constant memory, and
 * writes timestamp, score, alarm (and each signal's score) per row. The same engine as the twin-anomaly node, so
 * what you tune here is what you deploy.
 */
const HELP = `Usage: twinflow-replay [options] [input.csv]

Reads a CSV with a timestamp column and numeric columns (from a file or stdin) and writes, per row:
timestamp,score,alarm,<signal>_score...

Options:
  -o, --output FILE        write here instead of stdout
  -d, --delimiter CHAR     column delimiter (default ","; use "\\t" for tabs, ";" for European exports)
  -t, --timestamp NAME     timestamp column (default: the first column); ISO 8601, "YYYY-MM-DD hh:mm:ss" (UTC),
                           or epoch seconds/milliseconds
  -c, --columns A,B        numeric columns to watch (default: every other column)
      --detector NAME      ${[...DETECTOR_NAMES, 'hotelling'].join(', ')} (default auto)
      --params JSON        detector parameter overrides, e.g. '{"window":200}'
      --threshold X        alarm threshold on the score (default ${ALARM_DEFAULTS.threshold})
      --raise K/N          raise when K of the last N scores reach it (default ${ALARM_DEFAULTS.raiseK}/${ALARM_DEFAULTS.raiseN}; 1/1 for auto, which reports each event once)
      --clear M            clear after M normal scores (default ${ALARM_DEFAULTS.clearM})
  -q, --quiet              no progress on stderr
  -h, --help
`;

function fail(message: string): never {
  process.stderr.write(`twinflow-replay: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      delimiter: { type: 'string', short: 'd', default: ',' },
      timestamp: { type: 'string', short: 't' },
      columns: { type: 'string', short: 'c' },
      detector: { type: 'string', default: 'auto' },
      params: { type: 'string', default: '{}' },
      threshold: { type: 'string', default: String(ALARM_DEFAULTS.threshold) },
      raise: { type: 'string' },
      clear: { type: 'string', default: String(ALARM_DEFAULTS.clearM) },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const delimiter = values.delimiter === '\\t' ? '\t' : (values.delimiter ?? ',');
  if (delimiter.length !== 1) fail('--delimiter must be one character');
  const recommended = alarmDefaultsFor(values.detector ?? 'auto');
  const [raiseK, raiseN] = (values.raise ?? `${recommended.raiseK}/${recommended.raiseN}`)
    .split('/')
    .map(Number);
  let params: unknown;
  try {
    params = JSON.parse(values.params ?? '{}');
  } catch {
    fail('--params is not valid JSON');
  }
  const detector = values.detector as EngineConfig['detector'];
  if (detector !== 'hotelling' && !(DETECTOR_NAMES as string[]).includes(detector))
    fail(`unknown detector ${detector}`);
  const config: EngineConfig = {
    detector,
    params: params as Record<string, unknown>,
    signals: [],
    alarm: { threshold: Number(values.threshold), raiseK, raiseN, clearM: Number(values.clear) },
    learnInAlarm: false,
  };
  if (![config.alarm.threshold, raiseK, raiseN, config.alarm.clearM].every(Number.isFinite))
    fail('bad alarm options');
  let engineParams: Record<string, unknown>;
  try {
    engineParams = detectorParams(config);
  } catch (err) {
    fail((err as Error).message);
  }

  const input = positionals[0] ? createReadStream(positionals[0]) : process.stdin;
  input.on('error', (err: Error) => fail(err.message));
  const output = values.output ? createWriteStream(values.output) : process.stdout;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let header: string[] | undefined;
  let timeColumn = 0;
  let signalColumns: { name: string; index: number }[] = [];
  let state = engineInit(config);
  let rows = 0;
  let alarms = 0;
  const started = Date.now();
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const cells = parseCsvLine(line, delimiter);
    if (!header) {
      const names = cells.map((c) => c.trim());
      header = names;
      timeColumn = values.timestamp ? names.indexOf(values.timestamp) : 0;
      if (timeColumn < 0) fail(`no column named ${values.timestamp}; columns: ${names.join(', ')}`);
      const wanted = values.columns
        ? values.columns.split(',').map((c) => c.trim())
        : names.filter((_, i) => i !== timeColumn);
      signalColumns = wanted.map((name) => {
        const index = names.indexOf(name);
        if (index < 0) fail(`no column named ${name}; columns: ${names.join(', ')}`);
        return { name, index };
      });
      config.signals = signalColumns.map((c) => c.name);
      output.write(`timestamp,score,alarm,${signalColumns.map((c) => `${c.name}_score`).join(',')}\n`);
      continue;
    }
    rows++;
    const timestamp = parseTimestamp(cells[timeColumn] ?? '');
    if (timestamp === undefined) fail(`row ${rows}: cannot read the timestamp "${cells[timeColumn]}"`);
    const inputs: Record<string, SignalInput> = {};
    for (const { name, index } of signalColumns) {
      const text = (cells[index] ?? '').trim();
      const value = text === '' ? NaN : Number(text);
      // An empty or non-numeric cell (a historian gap, "Bad", "#N/A") is skipped, not learned.
      inputs[name] = { value, timestamp, skip: !Number.isFinite(value) };
    }
    const step = engineUpdate(state, inputs, config, engineParams, timestamp, true);
    state = step.state;
    if (step.result.event === 'raise') alarms++;
    const scores = signalColumns.map((c) => (step.result.signals[c.name]?.score ?? 0).toFixed(6));
    const ok = output.write(
      `${cells[timeColumn]},${step.result.score.toFixed(6)},${step.result.alarm ? 1 : 0},${scores.join(',')}\n`,
    );
    if (!ok) await new Promise<void>((resolve) => output.once('drain', () => resolve()));
    if (!values.quiet && rows % 100_000 === 0) {
      process.stderr.write(
        `\r${rows.toLocaleString()} rows, ${Math.round(rows / ((Date.now() - started) / 1000 + 1e-9)).toLocaleString()} rows/s`,
      );
    }
  }
  if (!header) fail('the input is empty');
  if (!values.quiet) {
    process.stderr.write(
      `\r${rows.toLocaleString()} rows in ${((Date.now() - started) / 1000).toFixed(1)} s, ${alarms} alarm(s) raised\n`,
    );
  }
  if (output !== process.stdout)
    await new Promise<void>((resolve) => (output as NodeJS.WritableStream).end(resolve));
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
