import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parseCmapss, parseCsvDataset, type Dataset } from '../core/rul/dataset';
import { parseRulModel } from '../core/rul/model';
import { predictLastCycle, TRAIN_DEFAULTS, trainRulModel } from '../core/rul/train';

/**
 * twinflow-rul: trains a remaining-useful-life model from run-to-failure data and predicts the RUL at the last cycle
 * of each unit of another file. The model file is what twin-forecast loads in RUL mode: the same code runs here and
 * in a flow.
 */
const HELP = `Usage:
  twinflow-rul train   [options] DATA -o model.json
  twinflow-rul predict [options] --model model.json DATA

train    fits the model to run-to-failure units (each unit's last cycle is its failure).
predict  prints unit,rul for the last cycle of each unit in DATA (CSV on stdout).

DATA is a file (gzip-compressed is read too) or "-" for stdin.

Options:
      --format F        cmapss (NASA C-MAPSS text: unit, cycle, 3 settings, 21 sensors) or csv (default csv)
      --unit COL        csv: the unit (engine, machine) column (default unit)
      --cycle COL       csv: the cycle (time step) column (default cycle)
  -c, --columns A,B     csv: signal columns (train default: every other column; predict: the model's signals)
  -d, --delimiter CHAR  csv: column delimiter (default ",")
  -o, --output FILE     train: where to write the model (required); predict: write here instead of stdout
  -m, --model FILE      predict: the model file
      --cap N           train: cap of the piecewise-linear RUL target (default ${TRAIN_DEFAULTS.cap})
      --window N        train: cycles in the feature window (default ${TRAIN_DEFAULTS.window})
      --trees N         train: boosted trees (default ${TRAIN_DEFAULTS.boost.trees})
      --seed N          train: seed of the row sampling and the calibration split (default ${TRAIN_DEFAULTS.seed})
      --interval        predict: add the interval columns lower,upper
      --no-header       predict: no header row
  -q, --quiet           no progress on stderr
  -h, --help
`;

function fail(message: string): never {
  process.stderr.write(`twinflow-rul: ${message}\n`);
  process.exit(2);
}

function readInput(path: string): string {
  const bytes = path === '-' ? readFileSync(0) : readFileSync(path);
  const gzip = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (gzip ? gunzipSync(bytes) : bytes).toString('utf8');
}

function positiveInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer`);
  return n;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'csv' },
      unit: { type: 'string', default: 'unit' },
      cycle: { type: 'string', default: 'cycle' },
      columns: { type: 'string', short: 'c' },
      delimiter: { type: 'string', short: 'd', default: ',' },
      output: { type: 'string', short: 'o' },
      model: { type: 'string', short: 'm' },
      cap: { type: 'string' },
      window: { type: 'string' },
      trees: { type: 'string' },
      seed: { type: 'string' },
      interval: { type: 'boolean', default: false },
      'no-header': { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, file] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return;
  }
  if (command !== 'train' && command !== 'predict') fail(`unknown command ${command} (train or predict)`);
  if (!file) fail('no data file given');
  if (values.format !== 'cmapss' && values.format !== 'csv') fail('--format must be cmapss or csv');
  const say = (text: string): void => {
    if (!values.quiet) process.stderr.write(text);
  };
  const started = Date.now();
  const delimiter = values.delimiter === '\\t' ? '\t' : (values.delimiter ?? ',');
  const model = command === 'predict' ? loadModel(values.model) : undefined;
  const columns = values.columns ? values.columns.split(',').map((c) => c.trim()) : (model?.signals ?? []);
  say(`reading ${file}\n`);
  const data: Dataset =
    values.format === 'cmapss'
      ? parseCmapss(readInput(file))
      : parseCsvDataset(readInput(file), {
          unit: values.unit ?? 'unit',
          cycle: values.cycle ?? 'cycle',
          signals: columns,
          delimiter,
        });
  const cycles = data.units.reduce((a, u) => a + u.rows.length, 0);
  say(`${data.units.length} units, ${cycles.toLocaleString('en')} cycles, ${data.signals.length} signals\n`);
  if (model) {
    const predictions = predictLastCycle(model, data);
    const lines = predictions.map((p) =>
      [p.unit, p.rul.toFixed(2), ...(values.interval ? [p.lower.toFixed(2), p.upper.toFixed(2)] : [])].join(
        ',',
      ),
    );
    const header = values['no-header'] ? [] : [values.interval ? 'unit,rul,lower,upper' : 'unit,rul'];
    const text = [...header, ...lines].join('\n') + '\n';
    if (values.output) writeFileSync(values.output, text);
    else process.stdout.write(text);
    return;
  }
  if (!values.output) fail('train needs -o model.json');
  let lastShown = 0;
  const trained = trainRulModel(
    data,
    {
      cap: positiveInteger(values.cap, 'cap', TRAIN_DEFAULTS.cap),
      window: positiveInteger(values.window, 'window', TRAIN_DEFAULTS.window),
      seed: positiveInteger(values.seed, 'seed', TRAIN_DEFAULTS.seed),
      boost: {
        ...TRAIN_DEFAULTS.boost,
        trees: positiveInteger(values.trees, 'trees', TRAIN_DEFAULTS.boost.trees),
      },
    },
    (stage, done, total) => {
      const now = Date.now();
      if (done === total || now - lastShown > 500) {
        lastShown = now;
        say(`\r${stage}: ${done}/${total}${done === total ? '\n' : ''}`);
      }
    },
  );
  writeFileSync(values.output, JSON.stringify(trained));
  say(
    `signals ${trained.signals.join(' ')}; model written to ${values.output} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

function loadModel(path: string | undefined) {
  if (!path) fail('predict needs --model model.json');
  let json: unknown;
  try {
    json = JSON.parse(readInput(path));
  } catch (err) {
    fail(`cannot read the model ${path}: ${(err as Error).message}`);
  }
  return parseRulModel(json);
}

try {
  main();
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
