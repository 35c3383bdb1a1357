import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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

  /** Two correlated sensors and a label column; a level step of both at row 600, held to the end. */
  function pumpLike(rows: number): string {
    let seed = 3;
    const noise = () => ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 2;
    const lines = ['datetime;Current;Pressure;anomaly'];
    for (let i = 0; i < rows; i++) {
      const t = `2026-01-01 00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
      const load = noise();
      const step = i >= 600 ? 4 : 0;
      const pressure = i === 300 ? '' : (2 + load + 0.3 * noise() - step).toFixed(4);
      lines.push(
        [`${t}`, (5 + load + 0.3 * noise() + step).toFixed(4), pressure, i >= 600 ? 1 : 0].join(';'),
      );
    }
    return lines.join('\n') + '\n';
  }

  it('train-then-monitor with hotelling: trains on the first rows, flags the step, counts missing cells', () => {
    const run = replay(
      [
        '--detector',
        'hotelling',
        '--mode',
        'train-then-monitor',
        '--train',
        '400',
        '-d',
        ';',
        '-t',
        'datetime',
      ],
      pumpLike(1000),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /left out \(not numeric, or label-like\): anomaly/);
    assert.match(run.stderr, /watching 2 column\(s\): Current, Pressure/);
    assert.match(run.stderr, /1 missing or non-numeric cell\(s\) skipped/);
    const rows = run.stdout.trim().split('\n');
    assert.equal(rows[0], 'timestamp,score,alarm,Current_score,Pressure_score');
    const alarm = rows.slice(1).map((r) => r.split(',')[2] === '1');
    assert.ok(
      alarm.slice(0, 400).every((a) => !a),
      'no alarm while training',
    );
    assert.ok(alarm.slice(610).every(Boolean), 'raised from the step on, and it stays raised');
    assert.ok(alarm.slice(400, 600).filter(Boolean).length <= 5, 'quiet on normal rows');
  });

  it('--signal-alarms adds <signal>_alarm columns; --exclude leaves a column out; --train-until', () => {
    const run = replay(
      [
        '-d',
        ';',
        '--detector',
        'zscore',
        '--exclude',
        'Pressure',
        '--signal-alarms',
        '--mode',
        'train-then-monitor',
        '--train-until',
        '2026-01-01 00:05:00',
      ],
      pumpLike(700),
    );
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.trim().split('\n');
    assert.equal(rows[0], 'timestamp,score,alarm,Current_score,Current_alarm');
    assert.equal(rows.at(-1)!.split(',')[4], '1');
  });

  it('a closed pipe ends quietly with exit 0', () => {
    const run = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" -d ';' | head -1`], {
      input: pumpLike(5000),
      encoding: 'utf8',
    });
    assert.equal(run.status, 0);
    assert.equal(run.stdout, 'timestamp,score,alarm,Current_score,Pressure_score\n');
    assert.doesNotMatch(run.stderr, /Error|at /);
  });

  it('a wrong delimiter exits 2 before any output and suggests the likely one; no output file is left', () => {
    const out = join(dir, 'wrong-delimiter');
    const run = replay(['-o', join(out, 'scores.csv')], pumpLike(10));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /one column with delimiter ","; try -d ";"/);
    assert.equal(run.stdout, '');
    assert.equal(existsSync(join(out, 'scores.csv')), false);
    const file = join(dir, 'half.csv');
    const again = replay(['-o', file], pumpLike(10));
    assert.equal(again.code, 2);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('half')),
      [],
    );
  });

  it('every option is checked: exit 2 with a clear message', () => {
    for (const [args, message] of [
      [['--raise', '0/5'], /--raise must be K\/N with 1 <= K <= N/],
      [['--raise', '6/5'], /1 <= K <= N/],
      [['--threshold', '2'], /threshold must be a number from 0 to 1/],
      [['--clear', '0'], /--clear must be a whole number/],
      [['--mode', 'sometimes'], /mode must be one of online, train-then-monitor/],
      [['--train', '10'], /--train and --train-until need --mode train-then-monitor/],
      [['--mode', 'train-then-monitor', '--train', 'x'], /--train must be a whole number/],
      [['--mode', 'train-then-monitor', '--train-until', 'soon'], /cannot read the time "soon"/],
      [['--params', '[1]'], /params must be a JSON object/],
      [['--delimiter', ';;'], /one character/],
      [['--bogus'], /Unknown option/],
    ] as [string[], RegExp][]) {
      const run = replay(['-d', ';', ...args], pumpLike(10));
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    }
  });
});
