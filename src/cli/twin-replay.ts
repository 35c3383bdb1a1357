import { closeSync, createReadStream, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  createEngine,
  engineCommand,
  engineInit,
  engineUpdate,
  type SignalInput,
} from '../core/anomaly/engine';
import { alarmDefaultsFor, DETECTOR_NAMES } from '../core/anomaly/registry';
import { parseCsvLine, parseTimestamp } from '../core/csv/line';
import { DEFAULTS, parse, type TwinAnomalySettings } from '../core/nodes/twin-anomaly';

/**
 * twinflow-replay: runs a TwinFlow anomaly detector over a historian CSV export, row by row in constant memory, and
 * writes timestamp, score, alarm (and each signal's score) per row. The same spec and engine as the twin-anomaly
 * node, so what you tune here is what you deploy.
 */
const HELP = `Usage: twinflow-replay [options] [input.csv]

Reads a CSV with a timestamp column and numeric columns (from a file or stdin) and writes, per row:
timestamp,score,alarm,<signal>_score...   (and <signal>_alarm... with --signal-alarms)

Options:
  -o, --output FILE        write here (through a temporary file, renamed when complete) instead of stdout
  -d, --delimiter CHAR     column delimiter (default ","; "\\t" for tabs, ";" for European exports)
  -t, --timestamp NAME     timestamp column (default: the first column); ISO 8601, "YYYY-MM-DD hh:mm:ss" (UTC),
                           or epoch seconds/milliseconds
  -c, --columns A,B        columns to watch (default: every numeric column but the timestamp and label-like ones
                           such as anomaly, label, changepoint, fault)
      --exclude A,B        columns not to watch
      --detector NAME      ${DETECTOR_NAMES.join(', ')} (default ${DEFAULTS.detector})
      --params JSON        detector parameter overrides, e.g. '{"window":200}'
      --mode MODE          online (default: learns all along, down-weighted while in alarm, so a lasting new
                           level becomes normal within --adapt-after rows)
                           or train-then-monitor (learns on the first rows, then watches with the model frozen)
      --train N            train-then-monitor: train on the first N rows (default ${DEFAULTS.train})
      --train-until TIME   train-then-monitor: train on the rows before this timestamp
      --adapt-after N      online: rows over which a signal in alarm ramps up to learning at full weight; still
                           in alarm then, it relearns (default ${DEFAULTS.adaptAfter})
      --threshold X        alarm threshold on the score, 0 to 1 (default: the detector's,
                           ${alarmDefaultsFor('zscore').threshold}; ${alarmDefaultsFor('auto').threshold} for auto, a tail probability of 1e-6)
      --raise K/N          raise when K of the last N scores reach it, 1 <= K <= N (default: the detector's,
                           ${alarmDefaultsFor('zscore').raiseK}/${alarmDefaultsFor('zscore').raiseN}; ${alarmDefaultsFor('auto').raiseK}/${alarmDefaultsFor('auto').raiseN} for auto, which reports each event once)
      --clear M            clear after M normal scores (default ${DEFAULTS.clearM})
      --signal-alarms      an alarm per signal as well, in <signal>_alarm columns
  -q, --quiet              no progress or notes on stderr
  -h, --help

An empty or non-numeric cell is a missing value: skipped, counted, and reported on stderr.
Exit status: 0 done (also when the reader of the output goes away), 2 bad options or input.`;

const LABEL_LIKE =
  /^(anomaly|anomalies|is_?anomaly|label|labels?|changepoint|change_?point|fault|target|class|y)$/i;
const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'];

function fail(message: string): never {
  process.stderr.write(`twinflow-replay: ${message}\n`);
  process.exit(2);
}

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);

function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1)
    fail(`${name} must be a whole number >= 1`);
  return n;
}

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        delimiter: { type: 'string', short: 'd', default: ',' },
        timestamp: { type: 'string', short: 't' },
        columns: { type: 'string', short: 'c' },
        exclude: { type: 'string' },
        detector: { type: 'string', default: DEFAULTS.detector },
        params: { type: 'string', default: '{}' },
        mode: { type: 'string', default: DEFAULTS.mode },
        train: { type: 'string' },
        'train-until': { type: 'string' },
        'adapt-after': { type: 'string', default: DEFAULTS.adaptAfter },
        threshold: { type: 'string' },
        raise: { type: 'string' },
        clear: { type: 'string' },
        'signal-alarms': { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  if (positionals.length > 1) fail('one input file at most');
  const delimiter = values.delimiter === '\\t' ? '\t' : values.delimiter;
  if (delimiter.length !== 1) fail('--delimiter must be one character');
  const trainMode = values.mode === 'train-then-monitor';
  if ((values.train !== undefined || values['train-until'] !== undefined) && !trainMode)
    fail('--train and --train-until need --mode train-then-monitor');
  if (values.train !== undefined && values['train-until'] !== undefined)
    fail('give --train or --train-until, not both');
  const trainUntil = values['train-until'];
  const until = trainUntil === undefined ? undefined : parseTimestamp(trainUntil);
  if (trainUntil !== undefined && until === undefined)
    fail(`--train-until: cannot read the time "${trainUntil}"`);
  const settings: Partial<TwinAnomalySettings> = {
    detector: values.detector,
    params: values.params,
    mode: values.mode as TwinAnomalySettings['mode'],
    train: String(values.train === undefined ? DEFAULTS.train : positiveInteger('--train', values.train)),
    trainUnit: until === undefined ? 'samples' : 'command',
    adaptAfter: String(positiveInteger('--adapt-after', values['adapt-after'])),
    adaptUnit: 'samples',
    signalAlarms: values['signal-alarms'],
  };
  if (values.threshold !== undefined) settings.threshold = values.threshold;
  if (values.raise !== undefined) {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(values.raise);
    const [k, n] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
    if (!(k >= 1 && n >= 1 && k <= n)) fail(`--raise must be K/N with 1 <= K <= N, got "${values.raise}"`);
    settings.raiseK = String(k);
    settings.raiseN = String(n);
  }
  if (values.clear !== undefined) settings.clearM = String(positiveInteger('--clear', values.clear));
  const spec = parse(settings);
  if ('errors' in spec) fail(spec.errors.join('; '));
  return { values, input: positionals[0], delimiter, until, spec: spec.config };
}

/** Which delimiter the header most likely uses, for the message when the given one yields a single column. */
function likelyDelimiter(header: string, given: string): string | undefined {
  const counts = CANDIDATE_DELIMITERS.filter((d) => d !== given).map(
    (d) => [d, header.split(d).length - 1] as const,
  );
  const best = counts.sort((a, b) => b[1] - a[1])[0];
  return best && best[1] > 0 ? best[0] : undefined;
}

async function main(): Promise<void> {
  const { values, input, delimiter, until, spec } = parseOptions();
  const quiet = values.quiet;
  const note = (text: string) => {
    if (!quiet) process.stderr.write(`twinflow-replay: ${text}\n`);
  };
  // The reader of our output went away (`| head`): that is the end of the job, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    fail(err.message);
  });
  const temporary = values.output ? `${values.output}.${process.pid}.tmp` : undefined;
  let fd: number | undefined;
  const cleanup = () => {
    if (fd !== undefined) closeSync(fd);
    if (temporary) rmSync(temporary, { force: true });
  };
  process.on('exit', (code) => {
    if (code !== 0) cleanup();
  });
  let buffered = '';
  const write = async (text: string): Promise<void> => {
    buffered += text;
    if (buffered.length < 65536) return;
    await flush();
  };
  const flush = async (): Promise<void> => {
    const chunk = buffered;
    buffered = '';
    if (fd !== undefined) writeSync(fd, chunk);
    else if (!process.stdout.write(chunk))
      await new Promise<void>((r) => process.stdout.once('drain', () => r()));
  };

  const stream = input ? createReadStream(input) : process.stdin;
  stream.on('error', (err: Error) => fail(err.message));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const engine = createEngine(spec.engine);
  const state = engineInit(engine);
  let header: string[] | undefined;
  let headerLine = '';
  let timeColumn = 0;
  const watched: { name: string; index: number }[] = [];
  let rows = 0;
  let raised = 0;
  let missing = 0;
  let training = until !== undefined;
  const started = Date.now();

  const choose = (names: string[], first: string[]) => {
    if (names.length < 2) {
      const better = likelyDelimiter(headerLine, delimiter);
      fail(
        `the header has one column with delimiter "${delimiter === '\t' ? '\\t' : delimiter}"${better ? `; try -d "${better === '\t' ? '\\t' : better}"` : ''}`,
      );
    }
    timeColumn = values.timestamp ? names.indexOf(values.timestamp) : 0;
    if (timeColumn < 0) fail(`no column named ${values.timestamp}; columns: ${names.join(', ')}`);
    const excluded = new Set(list(values.exclude));
    for (const name of [...excluded, ...list(values.columns)])
      if (!names.includes(name)) fail(`no column named ${name}; columns: ${names.join(', ')}`);
    const explicit = list(values.columns);
    const left: string[] = [];
    const candidates = explicit.length > 0 ? explicit : names.filter((_, i) => i !== timeColumn);
    for (const name of candidates) {
      const index = names.indexOf(name);
      if (excluded.has(name)) continue;
      const cell = (first[index] ?? '').trim();
      if (explicit.length === 0 && (LABEL_LIKE.test(name) || cell === '' || !Number.isFinite(Number(cell)))) {
        left.push(name);
        continue;
      }
      watched.push({ name, index });
    }
    if (watched.length === 0) fail('no numeric column to watch');
    if (left.length > 0) note(`left out (not numeric, or label-like): ${left.join(', ')}`);
    note(`watching ${watched.length} column(s): ${watched.map((c) => c.name).join(', ')}`);
    engine.config.signals = watched.map((c) => c.name);
    if (temporary) fd = openSync(temporary, 'w');
    const alarmColumns = spec.engine.signalAlarms ? watched.map((c) => `,${c.name}_alarm`).join('') : '';
    return write(`timestamp,score,alarm,${watched.map((c) => `${c.name}_score`).join(',')}${alarmColumns}\n`);
  };

  for await (const line of lines) {
    if (line.trim() === '') continue;
    const cells = parseCsvLine(line, delimiter);
    if (!header) {
      header = cells.map((c) => c.trim());
      headerLine = line;
      continue;
    }
    if (watched.length === 0) await choose(header, cells);
    rows++;
    const timestamp = parseTimestamp(cells[timeColumn] ?? '');
    if (timestamp === undefined) fail(`row ${rows}: cannot read the timestamp "${cells[timeColumn]}"`);
    if (training && until !== undefined && timestamp >= until) {
      engineCommand(state, 'train-end', engine, timestamp);
      training = false;
    }
    const inputs = Object.create(null) as Record<string, SignalInput>;
    for (const { name, index } of watched) {
      const text = (cells[index] ?? '').trim();
      const value = text === '' ? NaN : Number(text);
      const usable = Number.isFinite(value) && Math.abs(value) <= spec.engine.limits.magnitude;
      if (!usable) missing++;
      inputs[name] = { value, timestamp, skip: !usable };
    }
    const { result } = engineUpdate(state, inputs, engine, timestamp, true);
    if (result.event === 'raise') raised++;
    let out = `${cells[timeColumn]},${result.score.toFixed(6)},${result.alarm ? 1 : 0}`;
    for (const c of watched) out += `,${(result.signals[c.name]?.score ?? 0).toFixed(6)}`;
    if (spec.engine.signalAlarms) for (const c of watched) out += `,${result.signals[c.name]?.alarm ? 1 : 0}`;
    await write(`${out}\n`);
    if (!quiet && rows % 100_000 === 0) {
      const rate = Math.round(rows / ((Date.now() - started) / 1000 + 1e-9));
      process.stderr.write(`\r${rows.toLocaleString()} rows, ${rate.toLocaleString()} rows/s`);
    }
  }
  if (!header) fail('the input is empty');
  if (watched.length === 0) fail('the input has a header and no rows');
  await flush();
  if (fd !== undefined && temporary && values.output) {
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, values.output);
  }
  if (missing > 0) note(`${missing.toLocaleString()} missing or non-numeric cell(s) skipped`);
  if (!quiet) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\r${rows.toLocaleString()} rows in ${seconds} s, ${raised} alarm(s) raised\n`);
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
