import assert from 'node:assert/strict';
import { parseCmapss, parseCsvDataset, type Dataset } from '../../../src/core/rul/dataset';
import { predictBoosted, trainBoosted } from '../../../src/core/rul/gbt';
import { ridge } from '../../../src/core/rul/linear';
import { nasaScore, rmse } from '../../../src/core/rul/metrics';
import {
  parseRulModel,
  rulEstimate,
  rulUnitAdd,
  rulUnitInit,
  type RulModel,
} from '../../../src/core/rul/model';
import { cappedTarget, predictLastCycle, trainRulModel } from '../../../src/core/rul/train';
import { fleetCmapss, fleetCsv, syntheticFleet } from '../../helpers/degradation';

const FAST = {
  boost: {
    trees: 60,
    depth: 4,
    learningRate: 0.1,
    minLeaf: 10,
    lambda: 1,
    subsample: 0.8,
    bins: 32,
    seed: 1,
  },
};

/** Each unit cut at a fixed share of its life, with the true RUL at the cut. */
function truncate(data: Dataset, share: number): { cut: Dataset; truth: number[] } {
  const truth: number[] = [];
  const units = data.units.map((u) => {
    const keep = Math.max(5, Math.round(u.rows.length * share));
    truth.push(u.rows.length - keep);
    return { unit: u.unit, cycles: u.cycles.slice(0, keep), rows: u.rows.slice(0, keep) };
  });
  return { cut: { signals: data.signals, units }, truth };
}

describe('rul: metrics and building blocks', () => {
  it('rmse and the NASA score follow their definitions (late predictions cost more)', () => {
    assert.ok(Math.abs(rmse([10, 20], [13, 16]) - Math.sqrt(12.5)) < 1e-12);
    assert.ok(Math.abs(nasaScore([10], [0]) - (Math.E - 1)) < 1e-12);
    assert.ok(Math.abs(nasaScore([0], [13]) - (Math.E - 1)) < 1e-12);
    assert.ok(nasaScore([20], [0]) > nasaScore([0], [20]));
  });

  it('ridge with no penalty recovers an exact linear relation', () => {
    const { weights, bias } = ridge([[0], [1], [2], [3]], [1, 3, 5, 7], 0);
    assert.ok(Math.abs(weights[0] - 2) < 1e-9 && Math.abs(bias - 1) < 1e-9);
  });

  it('boosted trees fit a step function and predict from raw thresholds', () => {
    const x = new Float64Array(200);
    const y: number[] = [];
    for (let i = 0; i < 200; i++) {
      x[i] = i;
      y.push(i < 100 ? 1 : 5);
    }
    const model = trainBoosted(x, y, 1, { ...FAST.boost, trees: 50, subsample: 1, minLeaf: 5 });
    assert.ok(Math.abs(predictBoosted(model, [10]) - 1) < 0.05);
    assert.ok(Math.abs(predictBoosted(model, [150]) - 5) < 0.05);
  });

  it('capped target: min(last - cycle, cap)', () => {
    assert.deepEqual(
      cappedTarget({ unit: '1', cycles: [1, 2, 3, 4], rows: [[], [], [], []] }, 2),
      [2, 2, 1, 0],
    );
  });
});

describe('rul: data formats', () => {
  it('reads the C-MAPSS text layout and a CSV with named columns into the same units', () => {
    const fleet = syntheticFleet(3, 5);
    const cmapss = parseCmapss(fleetCmapss(fleet));
    assert.equal(cmapss.units.length, 3);
    assert.equal(cmapss.signals.length, 24);
    assert.equal(cmapss.units[1].rows.length, fleet.units[1].rows.length);
    const csv = parseCsvDataset(fleetCsv(fleet, ';'), {
      unit: 'unit',
      cycle: 'cycle',
      signals: ['vib', 'temp'],
      delimiter: ';',
    });
    assert.deepEqual(csv.signals, ['vib', 'temp']);
    assert.ok(Math.abs(csv.units[2].rows[7][1] - fleet.units[2].rows[7][0]) < 1e-3);
  });

  it('refuses a malformed line, a missing column and cycles out of order, naming them', () => {
    assert.throws(() => parseCmapss('1 1 2 3\n'), /line 1: expected 26 numbers/);
    assert.throws(
      () =>
        parseCsvDataset('unit,cycle,a\n1,1,2\n', {
          unit: 'unit',
          cycle: 'cycle',
          signals: ['b'],
          delimiter: ',',
        }),
      /no column b/,
    );
    assert.throws(
      () =>
        parseCsvDataset('unit,cycle,a\n1,2,2\n1,1,3\n', {
          unit: 'unit',
          cycle: 'cycle',
          signals: [],
          delimiter: ',',
        }),
      /line 3: unit 1 cycle 1/,
    );
    assert.throws(
      () =>
        parseCsvDataset('unit,cycle,a\n1,1,x\n', {
          unit: 'unit',
          cycle: 'cycle',
          signals: [],
          delimiter: ',',
        }),
      /line 2: a is not a number/,
    );
  });
});

describe('rul: training and prediction', function () {
  this.timeout(60_000);
  let model: RulModel;
  const train = syntheticFleet(40, 1);
  const test = syntheticFleet(20, 2);
  before(() => {
    model = trainRulModel(train, FAST);
  });

  it('drops the constant and the uninformative signal and writes a versioned model that parses back', () => {
    assert.deepEqual(model.signals, ['temp', 'vib', 'press']);
    const reread = parseRulModel(JSON.parse(JSON.stringify(model)));
    assert.equal(reread.format, 'twinflow-rul');
    assert.equal(reread.version, 1);
  });

  it('predicts the RUL of unseen units at the last cycle well below the spread of the truth', () => {
    const { cut, truth } = truncate(test, 0.7);
    const predicted = predictLastCycle(model, cut).map((p) => p.rul);
    const capped = truth.map((t) => Math.min(t, model.cap));
    const error = rmse(predicted, capped);
    const mean = capped.reduce((a, b) => a + b, 0) / capped.length;
    const spread = rmse(
      capped.map(() => mean),
      capped,
    );
    assert.ok(error < 12 && error < spread / 2, `rmse ${error}, spread ${spread}`);
  });

  it('the interval covers most held-out truths and the health index falls with wear', () => {
    let covered = 0;
    let total = 0;
    for (const share of [0.3, 0.6, 0.9]) {
      const { cut, truth } = truncate(test, share);
      predictLastCycle(model, cut).forEach((p, i) => {
        total++;
        if (p.lower - 1 <= Math.min(truth[i], model.cap) && Math.min(truth[i], model.cap) <= p.upper + 1)
          covered++;
      });
    }
    assert.ok(covered / total >= 0.75, `coverage ${covered}/${total}`);
    const state = rulUnitInit();
    const health: number[] = [];
    for (const row of test.units[0].rows) {
      rulUnitAdd(model, state, row.slice(0, 3));
      health.push(rulEstimate(model, state)!.health);
    }
    const early = health.slice(0, 20).reduce((a, b) => a + b) / 20;
    const late = health.slice(-20).reduce((a, b) => a + b) / 20;
    assert.ok(early > 0.7 && late < 0.3, `health ${early} -> ${late}`);
  });

  it('streaming one cycle at a time gives exactly what the batch prediction gives', () => {
    const unit = test.units[3];
    const state = rulUnitInit();
    for (const row of unit.rows) rulUnitAdd(model, state, row.slice(0, 3));
    const streamed = rulEstimate(model, state)!;
    const [batch] = predictLastCycle(model, { signals: test.signals, units: [unit] });
    assert.equal(streamed.rul, batch.rul);
    assert.equal(state.rows.length, model.window);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state, 'the state is plain JSON');
  });

  it('refuses a file that is not a model, a newer version and a broken tree', () => {
    assert.throws(() => parseRulModel({ hello: 1 }), /format is not twinflow-rul/);
    assert.throws(() => parseRulModel({ ...model, version: 99 }), /version 99/);
    const broken = JSON.parse(JSON.stringify(model)) as RulModel;
    broken.boosted.trees[0].left[0] = 0;
    assert.throws(() => parseRulModel(broken), /a tree/);
  });
});
