import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'nodes', 'cli', 'twin-replay.js');

function replay(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('twinflow-replay CLI (built)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'twinflow-replay-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A historian export: a timestamp, a temperature with one spike at row 150, a pressure with a gap. */
  function historian(delimiter: string): string {
    const rows = ['Time;Temperature;Pressure;Comment'.replaceAll(';', delimiter)];
    for (let i = 0; i < 200; i++) {
      const t = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      const temperature = i === 150 ? 95 : 60 + Math.sin(i * 1.3) * 0.5;
      const pressure = i === 100 ? '' : (4 + Math.cos(i * 0.7) * 0.1).toFixed(3);
      rows.push([t, temperature.toFixed(3), pressure, i === 100 ? 'Bad' : 'ok'].join(delimiter));
    }
    return rows.join('\n') + '\n';
  }

  it('writes one scored row per input row and scores the spike near 1', () => {
    const input = join(dir, 'export.csv');
    const output = join(dir, 'scores.csv');
    writeFileSync(input, historian(';'));
    const run = replay([
      input,
      '-o',
      output,
      '-d',
      ';',
      '-t',
      'Time',
      '-c',
      'Temperature,Pressure',
      '--detector',
      'zscore',
      '--threshold',
      '0.999',
      '--raise',
      '1/1',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /200 rows in .* 1 alarm\(s\) raised/);
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'timestamp,score,alarm,Temperature_score,Pressure_score');
    assert.equal(lines.length, 201);
    const row = (i: number) => lines[i + 1].split(',');
    assert.ok(Number(row(150)[1]) > 0.999, `spike scored ${row(150)[1]}`);
    assert.equal(row(150)[2], '1', 'alarm raised at the spike');
    assert.ok(Number(row(149)[1]) < 0.999);
    assert.equal(row(100)[4], '0.000000', 'the gap in Pressure is skipped, not scored');
  });

  it('reads stdin and writes stdout', () => {
    const run = replay(['-q', '-c', 'Temperature'], historian(','));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 201);
    assert.equal(run.stderr, '');
  });

  it('fails clearly on a missing column, a bad detector and an unreadable timestamp', () => {
    let run = replay(['-c', 'Flow'], historian(','));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no column named Flow; columns: Time, Temperature, Pressure, Comment/);
    run = replay(['--detector', 'magic'], historian(','));
    assert.match(run.stderr, /unknown detector magic/);
    run = replay(['-c', 'Temperature'], 'when,Temperature\nlater,5\n');
    assert.match(run.stderr, /row 1: cannot read the timestamp "later"/);
  });
});
