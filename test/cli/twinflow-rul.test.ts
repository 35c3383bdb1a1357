import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rmse } from '../../src/core/rul/metrics';
import { fleetCmapss, fleetCsv, syntheticFleet } from '../helpers/degradation';

const CLI = join(__dirname, '..', '..', 'nodes', 'cli', 'twinflow-rul.js');

function rul(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Lines of `unit,rul` after the header. */
function parse(stdout: string): { unit: string; rul: number }[] {
  const [header, ...lines] = stdout.trim().split('\n');
  assert.equal(header, 'unit,rul');
  return lines.map((l) => {
    const [unit, value] = l.split(',');
    return { unit, rul: Number(value) };
  });
}

describe('twinflow-rul CLI (built)', function () {
  this.timeout(120_000);
  let dir: string;
  const train = syntheticFleet(30, 11);
  const test = syntheticFleet(12, 12);
  // Each test unit stops at 60% of its life; the truth is what was left.
  const truth = test.units.map((u) => u.rows.length - Math.round(u.rows.length * 0.6));
  const cut = {
    signals: test.signals,
    units: test.units.map((u) => {
      const keep = Math.round(u.rows.length * 0.6);
      return { unit: u.unit, cycles: u.cycles.slice(0, keep), rows: u.rows.slice(0, keep) };
    }),
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'twinflow-rul-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('trains on a C-MAPSS file (gzipped too) and predicts unit,rul at the last cycle of each unit', () => {
    writeFileSync(join(dir, 'train.txt.gz'), gzipSync(fleetCmapss(train)));
    writeFileSync(join(dir, 'test.txt'), fleetCmapss(cut));
    const trained = rul([
      'train',
      '--format',
      'cmapss',
      join(dir, 'train.txt.gz'),
      '-o',
      join(dir, 'model.json'),
      '--trees',
      '60',
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stderr, /30 units/);
    assert.match(trained.stderr, /trees: 60\/60/);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      format: string;
      signals: string[];
    };
    assert.equal(model.format, 'twinflow-rul');
    assert.deepEqual(model.signals, ['s_2', 's_3', 's_4']);
    const predicted = rul([
      'predict',
      '--model',
      join(dir, 'model.json'),
      '--format',
      'cmapss',
      join(dir, 'test.txt'),
    ]);
    assert.equal(predicted.code, 0, predicted.stderr);
    const rows = parse(predicted.stdout);
    assert.deepEqual(
      rows.map((r) => r.unit),
      test.units.map((u) => u.unit),
    );
    const error = rmse(
      rows.map((r) => r.rul),
      truth.map((t) => Math.min(t, 125)),
    );
    assert.ok(error < 15, `rmse ${error}`);
  });

  it('reads a generic CSV with named unit, cycle and signal columns, from a file or stdin', () => {
    writeFileSync(join(dir, 'fleet.csv'), fleetCsv(train, ';'));
    const trained = rul([
      'train',
      join(dir, 'fleet.csv'),
      '-d',
      ';',
      '--unit',
      'unit',
      '--cycle',
      'cycle',
      '-c',
      'temp,vib,press',
      '--trees',
      '40',
      '-q',
      '-o',
      join(dir, 'csv-model.json'),
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.equal(trained.stderr, '', 'quiet');
    const predicted = rul(
      ['predict', '-m', join(dir, 'csv-model.json'), '-q', '--interval', '-'],
      fleetCsv(cut),
    );
    assert.equal(predicted.code, 0, predicted.stderr);
    const [header, first] = predicted.stdout.trim().split('\n');
    assert.equal(header, 'unit,rul,lower,upper');
    const [, value, lower, upper] = first.split(',').map(Number);
    assert.ok(lower <= value && value <= upper);
  });

  it('fails with a clear message and exit code 2 on bad input', () => {
    writeFileSync(join(dir, 'bad.txt'), '1 1 2 3\n');
    const run = rul(['train', '--format', 'cmapss', join(dir, 'bad.txt'), '-o', join(dir, 'x.json')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /twinflow-rul: line 1: expected 26 numbers/);
    const noModel = rul(['predict', '--format', 'cmapss', join(dir, 'bad.txt')]);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /predict needs --model/);
    writeFileSync(join(dir, 'not-a-model.json'), '{"format":"other"}');
    const wrong = rul(['predict', '-m', join(dir, 'not-a-model.json'), join(dir, 'fleet.csv')]);
    assert.match(wrong.stderr, /not a usable RUL model/);
  });
});
