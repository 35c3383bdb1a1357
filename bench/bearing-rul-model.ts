/**
 * Trains the RUL model of examples/twin-forecast on run-to-failure runs of TwinFlow's own bearing simulation (the
 * demo's bearing model, src/core/sim/models/bearing.ts): 60 bearings, one sample per hour of wear, failure when the
 * vibration reaches the model's threshold. Small (60 trees) so the example file stays small.
 *   npx tsx bench/bearing-rul-model.ts   (writes examples/twin-forecast/bearing-rul.model (JSON; not .json, which Node-RED would list as an example flow))
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../src/core/rul/dataset';
import { trainRulModel } from '../src/core/rul/train';
import { startValues } from '../src/core/sim/model';
import { bearing } from '../src/core/sim/models/bearing';
import { rng } from '../src/core/sim/rng';

const params = { ...startValues(bearing, 'parameter'), timeScale: 1 };
const data: Dataset = { signals: ['vibration'], units: [] };
for (let unit = 1; unit <= 60; unit++) {
  const random = rng(1000 + unit);
  let state = bearing.init(params, random);
  const cycles: number[] = [];
  const rows: number[][] = [];
  for (let hour = 1; hour <= 2000; hour++) {
    state = bearing.advance(state, hour - 1, 1, {}, params, random).state;
    const { vibration } = bearing.outputs(state, hour, {}, params);
    cycles.push(hour);
    rows.push([vibration]);
    if (vibration >= params.threshold) break;
  }
  data.units.push({ unit: String(unit), cycles, rows });
}
const model = trainRulModel(data, {
  window: 24,
  boost: {
    trees: 60,
    depth: 4,
    learningRate: 0.1,
    minLeaf: 20,
    lambda: 1,
    subsample: 0.8,
    bins: 32,
    seed: 1,
  },
});
model.training = {
  ...model.training,
  source: 'TwinFlow bearing simulation, 60 run-to-failure bearings, 1 sample per hour',
};
const target = join(__dirname, '..', 'examples', 'twin-forecast', 'bearing-rul.model');
writeFileSync(target, JSON.stringify(model));
process.stdout.write(
  `wrote ${target} (${data.units.length} bearings, lives ${Math.min(...data.units.map((u) => u.rows.length))}-${Math.max(...data.units.map((u) => u.rows.length))} h)\n`,
);
